package io.imagecache;

import static io.imagecache.CacheHarness.WAIT;
import static io.imagecache.CacheHarness.namesIn;
import static io.imagecache.CacheHarness.randomBytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.imagecache.internal.fill.Fill;
import io.imagecache.internal.fill.NotCacheableException;
import io.imagecache.internal.store.ExpectedContent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The automatic size bound: reservations before fills, pruning to make room, refusals, the
 * high/low-water prune after commits and on a timer, the free-disk guard and the periodic clean.
 */
class AutomaticSizeBoundTest {
  private static final int KIB = 1024;
  private static final int MIB = 1024 * KIB;

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

  /** Test defaults plus no free-disk guard, so that the machine's disk does not matter. */
  private CacheConfig.Builder config() {
    return CacheHarness.config(dir).minFreeDisk(0);
  }

  // ---- reservations --------------------------------------------------------------------------

  @Test
  void theBoundHoldsWhileFiveImagesOfMoreThanAFifthOfTheCacheAreFilledAtOnce() throws Exception {
    long maxSize = 10 * MIB;
    int size = 5 * MIB / 2;
    ImageCache cache = harness.open(config().maxSize(maxSize).build());
    CacheHarness.cache(cache, "old-1", randomBytes(101, size));
    harness.clock.advance(Duration.ofSeconds(1));
    CacheHarness.cache(cache, "old-2", randomBytes(102, size));
    harness.clock.advance(Duration.ofSeconds(1));

    List<byte[]> contents = new ArrayList<>();
    List<ScriptedSource> sources = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      contents.add(randomBytes(i, size));
      sources.add(ScriptedSource.of(contents.get(i)).pauseAfter(MIB));
    }
    List<Fill> fills = startTogether(cache, sources);

