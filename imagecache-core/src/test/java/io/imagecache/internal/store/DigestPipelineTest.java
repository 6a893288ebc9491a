package io.imagecache.internal.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class DigestPipelineTest {
  private static final EnumSet<DigestAlgorithm> MD5_AND_SHA512 =
      EnumSet.of(DigestAlgorithm.MD5, DigestAlgorithm.SHA_512);

  private final ExecutorService pool = Executors.newCachedThreadPool();

  @AfterEach
  void stopPool() {
    pool.shutdownNow();
  }

  @Test
  void digestsOfWritesOfEverySizeEqualTheDigestsOfAllTheBytes() throws Exception {
    byte[] content = randomBytes(3 * DigestPipeline.MAX_CHUNK + 12_345, 1);
    DigestPipeline pipeline = new DigestPipeline(MD5_AND_SHA512, pool);

    List<ByteBuffer> writes = split(content, 0, 1, 7, DigestPipeline.MAX_CHUNK + 3, 100_000);
    for (ByteBuffer write : writes) {
      int position = write.position();
      pipeline.update(write);
      assertThat(write.position()).isEqualTo(position);
    }

    assertThat(pipeline.finish()).containsExactlyInAnyOrderEntriesOf(expected(content));
  }

  @Test
  void hashesOnTheWritingThreadOnceTheExecutorIsShutDown() throws Exception {
    byte[] content = randomBytes(5 * 64 * 1024 + 3, 2);
    pool.shutdown();
    DigestPipeline pipeline = new DigestPipeline(MD5_AND_SHA512, pool);

    for (ByteBuffer write : split(content, 64 * 1024)) {
      pipeline.update(write);
    }

    assertThat(pipeline.finish()).containsExactlyInAnyOrderEntriesOf(expected(content));
  }

  @Test
  void theWriterWaitsForAChunkWhenEveryChunkIsBeingHashed() throws Exception {
    ConcurrentLinkedQueue<Runnable> held = new ConcurrentLinkedQueue<>();
    DigestPipeline pipeline = new DigestPipeline(EnumSet.of(DigestAlgorithm.MD5), held::add);
    byte[] content = randomBytes((DigestPipeline.POOL_SIZE + 1) * 64 * 1024, 3);
    List<ByteBuffer> writes = split(content, 64 * 1024);
    AtomicReference<Thread> writer = new AtomicReference<>();

    CompletableFuture<Map<DigestAlgorithm, byte[]>> digests = CompletableFuture.supplyAsync(() -> {
      writer.set(Thread.currentThread());
      try {
        for (ByteBuffer write : writes) {
          pipeline.update(write);
        }
        return pipeline.finish();
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }, pool);

    await().atMost(Duration.ofSeconds(10)).until(
        () -> writer.get() != null && writer.get().getState() == Thread.State.WAITING);
    assertThat(digests).isNotDone();
    assertThat(held).hasSize(1); // one drain task holds every chunk of the lane
    // Each drain frees chunks; the fifth write then schedules one more drain, finish() waits.
    await().atMost(Duration.ofSeconds(10)).until(() -> {
      for (Runnable drain = held.poll(); drain != null; drain = held.poll()) {
        drain.run();
      }
      return digests.isDone();
    });

    assertThat(digests.get()).containsExactlyInAnyOrderEntriesOf(
        Map.of(DigestAlgorithm.MD5, DigestAlgorithm.MD5.newMessageDigest().digest(content)));
  }

  private static Map<DigestAlgorithm, byte[]> expected(byte[] content) {
    return Map.of(
        DigestAlgorithm.MD5, DigestAlgorithm.MD5.newMessageDigest().digest(content),
        DigestAlgorithm.SHA_512, DigestAlgorithm.SHA_512.newMessageDigest().digest(content));
  }

  /** Direct buffers of the given sizes in turn (repeated) until {@code content} is covered. */
  private static List<ByteBuffer> split(byte[] content, int... sizes) {
    List<ByteBuffer> writes = new ArrayList<>();
    int offset = 0;
    for (int i = 0; offset < content.length; i++) {
      int size = Math.min(sizes[i % sizes.length], content.length - offset);
      ByteBuffer write = ByteBuffer.allocateDirect(size + 2);
      write.put((byte) 0x55).put(content, offset, size).put((byte) 0x66).flip();
      write.position(1).limit(1 + size);
      writes.add(write);
      offset += size;
    }
    return writes;
  }

  private static byte[] randomBytes(int size, long seed) {
    byte[] bytes = new byte[size];
    new Random(seed).nextBytes(bytes);
    return bytes;
  }
}
