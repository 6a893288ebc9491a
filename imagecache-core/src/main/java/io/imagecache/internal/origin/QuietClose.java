package io.imagecache.internal.origin;

import java.io.Closeable;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Closes a body or an answer that is being given up (broken, superseded or stopped): a failure to
 * close it changes nothing for the caller, so it is only logged at debug.
 */
final class QuietClose {
  private static final Logger LOG = LoggerFactory.getLogger(QuietClose.class);

  private QuietClose() {}

  /** Closes {@code closeable}, logging a failure (at debug) as closing {@code what}. */
  static void close(Closeable closeable, String what) {
    try {
      closeable.close();
    } catch (IOException e) {
      LOG.debug("closing {} failed", what, e);
    }
  }
}
