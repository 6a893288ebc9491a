package io.imagecache.internal.fill;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.imagecache.ImageId;
import io.imagecache.internal.store.ContentDigest;
import io.imagecache.internal.store.ContentMismatchException;
import io.imagecache.internal.store.DigestAlgorithm;
import io.imagecache.internal.store.ExpectedContent;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ReadableByteChannel;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalLong;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class VerifiedBodyTest {
  private static final int CHUNK = 256 * 1024;
  private static final ImageId ID = ImageId.of("img");

  @Test
  void anEmptyBodyWithNothingExpectedEndsAtOnce() throws IOException {
    VerifiedBody body = new VerifiedBody(ID, source(new byte[0]), ExpectedContent.unknown());

    assertThat(body.read(ByteBuffer.allocate(100))).isEqualTo(-1);
    assertThat(body.read(ByteBuffer.allocate(100))).isEqualTo(-1);
  }

  @Test
  void anEmptyBodyMatchingSizeAndDigestsEnds() throws IOException {
    VerifiedBody body = new VerifiedBody(ID, source(new byte[0]), expecting(new byte[0]));

    assertThat(readAll(body, 100)).isEmpty();
  }

  @Test
  void anEmptyBodyWhereBytesWereExpectedFailsWithTheCounts() {
    VerifiedBody body = new VerifiedBody(ID, source(new byte[0]), expecting(bytes(10)));

    assertThatThrownBy(() -> body.read(ByteBuffer.allocate(100)))
        .isInstanceOf(IOException.class)
        .isInstanceOf(ContentMismatchException.class)
        .hasMessage("image img: size mismatch: expected 10 bytes, received 0");
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 1000, CHUNK - 1, CHUNK, CHUNK + 1, 3 * CHUNK + 12345})
  void aMatchingBodyGivesEveryByteInOrderThenEndsTwice(int size) throws IOException {
    byte[] data = bytes(size);
    VerifiedBody body = new VerifiedBody(ID, source(data), expecting(data));

    assertSameBytes(data, readAll(body, CHUNK));
    assertThat(body.read(ByteBuffer.allocate(CHUNK))).isEqualTo(-1);
  }

  @Test
  void aBodyWithNothingExpectedGivesWhateverTheSourceSent() throws IOException {
    byte[] data = bytes(2 * CHUNK + 7);
    VerifiedBody body = new VerifiedBody(ID, source(data), ExpectedContent.unknown());

    assertSameBytes(data, readAll(body, CHUNK));
  }

  @Test
  void aCallerBufferSmallerThanAChunkStillGetsEverythingInOrder() throws IOException {
    byte[] data = bytes(2 * CHUNK + 4321);
    VerifiedBody body = new VerifiedBody(ID, source(data), expecting(data));

    assertSameBytes(data, readAll(body, 1000));
  }

  @Test
  void aSourceGivingOddSmallPiecesIsReassembledInOrder() throws IOException {
    byte[] data = bytes(50_000);
    VerifiedBody body = new VerifiedBody(ID, new PiecewiseChannel(data, 1, 7), expecting(data));

    assertSameBytes(data, readAll(body, 4096));
  }

  @Test
  void aSourceThatSometimesReadsNothingIsReadAgain() throws IOException {
    byte[] data = bytes(10_000);
    VerifiedBody body = new VerifiedBody(ID, new PiecewiseChannel(data, 0, 3), expecting(data));

    assertSameBytes(data, readAll(body, 512));
  }

  @Test
  void aSourceFillingEveryBufferExactlyIsVerifiedAtItsEnd() throws IOException {
    byte[] data = bytes(4 * CHUNK);
    PiecewiseChannel source = new PiecewiseChannel(data, Integer.MAX_VALUE, Integer.MAX_VALUE);
    VerifiedBody body = new VerifiedBody(ID, source, expecting(data));

    assertSameBytes(data, readAll(body, CHUNK));
    assertThat(source.largestRead).isEqualTo(CHUNK);
  }

  @Test
  void aWrongMd5HoldsBackTheLastChunkAndFailsNamingTheAlgorithm() {
    byte[] data = bytes(3 * CHUNK + 100);
    ContentDigest wrong = digest(DigestAlgorithm.MD5, bytes(5));
    ExpectedContent expected = new ExpectedContent(OptionalLong.of(data.length), List.of(wrong,
        digest(DigestAlgorithm.SHA_512, data)));
    VerifiedBody body = new VerifiedBody(ID, source(data), expected);

    Outcome outcome = readUntilFailure(body, CHUNK);

    assertThat(outcome.failure()).hasMessage("image img: md5 mismatch: expected "
        + wrong.hex() + ", computed " + digest(DigestAlgorithm.MD5, data).hex());
    assertSameBytes(Arrays.copyOf(data, 3 * CHUNK), outcome.delivered());
  }

  @Test
  void aWrongSha512FailsNamingItAfterTheMd5Matched() {
    byte[] data = bytes(CHUNK + 1);
    ContentDigest wrong = digest(DigestAlgorithm.SHA_512, bytes(5));
    ExpectedContent expected = new ExpectedContent(OptionalLong.empty(),
        List.of(digest(DigestAlgorithm.MD5, data), wrong));
    VerifiedBody body = new VerifiedBody(ID, source(data), expected);

    Outcome outcome = readUntilFailure(body, CHUNK);

    assertThat(outcome.failure()).hasMessage("image img: sha512 mismatch: expected "
        + wrong.hex() + ", computed " + digest(DigestAlgorithm.SHA_512, data).hex());
    assertSameBytes(Arrays.copyOf(data, CHUNK), outcome.delivered());
  }

  @Test
  void aWrongDigestOfABodySmallerThanAChunkGivesNothing() {
    byte[] data = bytes(1000);
    ExpectedContent expected = new ExpectedContent(OptionalLong.empty(),
        List.of(digest(DigestAlgorithm.MD5, bytes(999))));
    VerifiedBody body = new VerifiedBody(ID, source(data), expected);

    Outcome outcome = readUntilFailure(body, CHUNK);

    assertThat(outcome.failure()).hasMessageStartingWith("image img: md5 mismatch");
    assertThat(outcome.delivered()).isEmpty();
  }

  @Test
  void aWrongDigestOverSmallPiecesGivesOnlyAPrefixAndNeverEnds() {
    byte[] data = bytes(20_000);
    ExpectedContent expected = new ExpectedContent(OptionalLong.empty(),
        List.of(digest(DigestAlgorithm.MD5, bytes(1))));
    VerifiedBody body = new VerifiedBody(ID, new PiecewiseChannel(data, 1, 7), expected);

    Outcome outcome = readUntilFailure(body, 4096);

    assertThat(outcome.failure()).hasMessageStartingWith("image img: md5 mismatch");
    assertThat(outcome.delivered().length).isBetween(data.length - 7, data.length - 1);
    assertSameBytes(Arrays.copyOf(data, outcome.delivered().length), outcome.delivered());
  }

  @Test
  void everyReadAfterAMismatchFailsTheSameWay() {
    byte[] data = bytes(100);
    // The wrong digest is the MD5 of nothing, which a spent MessageDigest would report next time.
    ExpectedContent expected = new ExpectedContent(OptionalLong.empty(),
        List.of(digest(DigestAlgorithm.MD5, new byte[0])));
    VerifiedBody body = new VerifiedBody(ID, source(data), expected);
    String message = "image img: md5 mismatch: expected d41d8cd98f00b204e9800998ecf8427e,"
        + " computed " + digest(DigestAlgorithm.MD5, data).hex();

    for (int i = 0; i < 3; i++) {
      assertThatThrownBy(() -> body.read(ByteBuffer.allocate(CHUNK)))
          .isInstanceOf(ContentMismatchException.class)
          .hasMessage(message);
    }
  }

  @Test
  void aBodyShorterThanTheExpectedSizeFailsWithTheCounts() {
    byte[] data = bytes(CHUNK + 10);
    ExpectedContent expected = new ExpectedContent(OptionalLong.of(CHUNK + 11), List.of());
    VerifiedBody body = new VerifiedBody(ID, source(data), expected);

    Outcome outcome = readUntilFailure(body, CHUNK);

    assertThat(outcome.failure())
        .isInstanceOf(ContentMismatchException.class)
        .hasMessage("image img: size mismatch: expected " + (CHUNK + 11) + " bytes, received "
            + (CHUNK + 10));
    assertSameBytes(Arrays.copyOf(data, CHUNK), outcome.delivered());
  }

  @Test
  void aBodyLongerThanTheExpectedSizeFailsWithoutGivingMoreThanThatSize() {
    byte[] data = bytes(3 * CHUNK);
    ExpectedContent expected = new ExpectedContent(OptionalLong.of(CHUNK + 5), List.of());
    VerifiedBody body = new VerifiedBody(ID, source(data), expected);

    Outcome outcome = readUntilFailure(body, CHUNK);

    assertThat(outcome.failure()).hasMessage(
        "image img: size mismatch: expected " + (CHUNK + 5) + " bytes, received at least "
            + 2 * CHUNK);
    // The first chunk was still held when the second showed the origin overran.
    assertThat(outcome.delivered()).isEmpty();
  }

  @Test
  void aBodyOneByteLongerThanExpectedFailsAtTheReadThatBringsIt() {
    byte[] data = bytes(1001);
    ExpectedContent expected = new ExpectedContent(OptionalLong.of(1000),
        List.of(digest(DigestAlgorithm.MD5, Arrays.copyOf(data, 1000))));
    VerifiedBody body = new VerifiedBody(ID, new PiecewiseChannel(data, 1, 7), expected);

    Outcome outcome = readUntilFailure(body, 100);

    assertThat(outcome.failure())
        .hasMessage("image img: size mismatch: expected 1000 bytes, received at least 1001");
    assertThat(outcome.delivered().length).isLessThan(1000);
  }

  @Test
  void anOriginThatNeverStopsFailsOncePastTheExpectedSize() {
    EndlessChannel endless = new EndlessChannel();
    ExpectedContent expected = new ExpectedContent(OptionalLong.of(10 * CHUNK), List.of());
    VerifiedBody body = new VerifiedBody(ID, endless, expected);

    Outcome outcome = readUntilFailure(body, CHUNK);

    assertThat(outcome.failure()).hasMessage(
        "image img: size mismatch: expected " + 10 * CHUNK + " bytes, received at least "
            + 11 * CHUNK);
    // The tenth chunk is still held when the eleventh arrives and shows the origin overran.
    assertThat(outcome.delivered()).hasSize(9 * CHUNK);
    assertThat(endless.sent).isEqualTo(11 * CHUNK);
  }

  @Test
  void closingTheBodyClosesTheSource() throws IOException {
    ReadableByteChannel source = source(bytes(10));
    VerifiedBody body = new VerifiedBody(ID, source, ExpectedContent.unknown());
    assertThat(body.isOpen()).isTrue();

    body.close();

    assertThat(source.isOpen()).isFalse();
    assertThat(body.isOpen()).isFalse();
  }

  private static ReadableByteChannel source(byte[] data) {
    return Channels.newChannel(new ByteArrayInputStream(data));
  }

  private static byte[] bytes(int size) {
    byte[] data = new byte[size];
    new Random(size).nextBytes(data);
    return data;
  }

  private static ContentDigest digest(DigestAlgorithm algorithm, byte[] data) {
    return ContentDigest.of(algorithm, algorithm.newMessageDigest().digest(data));
  }

  private static ExpectedContent expecting(byte[] data) {
    return new ExpectedContent(OptionalLong.of(data.length),
        List.of(digest(DigestAlgorithm.MD5, data), digest(DigestAlgorithm.SHA_512, data)));
  }

  /** Compares lengths and the first differing index rather than printing megabytes. */
  private static void assertSameBytes(byte[] expected, byte[] actual) {
    assertThat(actual.length).as("length").isEqualTo(expected.length);
    assertThat(Arrays.mismatch(expected, actual)).as("first differing index").isEqualTo(-1);
  }

  /** Reads to the end, which must come, through a buffer of {@code bufferSize} bytes. */
  private static byte[] readAll(ReadableByteChannel body, int bufferSize) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteBuffer buffer = ByteBuffer.allocate(bufferSize);
    while (body.read(buffer.clear()) >= 0) {
      out.write(buffer.array(), 0, buffer.position());
    }
    return out.toByteArray();
  }

  /** What a reader got before the failure it must meet instead of an end. */
  private record Outcome(byte[] delivered, IOException failure) {}

  private static Outcome readUntilFailure(ReadableByteChannel body, int bufferSize) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteBuffer buffer = ByteBuffer.allocate(bufferSize);
    try {
      while (body.read(buffer.clear()) >= 0) {
        out.write(buffer.array(), 0, buffer.position());
      }
    } catch (IOException e) {
      return new Outcome(out.toByteArray(), e);
    }
    throw new AssertionError("the body ended cleanly after " + out.size() + " bytes");
  }

  /**
   * A source that gives its bytes in pieces of {@code min}..{@code max} bytes (cycling, capped by
   * the reader's buffer), and remembers its largest read.
   */
  private static final class PiecewiseChannel implements ReadableByteChannel {
    private final byte[] data;
    private final int min;
    private final int max;
    private int position;
    private int nextPiece;
    private int largestRead;
    private boolean open = true;

    PiecewiseChannel(byte[] data, int min, int max) {
      this.data = data;
      this.min = min;
      this.max = max;
      this.nextPiece = min;
    }

    @Override
    public int read(ByteBuffer dst) {
      if (position == data.length) {
        return -1;
      }
      int n = Math.min(nextPiece, Math.min(dst.remaining(), data.length - position));
      nextPiece = nextPiece >= max ? min : nextPiece + 1;
      dst.put(data, position, n);
      position += n;
      largestRead = Math.max(largestRead, n);
      return n;
    }

    @Override
    public boolean isOpen() {
      return open;
    }

    @Override
    public void close() {
      open = false;
    }
  }

  /** A source that fills every buffer and never ends, counting what it sent. */
  private static final class EndlessChannel implements ReadableByteChannel {
    private long sent;

    @Override
    public int read(ByteBuffer dst) {
      int n = dst.remaining();
      dst.position(dst.limit());
      sent += n;
      return n;
    }

    @Override
    public boolean isOpen() {
      return true;
    }

    @Override
    public void close() {}
  }
}
