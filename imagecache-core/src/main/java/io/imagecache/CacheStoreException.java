package io.imagecache;

import java.io.IOException;

/** The metadata store (SQLite, PostgreSQL, extended attributes) failed an operation. */
public class CacheStoreException extends IOException {
  public CacheStoreException(String message, Throwable cause) {
    super(message, cause);
  }
}
