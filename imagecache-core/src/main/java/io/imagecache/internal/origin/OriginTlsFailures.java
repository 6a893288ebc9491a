package io.imagecache.internal.origin;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * TLS failures talking to an origin: the client is told only {@value #MESSAGE}; the log gets the
 * whole failure (certificate path, reason) the first time a failure of that text is seen, one line
 * each time after.
 */
final class OriginTlsFailures {
  /** What a client is told: no certificate details, no class names. */
  static final String MESSAGE = "origin TLS failure";

  private static final Logger log = LoggerFactory.getLogger(OriginTlsFailures.class);
  private static final int REMEMBERED = 100;
  private static final Set<String> LOGGED = Collections.newSetFromMap(
      Collections.synchronizedMap(new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
          return size() > REMEMBERED;
        }
      }));

  private OriginTlsFailures() {}

  /** Whether {@code failure} or one of its causes is a TLS failure. */
  static boolean isTls(Throwable failure) {
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      if (cause instanceof SSLException) {
        return true;
      }
      if (cause.getCause() == cause) {
        break;
      }
    }
    return false;
  }

  /** Logs {@code failure} with {@code origin}: in full once per distinct text, then one line. */
  static void log(String origin, Throwable failure) {
    String text = rootText(failure);
    if (LOGGED.add(origin + " " + text)) {
      log.warn("TLS with {} failed: {}", origin, text, failure);
    } else {
      log.warn("TLS with {} failed: {}", origin, text);
    }
  }

  private static String rootText(Throwable failure) {
    Throwable root = failure;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root == failure ? failure.toString() : failure + " / " + root;
  }
}
