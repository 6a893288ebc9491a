package io.imagecache.cli;

import java.util.OptionalInt;
import picocli.CommandLine.ExitCode;

/**
 * Why a client command stops: a one-line message for stderr and the exit code, 2 for a usage
 * problem found before any request (bad id, missing token) and 1 for a failure of the server or
 * the network; for an HTTP error answer, also its status.
 */
final class ClientFailure extends Exception {
  private static final long serialVersionUID = 1L;

  private final int exitCode;
  private final int status;

  private ClientFailure(String message, int exitCode, int status) {
    super(message, null, false, false);
    this.exitCode = exitCode;
    this.status = status;
  }

  /** A usage or configuration problem: exit code 2. */
  static ClientFailure usage(String message) {
    return new ClientFailure(message, ExitCode.USAGE, 0);
  }

  /** A failure of the server or the network: exit code 1. */
  static ClientFailure failed(String message) {
    return new ClientFailure(message, ExitCode.SOFTWARE, 0);
  }

  /** The server answered {@code status} (not 2xx): exit code 1. */
  static ClientFailure answered(int status, String message) {
    return new ClientFailure(message, ExitCode.SOFTWARE, status);
  }

  int exitCode() {
    return exitCode;
  }

  /** The HTTP status the server answered, when this failure is an error answer. */
  OptionalInt status() {
    return status == 0 ? OptionalInt.empty() : OptionalInt.of(status);
  }
}
