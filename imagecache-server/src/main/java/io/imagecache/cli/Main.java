package io.imagecache.cli;

import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.UnmatchedArgumentException;
import picocli.CommandLine;

/**
 * The {@code imagecache} command line: {@code serve}, the management commands that call a running
 * server's API ({@code list}, {@code queue}, {@code delete}, {@code clear}, {@code clean},
 * {@code prune}, {@code nodes}, {@code pin}, {@code unpin}, {@code status}), {@code config} and
 * {@code version}. Exit codes: 0 success, 1 runtime failure (of the server or the network), 2
 * usage or configuration error (one message on stderr, no stack trace).
 */
public final class Main {

  private Main() {}

  /** Runs the command line with the HTTP server found on the class path and exits. */
  public static void main(String... args) {
    System.exit(commandLine(new InstalledServer(), System.getenv()).execute(args));
  }

  /**
   * The command line, with {@code serve} handing its settings to {@code server} and reading
   * {@code IMAGECACHE_*} settings from {@code environment}. Set its output with
   * {@link CommandLine#setOut}/{@link CommandLine#setErr}, then {@link CommandLine#execute}.
   */
  public static CommandLine commandLine(ServerRunner server, Map<String, String> environment) {
    return commandLine(server, environment, ClientRuntime.system());
  }

  /** The command line, with the API commands using {@code runtime}'s clock and terminal. */
  static CommandLine commandLine(
      ServerRunner server, Map<String, String> environment, ClientRuntime runtime) {
    CommandLine commandLine = new CommandLine(new ImagecacheCommand());
    commandLine.addSubcommand("serve", ServeCommand.spec(server, environment));
    for (ClientCommand command : List.of(
        new ListCommand(environment, runtime),
        new QueueCommand(environment, runtime),
        new DeleteCommand(environment, runtime),
        new ClearCommand(environment, runtime),
        new CleanCommand(environment, runtime),
        new PruneCommand(environment, runtime),
        new NodesCommand(environment, runtime),
        new StatusCommand(environment, runtime),
        new PinCommand(environment, runtime),
        new UnpinCommand(environment, runtime))) {
      commandLine.addSubcommand(command);
    }
    commandLine.addSubcommand("config", ConfigCommand.spec(environment));
    commandLine.addSubcommand("version", new VersionCommand());
    commandLine.setParameterExceptionHandler(Main::reportUsageError);
    return commandLine;
  }

  /**
   * The wiring point of {@code serve}: the Netty server in {@code io.imagecache.server} provides
   * its {@link ServerRunner} in {@code META-INF/services/io.imagecache.cli.ServerRunner}, looked
   * up only when {@code serve} runs.
   */
  private static final class InstalledServer implements ServerRunner {
    private ServerRunner installed;

    private ServerRunner installed() throws Exception {
      if (installed == null) {
        installed = ServiceLoader.load(ServerRunner.class).findFirst()
            .orElseThrow(() -> new Exception("this build has no HTTP server: no "
                + ServerRunner.class.getName() + " provider on the class path"));
      }
      return installed;
    }

    @Override
    public void configureLogging(LogSettings logs) throws Exception {
      installed().configureLogging(logs);
    }

    @Override
    public int run(ServeSettings settings) throws Exception {
      return installed().run(settings);
    }

    @Override
    public int run(ServeSettings settings, SettingsSource reread) throws Exception {
      return installed().run(settings, reread);
    }
  }

  /** One line naming the problem, a suggestion if picocli has one, and where help is. */
  private static int reportUsageError(ParameterException e, String[] args) {
    CommandLine command = e.getCommandLine();
    PrintWriter err = command.getErr();
    err.println(command.getCommandSpec().qualifiedName() + ": " + e.getMessage());
    UnmatchedArgumentException.printSuggestions(e, err);
    err.println("Try '" + command.getCommandSpec().qualifiedName() + " --help' for more.");
    return command.getCommandSpec().exitCodeOnInvalidInput();
  }
}
