package io.imagecache.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ExitCode;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code imagecache config [serve options]}: the configuration {@code serve} would run with, one
 * option a line with its value and where the value comes from; tokens and database passwords
 * masked. Writes nothing; exits 2 with the usual line when the configuration does not resolve.
 */
@Command(
    name = "config",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
        "Prints the effective configuration of serve (same options, environment and --config"
            + " file) with the source of each value; secrets are masked."})
final class ConfigCommand implements Callable<Integer> {

  @Spec
  private CommandSpec spec;

  private final Map<String, String> environment;

  private ConfigCommand(Map<String, String> environment) {
    this.environment = Map.copyOf(environment);
  }

  /** The {@code config} command with the options of {@code serve}. */
  static CommandSpec spec(Map<String, String> environment) {
    return ServeFlags.addTo(CommandSpec.forAnnotatedObject(new ConfigCommand(environment)));
  }

  @Override
  public Integer call() {
    Map<String, String> flags = ServeFlags.given(spec.commandLine().getParseResult());
    ServeSettings settings;
    LogSettings logs;
    Map<ServeOption, String> sources;
    Optional<Path> configFile;
    try {
      configFile = SettingsResolver.configFile(flags, environment);
      settings = SettingsResolver.resolve(flags, environment, configFile);
      logs = SettingsResolver.logSettings(flags, environment, configFile);
      sources = SettingsResolver.sources(flags, environment, configFile);
    } catch (SettingsException e) {
      spec.commandLine().getErr().println("imagecache config: " + e.getMessage());
      return ExitCode.USAGE;
    }
    Table table = new Table("OPTION", "VALUE", "SOURCE");
    table.row(ServeOption.CONFIG.optionName(), configFile.map(Path::toString).orElse("none"),
        sources.getOrDefault(ServeOption.CONFIG, "default"));
    for (Map.Entry<ServeOption, String> entry : SettingValues.of(settings, logs).entrySet()) {
      ServeOption option = entry.getKey();
      String source = sources.getOrDefault(option, "default");
      if (option == ServeOption.ADMIN_TOKEN && settings.adminToken().isEmpty()) {
        source = "default: generated in " + settings.cache().dir().resolve("admin-token");
      }
      table.row(option.optionName(), SettingValues.masked(option, entry.getValue()), source);
    }
    PrintWriter out = spec.commandLine().getOut();
    table.lines().forEach(out::println);
    out.flush();
    return ExitCode.OK;
  }
}
