package io.imagecache.internal.store;

import io.imagecache.CacheStoreException;

/**
 * The metadata store does not answer for now (a PostgreSQL database away) and has no answer of
 * its own to give: the files on disk are still there, so a read serves them without an entry.
 */
public final class StoreUnavailableException extends CacheStoreException {
  public StoreUnavailableException(String message) {
    super(message, null);
  }
}
