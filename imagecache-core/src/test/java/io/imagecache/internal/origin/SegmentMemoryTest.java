package io.imagecache.internal.origin;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ReadableByteChannel;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A segmented body takes its buffers from the process's segment memory: it runs with as many
 * connections as there is room for, gives the room back when it closes, and with no room reads the
 * image as one range over one connection, the bytes the same in every case.
 */
class SegmentMemoryTest {
  private static final int SEGMENT = 64 * 1024;

  private final byte[] image = new byte[SEGMENT * 10 + 123];
  private final AtomicInteger requests = new AtomicInteger();
  /** Ranges open now, and the most open at once: the connections the body used. */
  private final AtomicInteger open = new AtomicInteger();
  private final AtomicInteger mostOpen = new AtomicInteger();
  /**
   * Counted down by each range opened; a range's first read waits (5 s at most) until it is zero,
   * so that as many ranges as the test expects are open at once.
   */
  private CountDownLatch opened = new CountDownLatch(1);

  SegmentMemoryTest() {
    new Random(11).nextBytes(image);
  }

  @Test
  void aBodyRunsWithAsManyConnectionsAsTheMemoryHasRoomFor() throws IOException {
    SegmentMemory memory = new SegmentMemory(2L * SEGMENT + SEGMENT / 2);
    opened = new CountDownLatch(2);

    try (SegmentedBody body = body(Optional.empty(), 4, memory)) {
      assertThat(readAll(body, memory, 2L * SEGMENT)).isEqualTo(image);
    }

    assertThat(mostOpen).hasValue(2);
    assertThat(requests).hasValue(10 + 1);
    assertThat(memory.taken()).as("given back at close").isZero();
  }

  @Test
  void withRoomForEveryConnection_eachGetsABuffer() throws IOException {
    SegmentMemory memory = new SegmentMemory(100L * SEGMENT);
    opened = new CountDownLatch(4);

    try (SegmentedBody body = body(Optional.empty(), 4, memory)) {
      assertThat(readAll(body, memory, 4L * SEGMENT)).isEqualTo(image);
    }

    assertThat(mostOpen).hasValue(4);
    assertThat(memory.taken()).isZero();
  }

  @Test
  void withNoRoomLeft_theImageIsOneRangeOverOneConnection() throws IOException {
    SegmentMemory memory = new SegmentMemory(SEGMENT);
    assertThat(memory.take(1, SEGMENT)).as("another fill holds the room").isEqualTo(1);

    try (SegmentedBody body = body(Optional.empty(), 4, memory)) {
      assertThat(readAll(body, memory, SEGMENT)).isEqualTo(image);
    }

    assertThat(requests).hasValue(1);
    assertThat(memory.taken()).as("only the other fill's room").isEqualTo(SEGMENT);
  }

  @Test
  void withNoRoomLeft_aFirstResponseIsReadToItsEnd() throws IOException {
    SegmentMemory memory = new SegmentMemory(0);
    ReadableByteChannel first = Channels.newChannel(new java.io.ByteArrayInputStream(image));

    try (SegmentedBody body = body(Optional.of(first), 4, memory)) {
      assertThat(readAll(body, memory, 0)).isEqualTo(image);
    }

    assertThat(requests).hasValue(0);
  }

  @Test
  void takesNoMoreThanItsBudget_andGivesBackWhatWasTaken() {
    SegmentMemory memory = new SegmentMemory(5L * SEGMENT);

    assertThat(memory.take(4, SEGMENT)).isEqualTo(4);
    assertThat(memory.take(4, SEGMENT)).isEqualTo(1);
    assertThat(memory.take(1, SEGMENT)).isZero();
    memory.giveBack(4, SEGMENT);
    assertThat(memory.take(8, SEGMENT)).isEqualTo(4);
    assertThat(memory.taken()).isEqualTo(5L * SEGMENT);
  }

  private SegmentedBody body(Optional<ReadableByteChannel> first, int connections, SegmentMemory memory) {
    return new SegmentedBody("test image", first, image.length, SEGMENT, connections, 0,
        this::openRange, memory);
  }

  /** A range of the image, read a few KiB at a time so that the connections overlap. */
  private ReadableByteChannel openRange(long from, long to) {
    requests.incrementAndGet();
    mostOpen.accumulateAndGet(open.incrementAndGet(), Math::max);
    CountDownLatch all = opened;
    all.countDown();
    return new SmallReads(image, from, to, () -> {
      try {
        all.await(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new java.io.InterruptedIOException();
      }
    }, open::decrementAndGet);
  }

  /** Reads {@code body} to its end, checking after the first read that it holds {@code held} bytes. */
  private static byte[] readAll(SegmentedBody body, SegmentMemory memory, long held) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteBuffer buffer = ByteBuffer.allocate(50_000);
    boolean first = true;
    while (body.read(buffer.clear()) >= 0) {
      out.write(buffer.array(), 0, buffer.position());
      if (first) {
        assertThat(memory.taken()).as("memory held while reading").isEqualTo(held);
        first = false;
      }
    }
    return out.toByteArray();
  }
}
