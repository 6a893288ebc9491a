package io.imagecache;

import static io.imagecache.CacheHarness.WAIT;
import static io.imagecache.CacheHarness.follow;
import static org.assertj.core.api.Assertions.assertThat;

import io.imagecache.internal.fill.Fill;
import io.imagecache.internal.origin.OriginSettings;
import io.imagecache.internal.origin.Origins;
import io.imagecache.internal.store.ContentDigest;
import io.imagecache.internal.store.DigestAlgorithm;
import io.imagecache.internal.store.ExpectedContent;
import io.imagecache.testing.AllocatedBytes;
import io.imagecache.testing.TestOrigin;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A raw VM image with runs of zeros, filled from a real HTTP origin on loopback (reads of any
 * size and alignment): the cached file is the origin's bytes and takes less disk than its size,
 * readers of the fill read the holes as zeros, and a hit sends the bytes of the sparse file.
 */
class SparseImageFillTest {
  private static final int MIB = 1 << 20;
  /** 8 MiB: data, zeros, data, zeros, data, zeros, data, and zeros to the end. */
  private static final byte[] IMAGE = image();

  @TempDir Path dir;
  @TempDir Path elsewhere;
  private final CacheHarness harness = new CacheHarness();
  private TestOrigin origin;
  private ImageCache cache;

  @BeforeEach
  void start() throws Exception {
    origin = TestOrigin.start();
    cache = harness.open(dir);
  }

  @AfterEach
  void stop() throws Exception {
    harness.close();
    origin.close();
  }

  @Test
  void aSparseImageIsCachedAsTheOriginsBytes_inLessDiskThanItsSize() throws Exception {
    origin.put("img", IMAGE);
    Fill fill = cache.fill(ImageId.of("img"), Origins.parse(origin.httpTemplate(),
        OriginSettings.defaults()).source(ImageId.of("img"), Optional.empty()));
    CompletableFuture<byte[]> reader = CompletableFuture.supplyAsync(() -> {
      try {
        return follow(fill);
      } catch (Exception e) {
        throw new AssertionError(e);
      }
    });

    CachedImage committed = fill.completion().get(WAIT.toSeconds(), TimeUnit.SECONDS);

    assertThat(reader.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(IMAGE);
    Path file = dir.resolve("img");
    assertThat(committed.size()).isEqualTo(IMAGE.length);
    assertThat(Files.readAllBytes(file)).isEqualTo(IMAGE);
    // 3 MiB of data and 5 MiB of zeros.
    assertThat(AllocatedBytes.of(file)).isLessThan(4L * MIB);
    assertThat(hitBytes("img")).isEqualTo(IMAGE);
  }

  @Test
  void aReaderOfTheFillReadsTheZerosWrittenSoFar() throws Exception {
    // Paused in the middle of the second zero run: the file ends in a skipped stretch.
    long pausedAt = 3 * MIB + 40_000;
    ScriptedSource source = new ScriptedSource(IMAGE, new ExpectedContent(
        OptionalLong.of(IMAGE.length),
        List.of(ContentDigest.of(DigestAlgorithm.SHA_512, sha512(IMAGE))))).pauseAfter(pausedAt);
    Fill fill = cache.fill(ImageId.of("paused"), source);
    assertThat(source.awaitPaused(WAIT)).isTrue();

    assertThat(fill.awaitBytes(pausedAt - 1).get(WAIT.toSeconds(), TimeUnit.SECONDS))
        .isEqualTo(pausedAt);
    try (FileChannel channel = fill.openChannel()) {
      assertThat(CacheHarness.read(channel, 0, (int) pausedAt))
          .isEqualTo(Arrays.copyOf(IMAGE, (int) pausedAt));
    }
    source.resume();

    fill.completion().get(WAIT.toSeconds(), TimeUnit.SECONDS);
    assertThat(Files.readAllBytes(dir.resolve("paused"))).isEqualTo(IMAGE);
  }

  /** The bytes a hit on {@code id} sends, copied by transferTo (sendfile) as a server would. */
  private byte[] hitBytes(String id) throws Exception {
    Path copy = elsewhere.resolve(id);
    try (Download download = cache.download(ImageId.of(id), Optional.empty());
        FileChannel out = FileChannel.open(copy, StandardOpenOption.CREATE_NEW,
            StandardOpenOption.WRITE)) {
      assertThat(download).isInstanceOf(Download.Hit.class);
      Download.Hit hit = (Download.Hit) download;
      long position = 0;
      while (position < hit.size()) {
        long sent = hit.channel().transferTo(position, hit.size() - position, out);
        assertThat(sent).isPositive();
        position += sent;
      }
    }
    return Files.readAllBytes(copy);
  }

  private static byte[] image() {
    byte[] image = new byte[8 * MIB];
    new Random(11).nextBytes(image);
    // Zero runs with unaligned edges.
    Arrays.fill(image, MIB + 1000, 2 * MIB + 3000, (byte) 0);
    Arrays.fill(image, 3 * MIB + 17, 5 * MIB - 5, (byte) 0);
    Arrays.fill(image, 5 * MIB + 200_000, 6 * MIB + 1, (byte) 0);
    Arrays.fill(image, 7 * MIB - 123, 8 * MIB, (byte) 0);
    return image;
  }

  private static byte[] sha512(byte[] bytes) throws Exception {
    return MessageDigest.getInstance("SHA-512").digest(bytes);
  }
}
