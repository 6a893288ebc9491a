package io.imagecache.server;

import io.netty.channel.ConnectTimeoutException;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.PrematureChannelClosureException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.nio.channels.ClosedChannelException;
import javax.net.ssl.SSLException;

/** The short reason, for a person, why the Glance origin could not be reached. */
final class ProxyFailureReason {
  private ProxyFailureReason() {}

  /** What went wrong talking to {@code authority}, e.g. "connection to glance:9292 refused". */
  static String describe(Throwable failure, String authority) {
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      if (cause instanceof UnknownHostException) {
        return "unknown host " + hostOf(authority);
      }
      if (cause instanceof ConnectTimeoutException) {
        return "connection to " + authority + " timed out";
      }
      if (cause instanceof NoRouteToHostException) {
        return "no route to " + authority;
      }
      if (cause instanceof ConnectException) {
        return "connection to " + authority + " refused";
      }
      if (cause instanceof SSLException) {
        // The certificate details stay in the log (see isTls): no internals for the client.
        return "origin TLS failure with " + authority;
      }
      if (cause instanceof PrematureChannelClosureException
          || cause instanceof ClosedChannelException) {
        return "connection to " + authority + " closed before a response";
      }
    }
    if (failure instanceof DecoderException) {
      return "invalid response from " + authority + " (" + failure.getMessage() + ")";
    }
    return failure.getClass().getSimpleName() + " talking to " + authority
        + (failure.getMessage() == null ? "" : " (" + failure.getMessage() + ")");
  }

  /** Whether {@code failure} or a cause of it is a TLS failure (a certificate, a handshake). */
  static boolean isTls(Throwable failure) {
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      if (cause instanceof SSLException) {
        return true;
      }
    }
    return false;
  }

  private static String hostOf(String authority) {
    int colon = authority.lastIndexOf(':');
    return colon > authority.lastIndexOf(']') ? authority.substring(0, colon) : authority;
  }
}
