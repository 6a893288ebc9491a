package io.imagecache.cli;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads a secret from the file a {@code -file} option names: the whole file as UTF-8, trailing
 * line ends removed; a file other users may read is used but warned about, in one line that names
 * the file and never its content.
 */
final class SecretFile {
  private static final Logger LOG = LoggerFactory.getLogger(SecretFile.class);
  /** A secret file is small: more than this is not the file meant. */
  private static final long MAX_BYTES = 64 * 1024;

  private SecretFile() {}

  /**
   * The secret in the file {@code raw} names.
   *
   * @throws SettingsException naming the option, the file and what is wrong with it
   */
  static String read(RawSetting raw) throws SettingsException {
    Path file = Path.of(raw.value().strip());
    String text;
    try {
      if (Files.size(file) > MAX_BYTES) {
        throw raw.invalid("the file is larger than 64 KiB: not a secret file");
      }
      text = new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
      warnIfOthersMayRead(raw, file);
    } catch (NoSuchFileException e) {
      throw raw.invalid("no such file");
    } catch (CharacterCodingException e) {
      throw raw.invalid("the file is not UTF-8 text");
    } catch (IOException e) {
      throw raw.invalid("cannot read it: " + e.getClass().getSimpleName()
          + (e.getMessage() == null ? "" : " " + e.getMessage()));
    }
    int end = text.length();
    while (end > 0 && (text.charAt(end - 1) == '\n' || text.charAt(end - 1) == '\r')) {
      end--;
    }
    if (end == 0) {
      throw raw.invalid("the file is empty");
    }
    return text.substring(0, end);
  }

  private static void warnIfOthersMayRead(RawSetting raw, Path file) throws IOException {
    Set<PosixFilePermission> mode;
    try {
      mode = Files.getPosixFilePermissions(file);
    } catch (UnsupportedOperationException e) {
      return; // not a POSIX file system: nothing to check
    }
    if (mode.contains(PosixFilePermission.OTHERS_READ)) {
      LOG.warn("{} {} can be read by every user (mode {}): chmod o-r it", raw.option().flag(),
          file, PosixFilePermissions.toString(mode));
    }
  }
}
