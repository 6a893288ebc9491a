package io.imagecache.cli;

import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * The raw values of one resolution of {@code serve}'s options (flags over environment over config
 * file), parsed on demand with errors attributed to the value's source.
 */
final class OptionValues {
  private static final String COMMAND_LINE = "the command line";

  private final Map<String, String> flags;
  private final Map<String, String> env;
  private final Map<ServeOption, RawSetting> file;

  OptionValues(Map<String, String> flags, Map<String, String> env, Map<ServeOption, RawSetting> file) {
    this.flags = flags;
    this.env = env;
    this.file = file;
  }

  Optional<RawSetting> raw(ServeOption option) {
    return pick(option, flags, env, file);
  }

  <T> T get(ServeOption option, Function<String, T> parser, T defaultValue)
      throws SettingsException {
    return optional(option, parser).orElse(defaultValue);
  }

  /**
   * The secret {@code option}, given as itself or read from the file its {@code -file} twin
   * names; both given is an error naming both. A value from a file that does not parse is
   * reported with the file's name, never its content.
   */
  <T> Optional<T> secret(ServeOption option, Function<String, T> parser)
      throws SettingsException {
    ServeOption twin = option.fileTwin().orElseThrow(
        () -> new IllegalArgumentException(option.optionName() + " has no -file twin"));
    Optional<RawSetting> direct = raw(option);
    Optional<RawSetting> file = raw(twin);
    if (file.isEmpty()) {
      return optional(option, parser);
    }
    if (direct.isPresent()) {
      throw new SettingsException(option.flag() + " (from " + direct.get().source() + ") and "
          + twin.flag() + " (from " + file.get().source() + ") are both set: give one of them");
    }
    String secret = SecretFile.read(file.get());
    try {
      return Optional.of(parser.apply(secret));
    } catch (IllegalArgumentException e) {
      throw file.get().invalid("the file's content: " + e.getMessage());
    }
  }

  <T> Optional<T> optional(ServeOption option, Function<String, T> parser)
      throws SettingsException {
    Optional<RawSetting> raw = raw(option);
    if (raw.isEmpty()) {
      return Optional.empty();
    }
    try {
      return Optional.of(parser.apply(raw.get().value()));
    } catch (IllegalArgumentException e) {
      throw raw.get().invalid(withoutEcho(e.getMessage(), raw.get().value()));
    }
  }

  /** The winning raw value of {@code option}: flag, else environment, else file. */
  static Optional<RawSetting> pick(ServeOption option, Map<String, String> flags,
      Map<String, String> env, Map<ServeOption, RawSetting> file) {
    String flag = flags.get(option.optionName());
    if (flag != null) {
      return Optional.of(new RawSetting(option, flag, COMMAND_LINE));
    }
    String variable = env.get(option.environmentVariable());
    if (variable != null && !variable.isEmpty()) {
      return Optional.of(new RawSetting(option, variable, option.environmentVariable()));
    }
    return Optional.ofNullable(file.get(option));
  }

  /**
   * Drops a leading {@code invalid size "VALUE": } from a parser's message, since the option's
   * own message already shows the value.
   */
  private static String withoutEcho(String message, String value) {
    String echo = "^invalid [a-z ]+ \"" + Pattern.quote(value) + "\": ";
    return message == null ? "invalid value" : message.replaceFirst(echo, "");
  }
}
