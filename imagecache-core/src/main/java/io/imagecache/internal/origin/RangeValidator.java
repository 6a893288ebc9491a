package io.imagecache.internal.origin;

import java.net.http.HttpHeaders;
import java.util.Optional;

/**
 * Whether a response can be resumed with a range request, and with which {@code If-Range} value:
 * it needs {@code Accept-Ranges: bytes} and a strong {@code ETag} (preferred) or a
 * {@code Last-Modified}. Without one a resumed range could mix two versions of the image.
 */
final class RangeValidator {
  private RangeValidator() {}

  /** The {@code If-Range} value for resuming the response with {@code headers}, if it can be resumed. */
  static Optional<String> of(HttpHeaders headers) {
    boolean ranges = headers.allValues("Accept-Ranges").stream()
        .flatMap(value -> java.util.Arrays.stream(value.split(",")))
        .anyMatch(unit -> unit.strip().equalsIgnoreCase("bytes"));
    if (!ranges) {
      return Optional.empty();
    }
    Optional<String> etag = headers.firstValue("ETag").map(String::strip)
        .filter(value -> value.startsWith("\"") && value.endsWith("\"") && value.length() >= 2);
    if (etag.isPresent()) {
      return etag;
    }
    return headers.firstValue("Last-Modified").map(String::strip).filter(value -> !value.isEmpty());
  }
}
