package io.imagecache;

import io.imagecache.internal.fill.Fill;
import io.imagecache.internal.fill.ImageSource;
import io.imagecache.internal.fill.SourceResponse;
import io.imagecache.internal.store.ExpectedContent;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The child JVM of the crash tests: opens a real cache (default wiring, durable) on a directory
 * and does one thing, printing a marker line when it is at the point where the test kills it.
 *
 * <ul>
 *   <li>{@code fill DIR}: fills {@value #PARTIAL_ID} from a source that sends
 *       {@link #PARTIAL_BYTES} of {@link #PARTIAL_SIZE} and then never sends more; prints
 *       {@code BYTES_ON_DISK} once they are written.
 *   <li>{@code commit DIR}: fills and commits {@value #KEPT_ID}, prints {@code COMMITTED}, and
 *       keeps the cache (and its lock) open.
 *   <li>{@code probe-lock DIR}: tries to open the cache; exits 0 if it could, 3 (printing the
 *       refusal) if the directory is locked.
 * </ul>
 */
public final class CrashingFillMain {
  static final String PARTIAL_ID = "crashed-mid-fill";
  static final int PARTIAL_SIZE = 8 * 1024 * 1024;
  static final int PARTIAL_BYTES = 3 * 1024 * 1024;
  static final String KEPT_ID = "committed-before-crash";
  static final int KEPT_SIZE = 3 * 1024 * 1024 + 17;

  private CrashingFillMain() {}

  /** The bytes of {@link #PARTIAL_ID}. */
  static byte[] partialContent() {
    return CacheHarness.randomBytes(11, PARTIAL_SIZE);
  }

  /** The bytes of {@link #KEPT_ID}. */
  static byte[] keptContent() {
    return CacheHarness.randomBytes(12, KEPT_SIZE);
  }

  public static void main(String[] args) throws Exception {
    String mode = args[0];
    Path dir = Path.of(args[1]);
    switch (mode) {
      case "fill" -> fillAndHang(dir);
      case "commit" -> commitAndHang(dir);
      case "probe-lock" -> probeLock(dir);
      default -> throw new IllegalArgumentException("unknown mode " + mode);
    }
  }

  private static void fillAndHang(Path dir) throws Exception {
    ImageCache cache = ImageCache.open(CacheConfig.defaults(dir));
    Fill fill = cache.fill(ImageId.of(PARTIAL_ID), new HangingSource(partialContent()));
    long written = fill.awaitBytes(PARTIAL_BYTES - 1).get(60, TimeUnit.SECONDS);
    System.out.println("BYTES_ON_DISK " + written);
    System.out.flush();
    new CountDownLatch(1).await();
  }

  private static void commitAndHang(Path dir) throws Exception {
    ImageCache cache = ImageCache.open(CacheConfig.defaults(dir));
    byte[] content = keptContent();
    CachedImage image = cache.fill(ImageId.of(KEPT_ID), ScriptedSource.of(content))
        .completion().get(60, TimeUnit.SECONDS);
    System.out.println("COMMITTED " + image.size());
    System.out.flush();
    new CountDownLatch(1).await();
  }

  private static void probeLock(Path dir) {
    try (ImageCache cache = ImageCache.open(CacheConfig.defaults(dir))) {
      System.out.println("OPENED with " + cache.cachedImages().size() + " images");
    } catch (CacheDirectoryLockedException e) {
      System.out.println("LOCKED " + e.getMessage());
      System.out.flush();
      System.exit(ChildJvm.EXIT_LOCKED);
    } catch (IOException e) {
      e.printStackTrace();
      System.exit(1);
    }
  }

  /** Sends the first {@link #PARTIAL_BYTES} bytes, then blocks until the process dies. */
  private static final class HangingSource implements ImageSource {
    private final byte[] content;

    HangingSource(byte[] content) {
      this.content = content;
    }

    @Override
    public SourceResponse open() {
      ExpectedContent expected = new ExpectedContent(OptionalLong.of(content.length), List.of());
      return SourceResponse.of(expected, new ReadableByteChannel() {
        private int position;
        private final CountDownLatch never = new CountDownLatch(1);

        @Override
        public int read(ByteBuffer dst) throws IOException {
          if (position >= PARTIAL_BYTES) {
            try {
              never.await();
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
            throw new IOException("the hanging source was interrupted");
          }
          int n = Math.min(dst.remaining(), PARTIAL_BYTES - position);
          dst.put(content, position, n);
          position += n;
          return n;
        }

        @Override
        public boolean isOpen() {
          return true;
        }

        @Override
        public void close() {}
      });
    }
  }
}
