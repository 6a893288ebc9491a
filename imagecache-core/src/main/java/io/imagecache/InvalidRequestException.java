package io.imagecache;

/**
 * A caller's request the cache cannot act on as given, such as a credential that cannot be sent
 * in a header: the caller's fault, unlike any other {@link IllegalArgumentException} of the core.
 */
public final class InvalidRequestException extends IllegalArgumentException {
  public InvalidRequestException(String message) {
    super(message);
  }
}
