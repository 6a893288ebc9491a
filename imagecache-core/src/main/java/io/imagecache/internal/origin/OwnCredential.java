package io.imagecache.internal.origin;

import io.imagecache.OriginAccessDeniedException;
import io.imagecache.OriginConfig;
import java.io.IOException;
import java.util.Optional;

/** Sends a request with the cache's own token and, after a 401, once more with a renewed one. */
final class OwnCredential {
  /** One request sent with {@code token} (empty: none configured). */
  @FunctionalInterface
  interface Send<T> {
    T send(Optional<String> token) throws IOException;
  }

  private OwnCredential() {}

  static <T> T send(Optional<OriginConfig.Credential> credential, Send<T> send) throws IOException {
    if (credential.isEmpty()) {
      return send.send(Optional.empty());
    }
    String token = token(credential.get());
    try {
      return send.send(Optional.of(token));
    } catch (OriginAccessDeniedException e) {
      if (e.reason() != OriginAccessDeniedException.Reason.UNAUTHENTICATED) {
        throw e;
      }
      credential.get().refused(token);
      return send.send(Optional.of(token(credential.get())));
    }
  }

  private static String token(OriginConfig.Credential credential) throws IOException {
    try {
      return HeaderValues.requireToken("the cache's origin token", credential.token());
    } catch (IllegalArgumentException e) {
      throw new IOException(e.getMessage(), e);
    }
  }
}
