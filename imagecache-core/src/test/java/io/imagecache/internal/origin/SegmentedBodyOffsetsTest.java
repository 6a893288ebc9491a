package io.imagecache.internal.origin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.imagecache.internal.fill.OffsetBody;
import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ReadableByteChannel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A segmented body written at its offsets: its connections' threads write every segment where it
 * belongs, several at once, and the caller is told only of a prefix whose every byte was written;
 * the window bounds how far the writes run ahead of that prefix.
 */
class SegmentedBodyOffsetsTest {
  private static final int SEGMENT = 64 * 1024;

  private final byte[] image = new byte[SEGMENT * 10 + 123];
  private final AtomicInteger requests = new AtomicInteger();

  SegmentedBodyOffsetsTest() {
    new Random(12).nextBytes(image);
  }

  @Test
  void everyByteLandsAtItsOffset_andOnlyAWrittenPrefixIsPublished() throws IOException {
    SegmentMemory memory = new SegmentMemory(100L * SegmentedBody.READ_SIZE);
    RecordingTarget target = new RecordingTarget();

    try (SegmentedBody body = body(Optional.empty(), 4, memory, -1)) {
      body.writeTo(target, ByteBuffer.allocate(1024));
      assertThat(memory.taken()).as("a read buffer per connection")
          .isEqualTo(4L * SegmentedBody.READ_SIZE);
    }

    assertThat(target.file).isEqualTo(image);
    assertThat(target.advances).isSorted().doesNotHaveDuplicates().last().isEqualTo((long) image.length);
    assertThat(target.writers.size()).as("threads that wrote").isGreaterThan(1);
    assertThat(target.mostAhead).as("bytes written beyond the prefix, at most the window")
        .isLessThanOrEqualTo(4L * SegmentedBody.AHEAD_PER_CONNECTION * SEGMENT);
    assertThat(requests).hasValue(10 + 1);
    assertThat(memory.taken()).as("given back at close").isZero();
  }

  @Test
  void aFirstResponseServesSegmentZero() throws IOException {
    RecordingTarget target = new RecordingTarget();
    ReadableByteChannel first = Channels.newChannel(new ByteArrayInputStream(image));

    try (SegmentedBody body = body(Optional.of(first), 3, SegmentMemory.PROCESS, -1)) {
      body.writeTo(target, ByteBuffer.allocate(1024));
    }

    assertThat(target.file).isEqualTo(image);
    assertThat(requests).hasValue(10);
  }

  @Test
  void withNoRoomLeft_theBodyIsWrittenInOrderThroughTheCallersBuffer() throws IOException {
    RecordingTarget target = new RecordingTarget();

    try (SegmentedBody body = body(Optional.empty(), 4, new SegmentMemory(0), -1)) {
      body.writeTo(target, ByteBuffer.allocate(1000));
    }

    assertThat(target.file).isEqualTo(image);
    assertThat(target.writers).containsExactly(Thread.currentThread());
    assertThat(target.mostAhead).as("one read of the caller's buffer").isLessThanOrEqualTo(1000);
    assertThat(requests).hasValue(1);
  }

  @Test
  void aSegmentThatEndsShortFailsTheBody_andNothingBeyondTheWrittenPrefixIsPublished()
      throws IOException {
    RecordingTarget target = new RecordingTarget();
    int shortSegment = 6;

    try (SegmentedBody body = body(Optional.empty(), 4, SegmentMemory.PROCESS, shortSegment)) {
      assertThatThrownBy(() -> body.writeTo(target, ByteBuffer.allocate(1024)))
          .isInstanceOf(EOFException.class)
          .hasMessageContaining("range " + shortSegment * SEGMENT + "-");
    }

    assertThat(target.advances).allSatisfy(end ->
        assertThat(end).isLessThanOrEqualTo((long) shortSegment * SEGMENT + SEGMENT / 2));
  }

  @Test
  void aBodyWrittenAtOffsetsCannotAlsoBeRead() throws IOException {
    try (SegmentedBody body = body(Optional.empty(), 2, SegmentMemory.PROCESS, -1)) {
      body.writeTo(new RecordingTarget(), ByteBuffer.allocate(1024));

      assertThatThrownBy(() -> body.read(ByteBuffer.allocate(10)))
          .isInstanceOf(IllegalStateException.class);
    }
  }

  /** A body with no resume attempts; segment {@code shortSegment} (if >= 0) ends halfway. */
  private SegmentedBody body(Optional<ReadableByteChannel> first, int connections,
      SegmentMemory memory, int shortSegment) {
    return new SegmentedBody("test image", first, image.length, SEGMENT, connections, 0,
        (from, to) -> openRange(from, to, shortSegment), memory);
  }

  /** A range of the image, read a few KiB at a time so that the connections overlap. */
  private ReadableByteChannel openRange(long from, long to, int shortSegment) {
    requests.incrementAndGet();
    long end = from / SEGMENT == shortSegment ? from + SEGMENT / 2 : to;
    return new SmallReads(image, from, end, Thread::yield, () -> { });
  }

  /**
   * A file in memory: records which bytes were written, by which threads, how far beyond the
   * published prefix, and checks at every advance that the prefix was written in full.
   */
  private final class RecordingTarget implements OffsetBody.Target {
    final byte[] file = new byte[image.length];
    final boolean[] written = new boolean[image.length];
    final List<Long> advances = new ArrayList<>();
    final Set<Thread> writers = ConcurrentHashMap.newKeySet();
    long published;
    long mostAhead;

    @Override
    public synchronized void writeAt(long offset, ByteBuffer src) {
      assertThat(offset).as("written at or beyond the published prefix").isGreaterThanOrEqualTo(published);
      writers.add(Thread.currentThread());
      int n = src.remaining();
      src.get(file, (int) offset, n);
      Arrays.fill(written, (int) offset, (int) offset + n, true);
      mostAhead = Math.max(mostAhead, offset + n - published);
    }

    @Override
    public synchronized void advance(long end) {
      for (int i = (int) published; i < end; i++) {
        assertThat(written[i]).as("byte %d written before the prefix reached %d", i, end).isTrue();
      }
      advances.add(end);
      published = end;
    }
  }
}
