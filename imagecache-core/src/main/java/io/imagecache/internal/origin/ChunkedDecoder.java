package io.imagecache.internal.origin;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Takes the HTTP/1.1 chunked framing off a body as its raw bytes arrive: sizes, data, the CRLF
 * after each chunk, the last chunk and the trailer. One reader thread.
 */
final class ChunkedDecoder {
  /** The longest chunk-size or trailer line accepted. */
  static final int MAX_LINE = 8 << 10;

  private enum Step { SIZE, DATA, DATA_END, TRAILER, DONE }

  private Step step = Step.SIZE;
  /** Data bytes of the current chunk not given out yet. */
  private long chunkLeft;

  /**
   * Moves data from {@code raw} (readable from position to limit) to {@code dst}: returns how many
   * bytes moved, 0 when {@code raw} holds no complete next piece (read more into it), -1 once the
   * last chunk and the trailer were read.
   */
  int decode(ByteBuffer raw, ByteBuffer dst) throws IOException {
    while (true) {
      switch (step) {
        case SIZE -> {
          String line = line(raw);
          if (line == null) {
            return 0;
          }
          chunkLeft = size(line);
          step = chunkLeft == 0 ? Step.TRAILER : Step.DATA;
        }
        case DATA -> {
          int n = (int) Math.min(chunkLeft, Math.min(raw.remaining(), dst.remaining()));
          if (n == 0) {
            return 0;
          }
          dst.put(raw.slice(raw.position(), n));
          raw.position(raw.position() + n);
          chunkLeft -= n;
          if (chunkLeft == 0) {
            step = Step.DATA_END;
          }
          return n;
        }
        case DATA_END -> {
          String line = line(raw);
          if (line == null) {
            return 0;
          }
          if (!line.isEmpty()) {
            throw new IOException("chunked body: no CRLF after a chunk's data");
          }
          step = Step.SIZE;
        }
        case TRAILER -> {
          String line = line(raw);
          if (line == null) {
            return 0;
          }
          if (line.isEmpty()) {
            step = Step.DONE;
          }
        }
        default -> {
          return -1;
        }
      }
    }
  }

  /** Whether the last chunk and the trailer were read. */
  boolean done() {
    return step == Step.DONE;
  }

  private static long size(String line) throws IOException {
    int end = line.indexOf(';');
    String hex = (end < 0 ? line : line.substring(0, end)).strip();
    try {
      long size = Long.parseLong(hex, 16);
      if (size >= 0 && !hex.isEmpty() && hex.charAt(0) != '+' && hex.charAt(0) != '-') {
        return size;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IOException("chunked body: invalid chunk size " + hex.replaceAll("[^\\x20-\\x7e]", "?"));
  }

  /** The next line of {@code raw} without its line end, or null (raw unchanged) when incomplete. */
  private static String line(ByteBuffer raw) throws IOException {
    int start = raw.position();
    for (int i = start; i < raw.limit(); i++) {
      if (raw.get(i) == '\n') {
        int end = i > start && raw.get(i - 1) == '\r' ? i - 1 : i;
        byte[] bytes = new byte[end - start];
        raw.get(start, bytes);
        raw.position(i + 1);
        return new String(bytes, StandardCharsets.ISO_8859_1);
      }
      if (i - start >= MAX_LINE) {
        throw new IOException("chunked body: line longer than " + MAX_LINE + " bytes");
      }
    }
    return null;
  }
}
