package io.imagecache.cli;

import java.io.IOException;
import java.net.BindException;
import java.util.Locale;
import java.util.Optional;

/**
 * A server that could not listen, in one line naming the address and the reason:
 * {@code cannot listen on 127.0.0.1:9292: address already in use}. Netty's native transport
 * words it as {@code bind(..) failed with error(-98): Address already in use}, without the address.
 */
final class ListenFailure {
  private ListenFailure() {}

  /** The failure of listening on {@code address}, when {@code failure} is one. */
  static Optional<IOException> of(ListenAddress address, Throwable failure) {
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      String message = cause.getMessage() == null ? "" : cause.getMessage();
      if (cause instanceof BindException || message.startsWith("bind(")) {
        return Optional.of(new IOException(
            "cannot listen on " + address + ": " + reason(message), failure));
      }
      if (cause.getCause() == cause) {
        break;
      }
    }
    return Optional.empty();
  }

  /** The system's reason in lower case, without Netty's {@code bind(..) failed with error(-98): }. */
  private static String reason(String message) {
    String reason = message.replaceFirst("^bind\\(\\.\\.\\) failed( with error\\(-?\\d+\\))?: ", "");
    return reason.isBlank() ? "bind failed" : reason.toLowerCase(Locale.ROOT);
  }
}
