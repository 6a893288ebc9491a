package io.imagecache;

import java.io.IOException;

/**
 * The configured driver cannot work with the cache directory or store it was given (e.g. no user
 * extended attributes, an unreachable database); the message says what to change.
 */
public class BadCacheConfigurationException extends IOException {
  public BadCacheConfigurationException(String message, Throwable cause) {
    super(message, cause);
  }
}
