package io.imagecache.internal.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link FileDigests} over a real file written in pieces, as a writer writes it. */
class FileDigestsTest {
  private static final EnumSet<DigestAlgorithm> MD5_AND_SHA512 =
      EnumSet.of(DigestAlgorithm.MD5, DigestAlgorithm.SHA_512);

  @TempDir Path dir;

  private final ExecutorService pool = Executors.newCachedThreadPool();
  private Path path;
  private RandomAccessFile file;
  private FileChannel channel;

  @BeforeEach
  void createFile() throws IOException {
    path = dir.resolve("incomplete");
    file = new RandomAccessFile(path.toFile(), "rw");
    channel = file.getChannel();
  }

  @AfterEach
  void close() throws IOException {
    pool.shutdownNow();
    file.close();
  }

  @Test
  void theDigestsAreThoseOfTheFilesBytes_whateverTheSizesOfTheWrites() throws Exception {
    byte[] content = randomBytes(3 * FileDigests.READ_SIZE + 12_345, 1);
    FileDigests digests = new FileDigests(path, MD5_AND_SHA512, pool);

    int offset = 0;
    int[] sizes = {1, 7, FileDigests.READ_SIZE + 3, 100_000, 0};
    for (int i = 0; offset < content.length; i++) {
      int size = Math.min(sizes[i % sizes.length], content.length - offset);
      offset += write(content, offset, size);
      digests.written(offset);
    }

    assertThat(digests.finish()).containsExactlyInAnyOrderEntriesOf(expected(content));
    digests.close();
  }

  @Test
  void aHoleIsHashedAsTheZerosItReadsAs() throws Exception {
    byte[] content = randomBytes(200_000, 2);
    java.util.Arrays.fill(content, 4096, 4096 * 20, (byte) 0);
    FileDigests digests = new FileDigests(path, MD5_AND_SHA512, pool);

    write(content, 0, 4096);
    digests.written(4096);
    file.setLength(4096 * 20); // the zeros left as a hole, as SparseWrite leaves them
    digests.written(4096 * 20);
    write(content, 4096 * 20, content.length - 4096 * 20);
    digests.written(content.length);

    assertThat(digests.finish()).containsExactlyInAnyOrderEntriesOf(expected(content));
  }

  @Test
  void theDigestsSeeWhatTheFileHolds_notWhatTheWriterMeantToWrite() throws Exception {
    byte[] content = randomBytes(100_000, 3);
    FileDigests digests = new FileDigests(path, EnumSet.of(DigestAlgorithm.SHA_512), pool);
    byte[] wrong = content.clone();
    wrong[77_777] ^= 1;

    write(wrong, 0, wrong.length);
    digests.written(wrong.length);

    assertThat(digests.finish().get(DigestAlgorithm.SHA_512))
        .isEqualTo(DigestAlgorithm.SHA_512.newMessageDigest().digest(wrong))
        .isNotEqualTo(DigestAlgorithm.SHA_512.newMessageDigest().digest(content));
  }

  @Test
  void hashesOnTheWritingThreadOnceTheExecutorIsShutDown() throws Exception {
    byte[] content = randomBytes(5 * 64 * 1024 + 3, 4);
    pool.shutdown();
    FileDigests digests = new FileDigests(path, MD5_AND_SHA512, pool);

    for (int offset = 0; offset < content.length; ) {
      offset += write(content, offset, Math.min(64 * 1024, content.length - offset));
      digests.written(offset);
    }

    assertThat(digests.finish()).containsExactlyInAnyOrderEntriesOf(expected(content));
  }

  @Test
  void theWriterWaitsOnlyWhileALaneIsMoreThanTheLagBehind() throws Exception {
    ConcurrentLinkedQueue<Runnable> held = new ConcurrentLinkedQueue<>();
    int lag = 3 * 64 * 1024;
    FileDigests digests =
        new FileDigests(path, EnumSet.of(DigestAlgorithm.MD5), held::add, lag);
    byte[] content = randomBytes(6 * 64 * 1024, 5);
    AtomicReference<Thread> writer = new AtomicReference<>();
    AtomicLong announced = new AtomicLong();

    CompletableFuture<Map<DigestAlgorithm, byte[]>> result = CompletableFuture.supplyAsync(() -> {
      writer.set(Thread.currentThread());
      try {
        for (int offset = 0; offset < content.length; ) {
          offset += write(content, offset, 64 * 1024);
          digests.written(offset);
          announced.set(offset);
        }
        return digests.finish();
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    }, pool);

    // Nothing hashed: the writer went on up to the lag, then waits in its fourth written().
    await().atMost(Duration.ofSeconds(10)).until(
        () -> writer.get() != null && writer.get().getState() == Thread.State.WAITING);
    assertThat(announced.get()).isEqualTo(lag);
    assertThat(result).isNotDone();
    assertThat(held).hasSize(1); // one drain of the lane is due, whatever the wakeups
    // Running the drains lets the writer on; finish() waits for the last of them.
    await().atMost(Duration.ofSeconds(10)).until(() -> {
      for (Runnable drain = held.poll(); drain != null; drain = held.poll()) {
        drain.run();
      }
      return result.isDone();
    });

    assertThat(result.get()).containsExactlyInAnyOrderEntriesOf(
        Map.of(DigestAlgorithm.MD5, DigestAlgorithm.MD5.newMessageDigest().digest(content)));
  }

  @Test
  void aFileShorterThanWrittenFailsTheDigests() throws Exception {
    FileDigests digests = new FileDigests(path, MD5_AND_SHA512, pool);
    write(randomBytes(1000, 6), 0, 1000);

    // The lane may fail before written() returns, which then throws; else finish() does.
    assertThatThrownBy(() -> {
      digests.written(2000);
      digests.finish();
    }).isInstanceOf(IOException.class)
        .hasMessageContaining("the file ended at 1000 bytes, 2000 were written");
  }

  @Test
  void closingWakesAWriterWaitingForTheLanes_withAFailure() throws Exception {
    ConcurrentLinkedQueue<Runnable> held = new ConcurrentLinkedQueue<>();
    FileDigests digests = new FileDigests(path, EnumSet.of(DigestAlgorithm.MD5), held::add, 0);
    write(randomBytes(1000, 7), 0, 1000);
    CompletableFuture<Void> waiting = CompletableFuture.runAsync(() -> {
      try {
        digests.written(1000);
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    }, pool);
    await().atMost(Duration.ofSeconds(10)).until(() -> !held.isEmpty());

    digests.close(); // as an abort does, while the drain is still to run
    held.poll().run();

    assertThat(waiting).failsWithin(Duration.ofSeconds(10)).withThrowableThat()
        .havingRootCause().isInstanceOf(java.nio.channels.ClosedChannelException.class);
  }

  /** Writes {@code content[offset, offset + size)} at {@code offset}: {@code size}. */
  private int write(byte[] content, int offset, int size) throws IOException {
    ByteBuffer bytes = ByteBuffer.wrap(content, offset, size);
    long at = offset;
    while (bytes.hasRemaining()) {
      at += channel.write(bytes, at);
    }
    return size;
  }

  private static Map<DigestAlgorithm, byte[]> expected(byte[] content) {
    return Map.of(
        DigestAlgorithm.MD5, DigestAlgorithm.MD5.newMessageDigest().digest(content),
        DigestAlgorithm.SHA_512, DigestAlgorithm.SHA_512.newMessageDigest().digest(content));
  }

  private static byte[] randomBytes(int size, long seed) {
    byte[] bytes = new byte[size];
    new Random(seed).nextBytes(bytes);
    return bytes;
  }
}
