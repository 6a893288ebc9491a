package io.imagecache.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ExitCode;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.Spec;

/**
 * {@code imagecache serve}: resolves the settings (flag &gt; environment &gt; config file &gt;
 * default), makes sure there is an admin token, and hands them to the {@link ServerRunner}.
 * Exits with 2 and one line on stderr for a configuration error, 1 when the server fails.
 */
@Command(
    name = "serve",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
        "Runs the cache server.",
        "Every option can also be set by an environment variable IMAGECACHE_<OPTION>"
            + " (e.g. IMAGECACHE_MAX_SIZE) or a key in the --config file (e.g. max-size: 20GiB);"
            + " flags win over the environment, the environment over the file."})
final class ServeCommand implements Callable<Integer> {

  @Spec
  private CommandSpec spec;

  private final ServerRunner runner;
  private final Map<String, String> environment;

  private ServeCommand(ServerRunner runner, Map<String, String> environment) {
    this.runner = runner;
    this.environment = Map.copyOf(environment);
  }

  /** The {@code serve} command with one option per {@link ServeOption}. */
  static CommandSpec spec(ServerRunner runner, Map<String, String> environment) {
    CommandSpec spec = CommandSpec.forAnnotatedObject(new ServeCommand(runner, environment));
    for (ServeOption option : ServeOption.values()) {
      OptionSpec.Builder builder = OptionSpec.builder(option.flag())
          .description(option.description());
      if (option.isSwitch()) {
        builder.type(boolean.class).arity("0");
      } else {
        builder.type(String.class).arity("1").paramLabel(option.paramLabel());
      }
      spec.addOption(builder.build());
    }
    return spec;
  }

  @Override
  public Integer call() {
    PrintWriter err = spec.commandLine().getErr();
    Map<String, String> flags = givenFlags();
    ServeSettings settings;
    LogSettings logs;
    try {
      Optional<Path> configFile = SettingsResolver.configFile(flags, environment);
      settings = SettingsResolver.resolve(flags, environment, configFile);
      logs = SettingsResolver.logSettings(flags, environment, configFile);
    } catch (SettingsException e) {
      err.println("imagecache serve: " + e.getMessage());
      return ExitCode.USAGE;
    }
    try {
      runner.configureLogging(logs);
    } catch (Exception e) {
      err.println("imagecache serve: failed: " + ErrorText.of(e));
      return ExitCode.SOFTWARE;
    }
    if (settings.adminToken().isEmpty()) {
      Path dir = settings.cache().dir();
      try {
        settings = settings.withAdminToken(AdminToken.readOrCreate(dir));
      } catch (IOException | UnsupportedOperationException e) {
        err.println("imagecache serve: cannot set up the admin token in " + dir + ": " + e);
        return ExitCode.SOFTWARE;
      }
    }
    try {
      return runner.run(settings);
    } catch (RuntimeException e) {
      // A bug rather than a condition: keep the stack trace.
      err.println("imagecache serve: failed: " + e);
      e.printStackTrace(err);
      return ExitCode.SOFTWARE;
    } catch (Exception e) {
      err.println("imagecache serve: failed: " + ErrorText.of(e));
      return ExitCode.SOFTWARE;
    }
  }

  /** Option name without dashes to the value, for the options given on the command line. */
  private Map<String, String> givenFlags() {
    ParseResult parsed = spec.commandLine().getParseResult();
    Map<String, String> flags = new LinkedHashMap<>();
    for (ServeOption option : ServeOption.values()) {
      OptionSpec matched = parsed.matchedOption(option.flag());
      if (matched != null) {
        flags.put(option.optionName(),
            option.isSwitch() ? "true" : String.valueOf((Object) matched.getValue()));
      }
    }
    return flags;
  }
}
