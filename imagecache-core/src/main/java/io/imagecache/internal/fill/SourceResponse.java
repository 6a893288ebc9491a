package io.imagecache.internal.fill;

import io.imagecache.internal.store.ExpectedContent;
import java.io.Closeable;
import java.io.IOException;
import java.nio.channels.ReadableByteChannel;
import java.util.Objects;

/**
 * An origin's answer for one image: what the bytes must be and the body to read them from.
 *
 * <p>{@link #close()} may be called from another thread while the fill is blocked reading the body
 * (a cancelled fill does so); it should then make the read end, as closing a socket or an
 * interruptible channel does.
 */
public interface SourceResponse extends Closeable {

  /** The size and digests the bytes must have for the fill to commit. */
  ExpectedContent expected();

  /** The body, read once from start to end by the fill's thread. */
  ReadableByteChannel body();

  /** A response over {@code body}, which closing the response closes. */
  static SourceResponse of(ExpectedContent expected, ReadableByteChannel body) {
    Objects.requireNonNull(expected, "expected");
    Objects.requireNonNull(body, "body");
    return new SourceResponse() {
      @Override
      public ExpectedContent expected() {
        return expected;
      }

      @Override
      public ReadableByteChannel body() {
        return body;
      }

      @Override
      public void close() throws IOException {
        body.close();
      }
    };
  }
}
