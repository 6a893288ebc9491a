package io.imagecache.server;

import java.util.Locale;
import java.util.Optional;

/**
 * What {@code DELETE /v2/cache} clears, from the {@code x-image-cache-clear-target} header
 * (case-insensitive): {@code cache}, {@code queue}, or both when the header is absent, empty or
 * {@code both}. Glance refuses {@code both} although its documentation lists it; we accept it.
 */
enum ClearTarget {
  CACHE, QUEUE, BOTH;

  static final String HEADER = "x-image-cache-clear-target";

  /** The target the header names; {@link IllegalArgumentException} for any other value. */
  static ClearTarget parse(Optional<String> header) {
    String value = header.map(text -> text.strip().toLowerCase(Locale.ROOT)).orElse("");
    return switch (value) {
      case "", "both" -> BOTH;
      case "cache" -> CACHE;
      case "queue" -> QUEUE;
      default -> throw new IllegalArgumentException(
          "If provided 'x-image-cache-clear-target' must be 'cache', 'queue', 'both' or empty"
              + " string.");
    };
  }

  boolean clearsCache() {
    return this != QUEUE;
  }

  boolean clearsQueue() {
    return this != CACHE;
  }
}
