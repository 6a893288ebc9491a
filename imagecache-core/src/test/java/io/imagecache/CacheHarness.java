package io.imagecache;

import static org.assertj.core.api.Assertions.assertThat;

import io.imagecache.internal.fill.Fill;
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
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
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
  final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
  private final List<ImageCache> opened = new ArrayList<>();

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

  /** Closes every cache opened here, then the threads. */
  void close() throws Exception {
    for (ImageCache cache : opened) {
      cache.close();
    }
    scheduler.shutdownNow();
    fillExecutor.shutdownNow();
    assertThat(fillExecutor.awaitTermination(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
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
