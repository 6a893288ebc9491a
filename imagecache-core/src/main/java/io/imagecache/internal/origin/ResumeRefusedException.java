package io.imagecache.internal.origin;

import io.imagecache.OriginUnavailableException;

/**
 * A resumed request could not continue the body it was to continue (the image changed: a 200
 * instead of a 206, another validator, another range): the fill fails instead of mixing bytes.
 */
final class ResumeRefusedException extends OriginUnavailableException {
  ResumeRefusedException(String message) {
    super(message);
  }
}
