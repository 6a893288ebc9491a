package io.imagecache.internal.origin;

import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A parser for RFC 8941 structured-field dictionaries, just enough for {@code Repr-Digest}: it
 * returns each member's key with its value when that is a byte sequence ({@code :base64:}); other
 * item values (tokens, strings, numbers, booleans) and parameters are parsed and skipped. Inner lists
 * and any syntax error throw {@link IllegalArgumentException}.
 */
final class StructuredDictionary {
  private final String text;
  private int pos;

  StructuredDictionary(String text) {
    this.text = text;
  }

  /** The members in order: key and, when the value is a byte sequence, its decoded bytes. */
  List<Map.Entry<String, Optional<byte[]>>> byteSequences() {
    List<Map.Entry<String, Optional<byte[]>>> members = new ArrayList<>();
    skipSpaces();
    if (pos == text.length()) {
      return members;
    }
    while (true) {
      String key = key();
      Optional<byte[]> value = Optional.empty();
      if (peek() == '=') {
        pos++;
        value = bareItem();
      }
      parameters();
      members.add(Map.entry(key, value));
      skipSpaces();
      if (pos == text.length()) {
        return members;
      }
      expect(',');
      skipSpaces();
      if (pos == text.length()) {
        throw fail("trailing comma");
      }
    }
  }

  private String key() {
    int start = pos;
    char first = peek();
    if (!(first >= 'a' && first <= 'z') && first != '*') {
      throw fail("expected a key");
    }
    pos++;
    while (pos < text.length()) {
      char c = text.charAt(pos);
      if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.' || c == '*') {
        pos++;
      } else {
        break;
      }
    }
    return text.substring(start, pos);
  }

  /** Parses one bare item; returns its bytes when it is a byte sequence. */
  private Optional<byte[]> bareItem() {
    char c = peek();
    if (c == ':') {
      pos++;
      int end = text.indexOf(':', pos);
      if (end < 0) {
        throw fail("unterminated byte sequence");
      }
      String base64 = text.substring(pos, end);
      pos = end + 1;
      if (!base64.chars().allMatch(ch -> isAsciiAlphanumeric(ch) || ch == '+' || ch == '/' || ch == '=')) {
        throw fail("invalid base64");
      }
      return Optional.of(Base64.getDecoder().decode(base64));
    }
    if (c == '"') {
      pos++;
      while (pos < text.length() && text.charAt(pos) != '"') {
        pos += text.charAt(pos) == '\\' ? 2 : 1;
      }
      expect('"');
      return Optional.empty();
    }
    if (c == '?' || c == '-' || isAsciiAlphanumeric(c) || c == '*') {
      pos++;
      while (pos < text.length() && isTokenChar(text.charAt(pos))) {
        pos++;
      }
      return Optional.empty();
    }
    throw fail("unsupported value");
  }

  private static boolean isTokenChar(char c) {
    return isAsciiAlphanumeric(c) || "!#$%&'*+-.^_`|~:/".indexOf(c) >= 0;
  }

  private static boolean isAsciiAlphanumeric(int c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
  }

  private void parameters() {
    while (peek() == ';') {
      pos++;
      while (peek() == ' ') {
        pos++;
      }
      key();
      if (peek() == '=') {
        pos++;
        bareItem();
      }
    }
  }

  private void skipSpaces() {
    while (pos < text.length() && (text.charAt(pos) == ' ' || text.charAt(pos) == '\t')) {
      pos++;
    }
  }

  private char peek() {
    return pos < text.length() ? text.charAt(pos) : '\0';
  }

  private void expect(char c) {
    if (peek() != c) {
      throw fail("expected '" + c + "'");
    }
    pos++;
  }

  private IllegalArgumentException fail(String reason) {
    return new IllegalArgumentException(reason + " at position " + pos + " of \"" + text + "\"");
  }
}
