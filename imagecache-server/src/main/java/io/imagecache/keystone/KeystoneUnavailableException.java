package io.imagecache.keystone;

import java.io.IOException;

/** Keystone could not be asked (unreachable, timed out) or answered with a server error. */
public final class KeystoneUnavailableException extends IOException {
  KeystoneUnavailableException(String message) {
    super(message);
  }

  KeystoneUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
