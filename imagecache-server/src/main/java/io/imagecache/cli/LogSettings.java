package io.imagecache.cli;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * How {@code serve} logs: the server log's level and format, and where the access log goes.
 *
 * @param level the server log's level
 * @param json whether the server and access logs are JSON lines rather than text
 * @param access where access-log lines go
 */
public record LogSettings(Level level, boolean json, Access access) {

  /** Info, text, no access log. */
  public static final LogSettings DEFAULT = new LogSettings(Level.INFO, false, Access.OFF);

  public LogSettings {
    Objects.requireNonNull(level, "level");
    Objects.requireNonNull(access, "access");
  }

  /** The levels {@code log-level} accepts. */
  public enum Level {
    ERROR, WARN, INFO, DEBUG;

    /** {@code error}, {@code warn}, {@code info} or {@code debug}, in any case. */
    static Level parse(String text) {
      try {
        return valueOf(text.strip().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("expected error, warn, info or debug");
      }
    }
  }

  /**
   * Where the access log goes: nowhere, standard output, or a file.
   *
   * @param stdout whether lines go to standard output
   * @param file the file lines go to, if any
   */
  public record Access(boolean stdout, Optional<Path> file) {
    /** No access log. */
    public static final Access OFF = new Access(false, Optional.empty());

    /** {@code off}, {@code stdout} or a file path. */
    static Access parse(String text) {
      String value = text.strip();
      if (value.isEmpty()) {
        throw new IllegalArgumentException("expected off, stdout or a file path");
      }
      if (value.equals("off")) {
        return OFF;
      }
      if (value.equals("stdout")) {
        return new Access(true, Optional.empty());
      }
      Path file = Path.of(value).toAbsolutePath().normalize();
      if (java.nio.file.Files.isDirectory(file)) {
        throw new IllegalArgumentException("is a directory; expected off, stdout or a file path");
      }
      return new Access(false, Optional.of(file));
    }

    /** Whether access lines are written anywhere. */
    public boolean on() {
      return stdout || file.isPresent();
    }
  }

  /** {@code text} or {@code json}: whether the format is JSON. */
  static boolean parseJson(String text) {
    switch (text.strip().toLowerCase(Locale.ROOT)) {
      case "text":
        return false;
      case "json":
        return true;
      default:
        throw new IllegalArgumentException("expected text or json");
    }
  }
}
