package io.imagecache.internal.fill;

import io.imagecache.ImageId;
import io.imagecache.internal.store.ContentCheck;
import io.imagecache.internal.store.ContentDigest;
import io.imagecache.internal.store.ContentMismatchException;
import io.imagecache.internal.store.DigestAlgorithm;
import io.imagecache.internal.store.ExpectedContent;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.security.MessageDigest;
import java.util.EnumMap;
import java.util.Map;

/**
 * A body streamed without caching that still never ends cleanly with wrong bytes: it counts and
 * digests what it reads and keeps one chunk in hand, so the last chunk is released only after the
 * source ended and size and digests matched ({@link ContentCheck}, as a fill's writer checks). A
 * mismatch is a {@link ContentMismatchException} instead, and so is every later read. An origin
 * that sends more than the expected size fails as soon as it does, so no more than the expected
 * size is ever given out.
 *
 * <p>Not thread-safe: one reader at a time, like any channel.
 */
final class VerifiedBody implements ReadableByteChannel {
  private static final int CHUNK = 256 * 1024;

  private final ImageId imageId;
  private final ReadableByteChannel source;
  private final ExpectedContent expected;
  private final Map<DigestAlgorithm, MessageDigest> digests = new EnumMap<>(DigestAlgorithm.class);
  /** Bytes read from the source but not yet given out; the newest chunk stays here. */
  private ByteBuffer held = ByteBuffer.allocate(CHUNK).flip();
  private ByteBuffer ahead = ByteBuffer.allocate(CHUNK);
  private long count;
  private boolean sourceEnded;
  private boolean verified;
  /** Why verification failed, once it did: every later read fails the same way. */
  private ContentMismatchException failure;

  VerifiedBody(ImageId imageId, ReadableByteChannel source, ExpectedContent expected) {
    this.imageId = imageId;
    this.source = source;
    this.expected = expected;
    for (ContentDigest digest : expected.digests()) {
      digests.put(digest.algorithm(), digest.algorithm().newMessageDigest());
    }
  }

  @Override
  public int read(ByteBuffer dst) throws IOException {
    if (failure != null) {
      throw new ContentMismatchException(imageId, failure.kind(), failure.reason());
    }
    while (true) {
      if (held.hasRemaining()) {
        if (ahead.position() > 0 || verified) {
          return copy(held, dst);
        }
      } else if (ahead.position() > 0) {
        ByteBuffer empty = held.clear();
        held = ahead.flip();
        ahead = empty;
        continue;
      }
      if (sourceEnded) {
        verify();
        if (held.hasRemaining()) {
          continue;
        }
        return -1;
      }
      readAhead();
    }
  }

  /** Reads from the source into {@code ahead}, which is empty whenever this is called. */
  private void readAhead() throws IOException {
    int read = source.read(ahead);
    if (read < 0) {
      sourceEnded = true;
      return;
    }
    ByteBuffer fresh = ahead.duplicate().flip();
    for (MessageDigest digest : digests.values()) {
      digest.update(fresh.duplicate());
    }
    count += read;
    try {
      ContentCheck.checkNotTooLong(imageId, expected, count);
    } catch (ContentMismatchException e) {
      throw failure = e;
    }
  }

  private void verify() throws IOException {
    if (verified) {
      return;
    }
    Map<DigestAlgorithm, byte[]> computed = new EnumMap<>(DigestAlgorithm.class);
    digests.forEach((algorithm, digest) -> computed.put(algorithm, digest.digest()));
    try {
      ContentCheck.verify(imageId, expected, count, computed);
    } catch (ContentMismatchException e) {
      // Kept for every later read: MessageDigest.digest() cannot run twice.
      throw failure = e;
    }
    verified = true;
  }

  private static int copy(ByteBuffer from, ByteBuffer to) {
    int n = Math.min(from.remaining(), to.remaining());
    ByteBuffer slice = from.slice().limit(n);
    to.put(slice);
    from.position(from.position() + n);
    return n;
  }

  @Override
  public boolean isOpen() {
    return source.isOpen();
  }

  @Override
  public void close() throws IOException {
    source.close();
  }
}
