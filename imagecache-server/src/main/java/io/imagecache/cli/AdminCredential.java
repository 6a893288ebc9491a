package io.imagecache.cli;

import java.util.Objects;

/**
 * The admin token a client sends, and where it came from, for the hint after a 401 or 403.
 *
 * @param token the token, visible ASCII without spaces
 * @param source {@code --token}, the environment variable or the token file it came from
 */
record AdminCredential(String token, String source) {

  AdminCredential {
    Objects.requireNonNull(token, "token");
    Objects.requireNonNull(source, "source");
    if (!ServeSettings.isValidToken(token)) {
      throw new IllegalArgumentException("admin token must be non-empty visible ASCII");
    }
  }

  /** The token from {@code source}, or a usage failure naming the source if it is no token. */
  static AdminCredential of(String token, String source) throws ClientFailure {
    String stripped = token.strip();
    if (!ServeSettings.isValidToken(stripped)) {
      throw ClientFailure.usage("invalid admin token from " + source
          + ": expected visible ASCII without spaces (it is sent in a header)");
    }
    return new AdminCredential(stripped, source);
  }

  @Override
  public String toString() {
    return "AdminCredential[source=" + source + "]";
  }
}
