package io.imagecache;

import java.io.IOException;

/**
 * The origin could not deliver: it is unreachable, timed out, answered with an error status other
 * than 401/403/404, or sent a response that cannot be trusted (malformed headers or metadata).
 */
public class OriginUnavailableException extends IOException {
  public OriginUnavailableException(String message) {
    super(message);
  }

  public OriginUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
