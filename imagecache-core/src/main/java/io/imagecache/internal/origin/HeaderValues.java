package io.imagecache.internal.origin;

/** Checks for credentials that are sent in HTTP headers. */
final class HeaderValues {
  private HeaderValues() {}

  /**
   * Returns {@code token} if it is 1 to 8192 visible ASCII characters (no spaces, no control
   * characters), which every token scheme we forward fits; throws {@link IllegalArgumentException}
   * naming {@code what} otherwise, without echoing the secret.
   */
  static String requireToken(String what, String token) {
    if (token == null || token.isEmpty()) {
      throw new IllegalArgumentException(what + " is empty");
    }
    if (token.length() > 8192) {
      throw new IllegalArgumentException(what + " is longer than 8192 characters");
    }
    for (int i = 0; i < token.length(); i++) {
      char c = token.charAt(i);
      if (c <= 0x20 || c >= 0x7f) {
        throw new IllegalArgumentException(
            what + " may contain only visible ASCII characters (found one at position " + i + ")");
      }
    }
    return token;
  }
}
