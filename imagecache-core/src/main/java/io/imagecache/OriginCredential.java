package io.imagecache;

import java.io.IOException;
import java.util.Objects;

/**
 * The cache's own credential for its origin, asked for the token to send before each request it
 * makes on its own behalf; a renewing one (e.g. Keystone) obtains a new token when the current
 * one nears its expiry or the origin refused it.
 */
public interface OriginCredential {

  /** The token to send now; may block while a new one is obtained. */
  String token() throws IOException;

  /** The origin answered 401 to {@code token}: the next {@link #token()} should be a new one. */
  default void refused(String token) {}

  /** A token that never changes (the {@code origin-token} option). */
  static OriginCredential fixed(String token) {
    Objects.requireNonNull(token, "token");
    return new OriginCredential() {
      @Override
      public String token() {
        return token;
      }

      @Override
      public String toString() {
        return "fixed origin token";
      }
    };
  }
}
