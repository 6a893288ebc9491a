package io.imagecache.cli;

import java.util.Objects;

/**
 * One option's value as written, before parsing, and where it was written.
 *
 * @param source for messages: {@code the command line}, {@code IMAGECACHE_MAX_SIZE},
 *     {@code /etc/imagecache.yaml, key max_size}
 */
record RawSetting(ServeOption option, String value, String source) {

  RawSetting {
    Objects.requireNonNull(option, "option");
    Objects.requireNonNull(value, "value");
    Objects.requireNonNull(source, "source");
  }

  /**
   * {@code invalid --max-size "12XB" (from IMAGECACHE_MAX_SIZE): PROBLEM}; a secret's value is
   * shown as {@code (secret)}.
   */
  SettingsException invalid(String problem) {
    String shown = option.isSecret() ? "(secret)" : "\"" + value + "\"";
    return new SettingsException(
        "invalid " + option.flag() + " " + shown + " (from " + source + "): " + problem);
  }
}
