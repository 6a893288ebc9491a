package io.imagecache.internal.origin;

import java.io.IOException;

/** An origin body went on past its expected size: wrong content, never resumed. */
final class BodyTooLongException extends IOException {
  BodyTooLongException(String message) {
    super(message);
  }
}
