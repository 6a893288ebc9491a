package io.imagecache.cli;

import io.imagecache.ImageId;
import java.io.PrintWriter;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Callable;
import picocli.CommandLine.ExitCode;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * The shape of every command that calls the management API: the shared {@link ClientOptions},
 * arguments checked before anything is sent, and each failure reported as one line on stderr
 * ({@code imagecache list: server answered 403: ...}) with exit code 1, or 2 for a usage problem.
 */
abstract class ClientCommand implements Callable<Integer> {

  @Spec
  private CommandSpec spec;

  @Mixin
  private ClientOptions options;

  private final Map<String, String> environment;
  private final ClientRuntime runtime;

  ClientCommand(Map<String, String> environment, ClientRuntime runtime) {
    this.environment = Map.copyOf(environment);
    this.runtime = Objects.requireNonNull(runtime, "runtime");
  }

  @Override
  public final Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    try {
      checkArguments();
      run(options.connect(environment), out);
      out.flush();
      return ExitCode.OK;
    } catch (ClientFailure failure) {
      out.flush();
      warn(failure.getMessage());
      return failure.exitCode();
    }
  }

  /** Checks the arguments before any token is looked up or request sent. */
  void checkArguments() throws ClientFailure {}

  /** Does the command's work against {@code api}, printing its result on {@code out}. */
  abstract void run(ApiClient api, PrintWriter out) throws ClientFailure;

  /** Whether {@code --json} was given. */
  final boolean json() {
    return options.json();
  }

  final ClientRuntime runtime() {
    return runtime;
  }

  /** Prints {@code imagecache COMMAND: message} on stderr. */
  final void warn(String message) {
    PrintWriter err = spec.commandLine().getErr();
    err.println(spec.qualifiedName() + ": " + message);
    err.flush();
  }

  /** Prints the server's JSON answer as it came, ending with a line end. */
  static void printJson(PrintWriter out, JsonAnswer answer) {
    out.println(answer.text().strip());
  }

  /** {@code text} if it is an image id, else a usage failure with the reason. */
  static String imageId(String text) throws ClientFailure {
    try {
      return ImageId.of(text).value();
    } catch (IllegalArgumentException e) {
      throw ClientFailure.usage(e.getMessage());
    }
  }

  /** {@code count} and the noun, plural unless the count is 1: {@code 1 file}, {@code 2 files}. */
  static String counted(long count, String noun) {
    return count + " " + noun + (count == 1 ? "" : "s");
  }
}
