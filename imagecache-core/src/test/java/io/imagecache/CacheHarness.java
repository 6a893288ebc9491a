package io.imagecache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.imagecache.internal.fill.Fill;
import io.imagecache.testing.CacheInvariants;
import io.imagecache.testing.ManualScheduler;
import io.imagecache.testing.MutableClock;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Opens caches on injected threads and a {@link MutableClock} and closes them (and the threads)
 * at the end of a test; plus the checks and helpers the facade tests share.
 */
public final class CacheHarness {
  public static final Duration WAIT = Duration.ofSeconds(20);

  final MutableClock clock = new MutableClock(Instant.parse("2026-03-01T10:00:00Z"));
  final ExecutorService fillExecutor = Executors.newCachedThreadPool();
  /** Runs the caches' timers (hit flush, prune, clean, size checks) when a test drives it. */
  final ManualScheduler scheduler = new ManualScheduler(clock);
  private final List<ImageCache> opened = new ArrayList<>();
  /** Why the test leaves fills, reservations or files behind on purpose; null when it does not. */
  private String leftBehind;

  /** Test defaults: sqlite, no fsync, a quick hit flush. */
  static CacheConfig.Builder config(Path dir) {
    return CacheConfig.builder(dir).durable(false).flushInterval(Duration.ofMillis(100));
  }

  ImageCache open(CacheConfig config) throws IOException {
    ImageCache cache = new ImageCache(config, clock, scheduler, fillExecutor);
    opened.add(cache);
    return cache;
  }

  ImageCache open(Path dir) throws IOException {
    return open(config(dir).build());
  }

  /**
   * Says that the test ends with a fill running, space reserved or a file in {@code incomplete/}
   * on purpose, and why: {@link #close()} then skips those checks (not the open-file one).
   */
  void leavesBehind(String why) {
    leftBehind = why;
  }

  /**
   * Checks each cache still open (no fill running, nothing reserved, nothing in
   * {@code incomplete/}) and closes it, then the threads; then checks that no file of any cache
   * stays open.
   */
  void close() throws Exception {
    for (ImageCache cache : opened) {
      if (leftBehind == null) {
        assertSettled(cache);
      }
      cache.close();
    }
    scheduler.shutdownNow();
    fillExecutor.shutdownNow();
    assertThat(fillExecutor.awaitTermination(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
    for (ImageCache cache : opened) {
      CacheInvariants.assertNoOpenFileUnder(cache.config().dir());
    }
  }

  /** No fill running, no space reserved and nothing in {@code incomplete/}, if still open. */
  private static void assertSettled(ImageCache cache) throws IOException {
    CacheStats stats;
    try {
      stats = cache.stats();
    } catch (IllegalStateException closed) {
      return; // closed by the test
    }
    assertThat(stats.fillsInProgress()).as("fills still running").isZero();
    assertThat(stats.reservedBytes()).as("bytes still reserved").isZero();
    CacheInvariants.assertNothingIncomplete(cache.config().dir());
  }

  /**
   * Runs the timers that are due, again and again, until {@code condition} holds: for work that
   * another thread queues on the scheduler (the size check after a commit) at a moment the test
   * cannot know. Time stands still.
   */
  void runTimersUntil(Callable<Boolean> condition) {
    await().atMost(WAIT).until(() -> {
      scheduler.runDue();
      return condition.call();
    });
  }

  /**
   * Moves time by {@code step} (running the timers due on the way) until {@code condition} holds:
   * for timers whose first run must also wait for start-up work on another thread.
   */
  void advanceUntil(Duration step, Callable<Boolean> condition) {
    await().atMost(WAIT).until(() -> {
      scheduler.advance(step);
      return condition.call();
    });
  }

  /** Closes {@code download}; a failure to close fails the calling test step. */
  static void closeQuietly(Download download) {
    try {
      download.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Reproducible random bytes. */
  static byte[] randomBytes(long seed, int size) {
    byte[] bytes = new byte[size];
    new Random(seed).nextBytes(bytes);
    return bytes;
  }

  /** Caches {@code content} as {@code id} through a fill and waits for the commit. */
  static CachedImage cache(ImageCache cache, String id, byte[] content) throws Exception {
    return cache.fill(ImageId.of(id), ScriptedSource.of(content))
        .completion().get(WAIT.toSeconds(), TimeUnit.SECONDS);
  }

  /** Reads a fill's image the way a server would: follow the growing file to its commit. */
  static byte[] follow(Fill fill) throws Exception {
    fill.opened().get(WAIT.toSeconds(), TimeUnit.SECONDS);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (FileChannel channel = fill.openChannel()) {
      long position = 0;
      while (true) {
        long available = fill.awaitBytes(position).get(WAIT.toSeconds(), TimeUnit.SECONDS);
        if (available <= position) {
          return out.toByteArray();
        }
        out.write(read(channel, position, (int) (available - position)));
        position = available;
      }
    }
  }

  /** Reads exactly {@code length} bytes at {@code position}. */
  static byte[] read(FileChannel channel, long position, int length) throws IOException {
    ByteBuffer buffer = ByteBuffer.allocate(length);
    while (buffer.hasRemaining()) {
      if (channel.read(buffer, position + buffer.position()) < 0) {
        throw new EOFException("file ended at " + (position + buffer.position()));
      }
    }
    return buffer.array();
  }

  /** The names in a sub-directory of the cache. */
  static List<String> namesIn(Path directory) throws IOException {
    if (!Files.isDirectory(directory)) {
      return List.of();
    }
    try (Stream<Path> files = Files.list(directory)) {
      return files.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }
}
