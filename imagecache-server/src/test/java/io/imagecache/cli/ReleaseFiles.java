package io.imagecache.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.codegen.docgen.manpage.ManPageGenerator;

/**
 * Writes the release's generated files from the command line itself (run by Maven at
 * prepare-package): the example {@code imagecache.yml} (every key commented out, with its
 * default), the bash completion script ({@code picocli.AutoComplete}) and one AsciiDoc man page per
 * command ({@code ManPageGenerator}).
 */
public final class ReleaseFiles {
  private static final Pattern YAML_WORDS = Pattern.compile(
      "(?i)y|n|yes|no|true|false|on|off|null|~");
  private static final Pattern DEFAULT = Pattern.compile("\\s*\\(default: (.*)\\)$");

  private ReleaseFiles() {}

  /** {@code ReleaseFiles OUTPUT_DIR}. */
  public static void main(String... args) throws IOException {
    if (args.length != 1) {
      throw new IllegalArgumentException("usage: ReleaseFiles OUTPUT_DIR");
    }
    Path out = Files.createDirectories(Path.of(args[0]));
    Files.writeString(out.resolve("imagecache.yml"), exampleConfig(), StandardCharsets.UTF_8);
    Files.writeString(out.resolve("imagecache.bash"),
        AutoComplete.bash("imagecache", commandLine()), StandardCharsets.UTF_8);
    Path man = Files.createDirectories(out.resolve("man"));
    int status = ManPageGenerator.generateManPage(man.toFile(), null, new boolean[0], false,
        commandLine().getCommandSpec());
    if (status != 0) {
      throw new IOException("ManPageGenerator failed with " + status);
    }
  }

  /** The command line as {@code imagecache} runs it, with no server behind {@code serve}. */
  private static CommandLine commandLine() {
    CommandLine commandLine = Main.commandLine(settings -> 0, Map.of());
    commandLine.setOut(new PrintWriter(System.out, true));
    return commandLine;
  }

  /** Every option of {@code serve} the file may set, commented out, with its meaning and default. */
  static String exampleConfig() {
    StringBuilder text = new StringBuilder()
        .append("# imagecache serve --config /etc/imagecache/imagecache.yml\n")
        .append("#\n")
        .append("# Every key imagecache serve takes, commented out with its default. A flag or an\n")
        .append("# IMAGECACHE_<KEY> environment variable wins over this file (the systemd unit sets\n")
        .append("# IMAGECACHE_CACHE_DIR=/var/lib/imagecache); SIGHUP reads the file again.\n")
        .append("# `imagecache serve --check --config FILE` validates it, `imagecache config` prints\n")
        .append("# the effective values and where each came from.\n");
    for (ServeOption option : ServeOption.values()) {
      if (!option.inConfigFile()) {
        continue;
      }
      String description = option.description().replace("%%", "%");
      Matcher matcher = DEFAULT.matcher(description);
      // A default that is a value is shown as one; one that is a behaviour ("none": the option
      // is unset) or that only applies beside another option (admin-role needs keystone-url)
      // stays in the comment.
      String value = matcher.find() && !matcher.group(1).contains(" ")
          && validAlone(option, matcher.group(1)) ? matcher.group(1)
          : option.isSwitch() ? "false" : "";
      text.append("\n# ").append(description);
      if (!option.isSwitch()) {
        text.append(" [").append(option.paramLabel()).append(']');
      }
      text.append("\n#").append(option.optionName()).append(':')
          .append(value.isEmpty() ? "" : " " + yamlScalar(value, option.isSwitch())).append('\n');
    }
    return text.toString();
  }

  /** Whether {@code serve} takes {@code option} set to {@code value} and nothing else. */
  private static boolean validAlone(ServeOption option, String value) {
    try {
      SettingsResolver.resolve(Map.of(option.optionName(), value), Map.of(), Optional.empty());
      return true;
    } catch (SettingsException e) {
      return false;
    }
  }

  /**
   * {@code value} quoted when YAML would read it as something else than the same string: for an
   * option that is not a switch, YAML 1.1's booleans and null too ({@code access-log: off} would
   * be the boolean false).
   */
  private static String yamlScalar(String value, boolean isSwitch) {
    boolean plain = value.matches("[A-Za-z0-9./_-][A-Za-z0-9./_:-]*")
        && (isSwitch || !YAML_WORDS.matcher(value).matches());
    return plain ? value : "'" + value.replace("'", "''") + "'";
  }
}
