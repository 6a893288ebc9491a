package io.imagecache;

import static io.imagecache.CacheHarness.WAIT;
import static io.imagecache.CacheHarness.namesIn;
import static io.imagecache.CacheHarness.randomBytes;
import static org.assertj.core.api.Assertions.assertThat;

import io.imagecache.internal.fill.Fill;
import io.imagecache.internal.store.CacheReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImagePruneAndCleanTest {
  private static final int KIB = 1024;

  @TempDir Path dir;
  private CacheHarness harness;

  @BeforeEach
  void setUp() {
    harness = new CacheHarness();
  }

  @AfterEach
  void tearDown() throws Exception {
    harness.close();
  }

  // ---- prune ---------------------------------------------------------------------------------

  @Test
  void pruneRemovesTheLeastRecentlyReadImagesAndSparesNewOnes() throws Exception {
    // Glance scenario 12.
    ImageCache large = harness.open(dir);
    cacheTenImagesAndReadThemInOrder(large);
    CacheHarness.cache(large, "99", randomBytes(99, KIB));
    ImageCache cache = reopenWithMaxSize(large, 5 * KIB);

    PruneResult result = cache.prune();

    assertThat(result).isEqualTo(new PruneResult(6, 6 * KIB));
    assertThat(cache.cacheSize()).isEqualTo(5 * KIB);
    assertThat(cachedOf(cache, "0", "1", "2", "3", "4", "5")).isEmpty();
    assertThat(cachedOf(cache, "6", "7", "8", "9", "99")).hasSize(5);
    assertThat(cache.prune()).isEqualTo(PruneResult.NOTHING);
  }

  @Test
  void pruneNeverRemovesAPinnedImage() throws Exception {
    ImageCache large = harness.open(dir);
    cacheTenImagesAndReadThemInOrder(large);
    CacheHarness.cache(large, "99", randomBytes(99, KIB));
    ImageCache cache = reopenWithMaxSize(large, 5 * KIB);
    assertThat(cache.pin(ImageId.of("0"))).isTrue();

    PruneResult result = cache.prune();

    assertThat(result).isEqualTo(new PruneResult(6, 6 * KIB));
    assertThat(cachedOf(cache, "0", "7", "8", "9", "99")).hasSize(5);
    assertThat(cachedOf(cache, "1", "2", "3", "4", "5", "6")).isEmpty();
  }

  @Test
  void aMaxSizeOfZeroRemovesEveryUnpinnedImage() throws Exception {
    // Glance scenario 13, plus a pin.
    ImageCache large = harness.open(dir);
    CacheHarness.cache(large, "1", randomBytes(1, KIB));
    CacheHarness.cache(large, "2", randomBytes(2, 2 * KIB));
    CacheHarness.cache(large, "kept", randomBytes(3, 3 * KIB));
    large.pin(ImageId.of("kept"));
    try (CacheReader reader = large.openCached(ImageId.of("1")).orElseThrow()) {
      assertThat(reader.size()).isEqualTo(KIB);
    }
    ImageCache cache = reopenWithMaxSize(large, 0);

    PruneResult result = cache.prune();

    assertThat(result).isEqualTo(new PruneResult(2, 3 * KIB));
    assertThat(cache.cacheSize()).isEqualTo(3 * KIB);
    assertThat(cache.isCached(ImageId.of("1"))).isFalse();
    assertThat(cache.isCached(ImageId.of("kept"))).isTrue();
  }

  @Test
  void pruneToAnExplicitTarget() throws Exception {
    ImageCache cache = harness.open(dir);
    cacheTenImagesAndReadThemInOrder(cache);

    assertThat(cache.prune(8 * KIB)).isEqualTo(new PruneResult(2, 2 * KIB));
    assertThat(cachedOf(cache, "0", "1")).isEmpty();
    assertThat(cache.prune()).isEqualTo(PruneResult.NOTHING);
  }

  // ---- clean ---------------------------------------------------------------------------------

  @Test
  void cleanRemovesInvalidAndStalledFilesButKeepsFreshOnesAndLiveFills() throws Exception {
    ImageCache cache = harness.open(CacheHarness.config(dir).stallTime(Duration.ofDays(1)).build());
    Files.write(dir.resolve("invalid").resolve("broken"), new byte[100]);
    Path stalled = Files.write(dir.resolve("incomplete").resolve("stalled"), new byte[200]);
    Files.setLastModifiedTime(
        stalled, FileTime.from(harness.clock.instant().minus(Duration.ofDays(2))));
    Path fresh = Files.write(dir.resolve("incomplete").resolve("fresh"), new byte[300]);
    Files.setLastModifiedTime(fresh, FileTime.from(harness.clock.instant().minusSeconds(60)));

    CleanResult result = cache.clean();

    assertThat(result).isEqualTo(new CleanResult(1, 1, 300));
    assertThat(namesIn(dir.resolve("invalid"))).isEmpty();
    assertThat(namesIn(dir.resolve("incomplete"))).containsExactly("fresh");

    byte[] content = randomBytes(5, 2 * 1024 * 1024);
    ScriptedSource source = ScriptedSource.of(content).pauseAfter(1024 * 1024);
    Fill fill = cache.fill(ImageId.of("live"), source);
    assertThat(source.awaitPaused(WAIT)).isTrue();

    assertThat(cache.clean(Duration.ZERO)).isEqualTo(new CleanResult(0, 1, 300));

    assertThat(namesIn(dir.resolve("incomplete"))).containsExactly("live");
    source.resume();
    assertThat(fill.completion().get(WAIT.toSeconds(), TimeUnit.SECONDS).size())
        .isEqualTo(content.length);
    assertThat(Files.readAllBytes(dir.resolve("live"))).isEqualTo(content);
  }

  // ---- helpers -------------------------------------------------------------------------------

  /** Caches images 0-9 (1 KiB each) a second apart, then reads them in order a second apart. */
  private void cacheTenImagesAndReadThemInOrder(ImageCache cache) throws Exception {
    for (int i = 0; i < 10; i++) {
      CacheHarness.cache(cache, String.valueOf(i), randomBytes(i, KIB));
      harness.clock.advance(Duration.ofSeconds(1));
    }
    for (int i = 0; i < 10; i++) {
      try (CacheReader reader = cache.openCached(ImageId.of(String.valueOf(i))).orElseThrow()) {
        assertThat(reader.size()).isEqualTo(KIB);
      }
      harness.clock.advance(Duration.ofSeconds(1));
    }
  }

  /**
   * Closes {@code cache} and opens its directory again with a smaller {@code maxSize}, as an
   * operator lowering the setting would: the only way a cache holds more than its max size, since
   * a running cache keeps within it by itself. The automatic prune's timer does not fire within a
   * test.
   */
  private ImageCache reopenWithMaxSize(ImageCache cache, long maxSize) throws Exception {
    cache.close();
    return harness.open(CacheHarness.config(dir)
        .maxSize(maxSize).pruneInterval(Duration.ofHours(1)).build());
  }

  private static List<String> cachedOf(ImageCache cache, String... ids) {
    return IntStream.range(0, ids.length)
        .mapToObj(i -> ids[i])
        .filter(id -> cache.isCached(ImageId.of(id)))
        .toList();
  }
}
