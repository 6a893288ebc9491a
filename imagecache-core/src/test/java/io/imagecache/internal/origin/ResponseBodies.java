package io.imagecache.internal.origin;

import io.imagecache.internal.fill.SourceResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;

/** Reads origin downloads to the end, as a fill would. */
final class ResponseBodies {
  private ResponseBodies() {}

  /** All bytes of {@code response}'s body; closes the response. */
  static byte[] readAll(SourceResponse response) throws IOException {
    try (response) {
      return readAll(response.body());
    }
  }

  /** All bytes of {@code body} until its end. */
  static byte[] readAll(ReadableByteChannel body) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteBuffer buffer = ByteBuffer.allocate(16 * 1024);
    while (body.read(buffer) >= 0) {
      out.write(buffer.array(), 0, buffer.position());
      buffer.clear();
    }
    return out.toByteArray();
  }
}
