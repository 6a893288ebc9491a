package io.imagecache.cli;

import java.util.Map;
import java.util.Optional;

/**
 * What a SIGHUP reads: the settings and the logging settings of {@code serve}, resolved again
 * from the same flags and environment and the config file as it is now.
 */
final class RereadSettings implements ServerRunner.SettingsSource {
  private final Map<String, String> flags;
  private final Map<String, String> environment;

  RereadSettings(Map<String, String> flags, Map<String, String> environment) {
    this.flags = Map.copyOf(flags);
    this.environment = Map.copyOf(environment);
  }

  @Override
  public ServeSettings read() throws SettingsException {
    return SettingsResolver.resolve(
        flags, environment, SettingsResolver.configFile(flags, environment));
  }

  @Override
  public Optional<LogSettings> readLogs() throws SettingsException {
    return Optional.of(SettingsResolver.logSettings(
        flags, environment, SettingsResolver.configFile(flags, environment)));
  }
}
