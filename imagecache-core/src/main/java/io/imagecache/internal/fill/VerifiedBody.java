package io.imagecache.internal.fill;

import io.imagecache.ImageId;
import io.imagecache.internal.store.ContentDigest;
import io.imagecache.internal.store.ExpectedContent;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;

/**
 * A body streamed without caching that still never ends cleanly with wrong bytes: it counts and
 * digests what it reads and keeps one chunk in hand, so the last chunk is released only after the
 * source ended and size and digests matched. A mismatch is an {@link IOException} instead, and so
 * is every later read. An origin that sends more than the expected size fails as soon as it does,
 * so no more than the expected size is ever given out.
 *
 * <p>Not thread-safe: one reader at a time, like any channel.
 */
final class VerifiedBody implements ReadableByteChannel {
  private static final int CHUNK = 256 * 1024;

  private final ImageId imageId;
  private final ReadableByteChannel source;
  private final ExpectedContent expected;
  private final List<MessageDigest> digests = new ArrayList<>();
  /** Bytes read from the source but not yet given out; the newest chunk stays here. */
  private ByteBuffer held = ByteBuffer.allocate(CHUNK).flip();
  private ByteBuffer ahead = ByteBuffer.allocate(CHUNK);
  private long count;
  private boolean sourceEnded;
  private boolean verified;
  /** Why verification failed, once it did: every later read fails the same way. */
  private String failure = "";

  VerifiedBody(ImageId imageId, ReadableByteChannel source, ExpectedContent expected) {
    this.imageId = imageId;
    this.source = source;
    this.expected = expected;
    for (ContentDigest digest : expected.digests()) {
      digests.add(digest.algorithm().newMessageDigest());
    }
  }

  @Override
  public int read(ByteBuffer dst) throws IOException {
    if (!failure.isEmpty()) {
      throw new IOException(failure);
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
    for (MessageDigest digest : digests) {
      digest.update(fresh.duplicate());
    }
    count += read;
    if (expected.size().isPresent() && count > expected.size().getAsLong()) {
      fail("origin sent at least " + count + " bytes, expected " + expected.size().getAsLong());
    }
  }

  private void verify() throws IOException {
    if (verified) {
      return;
    }
    if (expected.size().isPresent() && expected.size().getAsLong() != count) {
      fail("origin sent " + count + " bytes, expected " + expected.size().getAsLong());
    }
    List<ContentDigest> wanted = expected.digests();
    for (int i = 0; i < wanted.size(); i++) {
      ContentDigest actual = ContentDigest.of(wanted.get(i).algorithm(), digests.get(i).digest());
      if (!actual.equals(wanted.get(i))) {
        fail(wanted.get(i).algorithm().glanceName() + " digest mismatch, expected "
            + wanted.get(i).hex() + ", got " + actual.hex());
      }
    }
    verified = true;
  }

  /** Records why the body is wrong and throws; {@link MessageDigest#digest} cannot run twice. */
  private void fail(String reason) throws IOException {
    failure = "image " + imageId + ": " + reason;
    throw new IOException(failure);
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