    List<Integer> admitted = new ArrayList<>();
    List<Integer> refused = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      try {
        fills.get(i).opened().get(WAIT.toSeconds(), TimeUnit.SECONDS);
        admitted.add(i);
      } catch (ExecutionException e) {
        assertThat(e.getCause()).isInstanceOf(NotCacheableException.class);
        refused.add(i);
      }
    }
    for (int i : admitted) {
      assertThat(sources.get(i).awaitPaused(WAIT)).isTrue();
    }

    CacheStats during = cache.stats();
    assertThat(during.cachedBytes() + during.reservedBytes()).isLessThanOrEqualTo(maxSize);
    assertThat(during.reservedBytes()).isEqualTo((long) admitted.size() * size);
    assertThat(refused).isNotEmpty();

    sources.forEach(ScriptedSource::resume);
    for (int i : admitted) {
      fills.get(i).completion().get(WAIT.toSeconds(), TimeUnit.SECONDS);
      assertThat(Files.readAllBytes(dir.resolve(String.valueOf(i)))).isEqualTo(contents.get(i));
    }
    assertThat(cache.cacheSize()).isLessThanOrEqualTo(maxSize);
    assertThat(cache.stats().reservedBytes()).isZero();

    for (int i : refused) {
      harness.clock.advance(Duration.ofSeconds(1));
      CacheHarness.cache(cache, String.valueOf(i), contents.get(i));
      assertThat(cache.cacheSize()).isLessThanOrEqualTo(maxSize);
    }
    assertThat(cache.isCached(ImageId.of("old-1"))).isFalse();
    assertThat(cache.stats().evictions()).isGreaterThanOrEqualTo(2);
    assertThat(namesIn(dir.resolve("incomplete"))).isEmpty();
  }

  @Test
  void aFillWhoseOriginDiesMidBodyGivesItsReservationBack() throws Exception {
    ImageCache cache = harness.open(config().maxSize(10 * MIB).build());
    ScriptedSource source =
        ScriptedSource.of(randomBytes(1, 2 * MIB)).pauseAfter(MIB).failAfter(MIB);
    Fill fill = cache.fill(ImageId.of("dies"), source);
    assertThat(source.awaitPaused(WAIT)).isTrue();
    assertThat(cache.stats().reservedBytes()).isEqualTo(2 * MIB);

    source.resume();

    assertThatThrownBy(() -> fill.completion().get(WAIT.toSeconds(), TimeUnit.SECONDS))
        .hasMessageContaining("origin dropped the connection");
    assertThat(cache.stats().reservedBytes()).isZero();
    assertThat(namesIn(dir.resolve("incomplete"))).isEmpty();
    assertThat(cache.isCached(ImageId.of("dies"))).isFalse();
  }

  @Test
  void makingRoomForAFillRemovesOlderImagesButNeverAPinnedOne() throws Exception {
    ImageCache cache = harness.open(config().maxSize(4 * KIB).build());
    CacheHarness.cache(cache, "kept", randomBytes(1, 2 * KIB));
    cache.pin(ImageId.of("kept"));
    harness.clock.advance(Duration.ofSeconds(1));
    CacheHarness.cache(cache, "a", randomBytes(2, KIB));
    harness.clock.advance(Duration.ofSeconds(1));
    CacheHarness.cache(cache, "b", randomBytes(3, KIB));
    harness.clock.advance(Duration.ofSeconds(1));

    CacheHarness.cache(cache, "c", randomBytes(4, 2 * KIB));

    assertThat(cachedOf(cache, "kept", "a", "b", "c")).containsExactly("kept", "c");
    assertThat(cache.stats().evictions()).isEqualTo(2);

    Fill tooMuch = cache.fill(ImageId.of("d"), ScriptedSource.of(randomBytes(5, 3 * KIB)));

    assertThatThrownBy(() -> tooMuch.opened().get(WAIT.toSeconds(), TimeUnit.SECONDS))
        .hasCauseInstanceOf(NotCacheableException.class)
        .hasMessageContaining("can be pruned");
    assertThat(cachedOf(cache, "kept", "c", "d")).containsExactly("kept", "c");
    assertThat(cache.stats().evictions()).isEqualTo(2);
  }

  @Test
  void anImageLargerThanTheCacheIsRefusedBeforeAnythingIsWritten() throws Exception {
    ImageCache cache = harness.open(config().maxSize(4 * KIB).build());
    ScriptedSource source = ScriptedSource.of(randomBytes(1, 5 * KIB));

    Fill fill = cache.fill(ImageId.of("big"), source);

    assertThatThrownBy(() -> fill.opened().get(WAIT.toSeconds(), TimeUnit.SECONDS))
        .hasCauseInstanceOf(NotCacheableException.class)
        .hasMessageContaining("exceed the cache's max size of");
    assertThat(source.opens()).isEqualTo(1);
    assertThat(cache.isCached(ImageId.of("big"))).isFalse();
    assertThat(namesIn(dir.resolve("incomplete"))).isEmpty();
    assertThat(namesIn(dir.resolve("invalid"))).isEmpty();
  }

  @Test
  void anImageOfUnknownSizeThatOutgrowsTheCacheFails() throws Exception {
    ImageCache cache = harness.open(config().maxSize(4 * KIB).build());
    ScriptedSource source =
        new ScriptedSource(randomBytes(1, 6 * KIB), ExpectedContent.unknown());

    Fill fill = cache.fill(ImageId.of("unsized"), source);

    assertThatThrownBy(() -> fill.completion().get(WAIT.toSeconds(), TimeUnit.SECONDS))
        .hasCauseInstanceOf(NotCacheableException.class)
        .hasMessageContaining("grew past the cache's max size");
    assertThat(cache.isCached(ImageId.of("unsized"))).isFalse();
    assertThat(cache.cacheSize()).isZero();
    assertThat(namesIn(dir.resolve("incomplete"))).isEmpty();
  }

  @Test
  void theFreeDiskGuardRefusesAFillThatWouldLeaveTooLittleFree() throws Exception {
    ImageCache cache = harness.open(CacheHarness.config(dir).minFreeDisk(0.9999).build());

    Fill fill = cache.fill(ImageId.of("1"), ScriptedSource.of(randomBytes(1, KIB)));

    assertThatThrownBy(() -> fill.opened().get(WAIT.toSeconds(), TimeUnit.SECONDS))
        .hasCauseInstanceOf(NotCacheableException.class)
        .hasMessageContaining("free on the cache's file system");
    assertThat(cache.isCached(ImageId.of("1"))).isFalse();
    assertThat(cache.stats().reservedBytes()).isZero();
  }

  // ---- the automatic prune -------------------------------------------------------------------

  @Test
  void aCommitAboveTheHighWaterMarkPrunesDownToTheLowWaterMark() throws Exception {
    ImageCache cache = harness.open(config()
        .maxSize(10 * KIB).highWater(0.8).lowWater(0.5).pruneInterval(Duration.ofHours(1))
        .build());
    for (int i = 0; i < 8; i++) {
      CacheHarness.cache(cache, String.valueOf(i), randomBytes(i, KIB));
      harness.clock.advance(Duration.ofSeconds(1));
    }
    assertThat(cache.cacheSize()).isEqualTo(8 * KIB);

    CacheHarness.cache(cache, "8", randomBytes(8, KIB));

    // The check after the commit, queued on the scheduler; the periodic one is an hour away.
    harness.runTimersUntil(() -> cache.cacheSize() == 5 * KIB);
    assertThat(cachedOf(cache, "0", "1", "2", "3", "4", "5", "6", "7", "8"))
        .containsExactly("4", "5", "6", "7", "8");
    CacheStats stats = cache.stats();
    assertThat(stats.evictions()).isEqualTo(4);
    assertThat(stats.bytesEvicted()).isEqualTo(4 * KIB);
  }

  @Test
  void theAutomaticPruneNeverRemovesAPinnedImage() throws Exception {
    ImageCache cache = harness.open(config()
        .maxSize(8 * KIB).highWater(0.5).lowWater(0.25).pruneInterval(Duration.ofHours(1))
        .build());
    CacheHarness.cache(cache, "kept", randomBytes(1, 3 * KIB));
    cache.pin(ImageId.of("kept"));
    harness.clock.advance(Duration.ofSeconds(1));

    CacheHarness.cache(cache, "other", randomBytes(2, 2 * KIB));

    harness.runTimersUntil(() -> !cache.isCached(ImageId.of("other")));
    assertThat(cache.isCached(ImageId.of("kept"))).isTrue();
    assertThat(cache.cacheSize()).isEqualTo(3 * KIB);
  }

  @Test
  void theTimerPrunesACacheReopenedWithASmallerMaxSize() throws Exception {
    ImageCache large = harness.open(config().maxSize(10 * KIB).build());
    for (int i = 0; i < 4; i++) {
      CacheHarness.cache(large, String.valueOf(i), randomBytes(i, KIB));
      harness.clock.advance(Duration.ofSeconds(1));
    }
    large.close();

    ImageCache small = harness.open(config()
        .maxSize(2 * KIB).highWater(1.0).lowWater(0.5).pruneInterval(Duration.ofMinutes(1))
        .build());
    harness.scheduler.advance(Duration.ofSeconds(59));
    assertThat(small.cacheSize()).as("before the timer").isEqualTo(4 * KIB);

    harness.advanceUntil(Duration.ofMinutes(1), () -> small.cacheSize() == KIB);
    assertThat(cachedOf(small, "0", "1", "2", "3")).containsExactly("3");
  }

  @Test
  void aSmallerSizeBoundAppliedWhileOpenPrunesAtOnceAndBoundsLaterFills() throws Exception {
    ImageCache cache = harness.open(config()
        .maxSize(10 * KIB).highWater(1.0).lowWater(0.9).pruneInterval(Duration.ofHours(1))
        .build());
    for (int i = 0; i < 4; i++) {
      CacheHarness.cache(cache, String.valueOf(i), randomBytes(i, KIB));
      harness.clock.advance(Duration.ofSeconds(1));
    }
    CacheConfig smaller = cache.config().toBuilder().maxSize(3 * KIB).lowWater(0.5).build();

    cache.reconfigure(smaller);

    assertThat(cache.config()).isEqualTo(smaller);
    // The check is queued on the scheduler; the periodic one is an hour away.
    harness.runTimersUntil(() -> cache.cacheSize() == KIB);
    assertThat(cachedOf(cache, "0", "1", "2", "3")).containsExactly("3");
    Fill tooLarge = cache.fill(ImageId.of("big"), ScriptedSource.of(randomBytes(9, 4 * KIB)));
    assertThatThrownBy(() -> tooLarge.opened().get(WAIT.toSeconds(), TimeUnit.SECONDS))
        .hasCauseInstanceOf(NotCacheableException.class)
        .hasMessageContaining("exceed the cache's max size of 3.0 KiB");
  }

  @Test
  void aReconfigureThatChangesMoreThanTheSizeBoundIsRefusedAndChangesNothing() throws Exception {
    ImageCache cache = harness.open(config().maxSize(10 * KIB).build());
    CacheConfig before = cache.config();

    assertThatThrownBy(() -> cache.reconfigure(
            before.toBuilder().maxSize(5 * KIB).pruneInterval(Duration.ofSeconds(5)).build()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(
            "only the max size, the high- and low-water marks and the prefetch workers");
    assertThat(cache.config()).isEqualTo(before);
  }

  // ---- the periodic clean --------------------------------------------------------------------

  @Test
  void thePeriodicCleanRemovesInvalidFiles() throws Exception {
    harness.open(config().cleanInterval(Duration.ofMinutes(10)).build());
    Path broken = Files.write(dir.resolve("invalid").resolve("broken"), new byte[100]);
    harness.scheduler.advance(Duration.ofMinutes(9));
    assertThat(broken).as("before the timer").exists();

    harness.scheduler.advance(Duration.ofMinutes(1));

    assertThat(broken).doesNotExist();
  }

  // ---- helpers -------------------------------------------------------------------------------

  /** Starts one fill per source (images "0", "1", ...) from as many threads at once. */
  private static List<Fill> startTogether(ImageCache cache, List<ScriptedSource> sources)
      throws Exception {
    CyclicBarrier start = new CyclicBarrier(sources.size());
    ExecutorService threads = Executors.newFixedThreadPool(sources.size());
    try {
      List<Future<Fill>> started = new ArrayList<>();
      for (int i = 0; i < sources.size(); i++) {
        ImageId id = ImageId.of(String.valueOf(i));
        ScriptedSource source = sources.get(i);
        started.add(threads.submit(() -> {
          start.await();
          return cache.fill(id, source);
        }));
      }
      List<Fill> fills = new ArrayList<>();
      for (Future<Fill> fill : started) {
        fills.add(fill.get(WAIT.toSeconds(), TimeUnit.SECONDS));
      }
      return fills;
    } finally {
      threads.shutdownNow();
    }
  }

  private static List<String> cachedOf(ImageCache cache, String... ids) {
    return IntStream.range(0, ids.length)
        .mapToObj(i -> ids[i])
        .filter(id -> cache.isCached(ImageId.of(id)))
        .toList();
  }
}
