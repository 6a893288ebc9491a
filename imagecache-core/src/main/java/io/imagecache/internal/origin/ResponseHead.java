package io.imagecache.internal.origin;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;

/** The status line and header fields of an HTTP/1.1 response, parsed from the bytes before the blank line. */
record ResponseHead(int statusCode, HttpHeaders headers) implements HttpResponse.ResponseInfo {
  /** The longest head accepted, as the JDK client's header limit is by default (bytes). */
  static final int MAX_SIZE = 384 << 10;

  /**
   * The head at the start of {@code bytes} (position 0 to limit, as read so far): empty when its
   * blank line has not come yet, else the head, with {@code bytes}' position moved past it.
   */
  static Optional<ResponseHead> parse(ByteBuffer bytes) throws IOException {
    int end = headEnd(bytes);
    if (end < 0) {
      if (bytes.limit() >= MAX_SIZE) {
        throw new IOException("response head longer than " + MAX_SIZE + " bytes");
      }
      return Optional.empty();
    }
    byte[] raw = new byte[end];
    bytes.get(0, raw);
    bytes.position(end);
    String[] lines = new String(raw, StandardCharsets.ISO_8859_1).split("\r?\n");
    String status = lines[0];
    if (!status.startsWith("HTTP/1.") || status.length() < 12 || status.charAt(8) != ' ') {
      throw new IOException("invalid status line: " + printable(status));
    }
    int code;
    try {
      code = Integer.parseInt(status.substring(9, 12));
    } catch (NumberFormatException e) {
      throw new IOException("invalid status line: " + printable(status));
    }
    Map<String, List<String>> fields = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    for (int i = 1; i < lines.length; i++) {
      String line = lines[i];
      if (line.isEmpty()) {
        continue;
      }
      int colon = line.indexOf(':');
      if (colon <= 0 || Character.isWhitespace(line.charAt(0))) {
        throw new IOException("invalid header line: " + printable(line));
      }
      fields.computeIfAbsent(line.substring(0, colon), k -> new ArrayList<>())
          .add(line.substring(colon + 1).strip());
    }
    return Optional.of(new ResponseHead(code, HttpHeaders.of(fields, (name, value) -> true)));
  }

  @Override
  public HttpClient.Version version() {
    return HttpClient.Version.HTTP_1_1;
  }

  /** Whether the body is sent in chunks ({@code Transfer-Encoding} ending in {@code chunked}). */
  boolean chunked() {
    List<String> codings = headers.allValues("Transfer-Encoding");
    return !codings.isEmpty()
        && codings.get(codings.size() - 1).toLowerCase(Locale.ROOT).strip().endsWith("chunked");
  }

  /** {@code Content-Length} when sent and valid; a malformed one is an error, as in the JDK client. */
  OptionalLong contentLength() throws IOException {
    Optional<String> value = headers.firstValue("Content-Length");
    if (value.isEmpty()) {
      return OptionalLong.empty();
    }
    try {
      long length = Long.parseLong(value.get());
      if (length >= 0) {
        return OptionalLong.of(length);
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IOException("invalid Content-Length: " + printable(value.get()));
  }

  /** The offset just past the blank line ending the head, or -1. */
  private static int headEnd(ByteBuffer bytes) {
    int limit = bytes.limit();
    for (int i = 0; i < limit; i++) {
      if (bytes.get(i) == '\n') {
        if (i + 1 < limit && bytes.get(i + 1) == '\n') {
          return i + 2;
        }
        if (i + 2 < limit && bytes.get(i + 1) == '\r' && bytes.get(i + 2) == '\n') {
          return i + 3;
        }
      }
    }
    return -1;
  }

  private static String printable(String text) {
    String cut = text.length() > 80 ? text.substring(0, 80) + "…" : text;
    return cut.replaceAll("[^\\x20-\\x7e]", "?");
  }
}
