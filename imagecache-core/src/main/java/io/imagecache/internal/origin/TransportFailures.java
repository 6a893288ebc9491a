package io.imagecache.internal.origin;

import io.imagecache.Durations;
import io.imagecache.OriginUnavailableException;
import io.imagecache.internal.Throwables;
import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import javax.net.ssl.SSLException;

/**
 * Words a request to an origin that failed before a response by its real cause: an unknown host,
 * a refused connection, a timeout, a TLS failure. The JDK client reports an unknown host as a
 * {@link ConnectException} with an {@link UnresolvedAddressException} inside, and a TLS failure
 * during the connect as a connect failure, so the cause chain decides, not the outer type.
 */
final class TransportFailures {
  private TransportFailures() {}

  /** The failure of the request to {@code uri} of origin {@code name}, with its cause kept. */
  static OriginUnavailableException describe(
      String name, URI uri, OriginSettings settings, IOException failure) {
    return new OriginUnavailableException(text(name, uri, settings, failure), failure);
  }

  private static String text(String name, URI uri, OriginSettings settings, IOException failure) {
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      if (cause instanceof UnresolvedAddressException || cause instanceof UnknownHostException) {
        return "could not connect to " + name + ": unknown host " + uri.getHost();
      }
      if (cause instanceof SSLException) {
        // Certificate paths and provider classes go to the log, never to a client.
        OriginTlsFailures.log(name, failure);
        return OriginTlsFailures.MESSAGE + " (" + name + ")";
      }
      if (cause.getCause() == cause) {
        break;
      }
    }
    if (failure instanceof HttpConnectTimeoutException) {
      return "could not connect to " + name + " within "
          + Durations.format(settings.connectTimeout()) + " (timed out)";
    }
    if (failure instanceof HttpTimeoutException) {
      return name + " sent no response within " + Durations.format(settings.firstByteTimeout());
    }
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      if (cause instanceof NoRouteToHostException) {
        return "could not connect to " + name + ": no route to host " + uri.getHost();
      }
      if (cause.getCause() == cause) {
        break;
      }
    }
    if (failure instanceof ConnectException) {
      // The JDK client retries a refused connect once and reports the retry's closed channel.
      return "could not connect to " + name + ": connection refused";
    }
    return "request to " + name + " failed: " + Throwables.describe(failure);
  }
}
