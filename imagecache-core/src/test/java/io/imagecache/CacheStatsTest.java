package io.imagecache;

import static io.imagecache.CacheHarness.WAIT;
import static io.imagecache.CacheHarness.randomBytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.imagecache.internal.fill.Fill;
import io.imagecache.internal.store.ContentDigest;
import io.imagecache.internal.store.DigestAlgorithm;
import io.imagecache.internal.store.ExpectedContent;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CacheStatsTest {
  private static final int KIB = 1024;
  private static final int MIB = 1024 * KIB;

  @TempDir Path dir;
  private CacheHarness harness;
  private ImageCache cache;

  @BeforeEach
  void setUp() throws IOException {
    harness = new CacheHarness();
    cache = harness.open(CacheHarness.config(dir).maxSize(64 * KIB).minFreeDisk(0).build());
  }

  @AfterEach
  void tearDown() throws Exception {
    harness.close();
  }

  @Test
  void aNewCacheCountsNothing() throws IOException {
    assertThat(cache.stats()).isEqualTo(new CacheStats(0, 0, 0, 0, 0, 0, 0, 0, Map.of(), 0, 0, 0));
  }

  @Test
  void fillsCountTheirOriginFetchesBytesAndCommits() throws Exception {
    CacheHarness.cache(cache, "a", randomBytes(1, 3 * KIB));
    CacheHarness.cache(cache, "b", randomBytes(2, 5 * KIB));
    ScriptedSource unused = ScriptedSource.of(randomBytes(1, 3 * KIB));

    cache.fill(ImageId.of("a"), unused).completion().get(WAIT.toSeconds(), TimeUnit.SECONDS);

    CacheStats stats = cache.stats();
    assertThat(unused.opens()).isZero();
    assertThat(stats.cachedBytes()).isEqualTo(8 * KIB);
    assertThat(stats.cachedImages()).isEqualTo(2);
    assertThat(stats.originFetches()).isEqualTo(2);
    assertThat(stats.originBytesRead()).isEqualTo(8 * KIB);
    assertThat(stats.fillsCommitted()).isEqualTo(2);
    assertThat(stats.fillFailures().values()).containsOnly(0L);
  }

  @Test
  void aLiveFillShowsItsReservationAndWaitingReaders() throws Exception {
    ImageCache large = reopenWithMaxSize(10 * MIB);
    ScriptedSource source = ScriptedSource.of(randomBytes(1, 2 * MIB)).pauseAfter(MIB);
    Fill fill = large.fill(ImageId.of("live"), source);
    assertThat(source.awaitPaused(WAIT)).isTrue();
    CompletableFuture<Long> first = fill.awaitBytes(MIB);
    CompletableFuture<Long> second = fill.awaitBytes(MIB + 10);

    CacheStats during = large.stats();

    assertThat(during.fillsInProgress()).isEqualTo(1);
    assertThat(during.reservedBytes()).isEqualTo(2 * MIB);
    assertThat(during.waitingReaders()).isEqualTo(2);

    source.resume();
    fill.completion().get(WAIT.toSeconds(), TimeUnit.SECONDS);
    assertThat(first.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isGreaterThan(MIB);
    assertThat(second.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isGreaterThan(MIB + 10);
    CacheStats after = large.stats();
    assertThat(after.fillsInProgress()).isZero();
    assertThat(after.reservedBytes()).isZero();
    assertThat(after.waitingReaders()).isZero();
  }

  @Test
  void failedFillsAreCountedByReason() throws Exception {
    byte[] content = randomBytes(1, 4 * KIB);
    failFill("origin", ScriptedSource.of(content).failOnOpen(new IOException("origin is down")),
        FillFailureReason.ORIGIN);
    failFill("truncated", ScriptedSource.of(content).failAfter(KIB), FillFailureReason.TRUNCATED);
    failFill("short", ScriptedSource.of(content).endAfter(KIB), FillFailureReason.TRUNCATED);
    failFill("digest", new ScriptedSource(content, new ExpectedContent(
        OptionalLong.of(content.length),
        List.of(new ContentDigest(DigestAlgorithm.MD5, "0".repeat(32))))),
        FillFailureReason.DIGEST);
    failFill("size", new ScriptedSource(content, new ExpectedContent(
        OptionalLong.of(content.length - 10), List.of())), FillFailureReason.SIZE);
    failFill("refused", ScriptedSource.of(randomBytes(2, 65 * KIB)), FillFailureReason.REFUSED);
    Path blocker = Files.createDirectories(dir.resolve("incomplete").resolve("disk"));
    Files.write(blocker.resolve("in-the-way"), new byte[1]);
    failFill("disk", ScriptedSource.of(content), FillFailureReason.DISK);
    // The blocker is the test's, not a writer's: out of incomplete/ again for the harness' check.
    Files.delete(blocker.resolve("in-the-way"));
    Files.delete(blocker);
    ScriptedSource paused = ScriptedSource.of(content).pauseAfter(KIB);
    Fill cancelled = cache.fill(ImageId.of("cancelled"), paused);
    assertThat(paused.awaitPaused(WAIT)).isTrue();
    cache.delete(ImageId.of("cancelled"));
    assertThatThrownBy(() -> cancelled.completion().get(WAIT.toSeconds(), TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .hasMessageContaining("cancelled");
    // Waiters fail at once on cancel; the fill counts its failure when its thread has ended.
    await().atMost(WAIT).until(() -> cache.stats().fillFailures(FillFailureReason.CANCELLED) == 1);

    CacheStats stats = cache.stats();

    Map<FillFailureReason, Long> expected = new EnumMap<>(FillFailureReason.class);
    expected.put(FillFailureReason.ORIGIN, 1L);
    expected.put(FillFailureReason.TRUNCATED, 2L);
    expected.put(FillFailureReason.DIGEST, 1L);
    expected.put(FillFailureReason.SIZE, 1L);
    expected.put(FillFailureReason.REFUSED, 1L);
    expected.put(FillFailureReason.DISK, 1L);
    expected.put(FillFailureReason.CANCELLED, 1L);
    assertThat(stats.fillFailures()).isEqualTo(expected);
    assertThat(stats.fillFailures(FillFailureReason.TRUNCATED)).isEqualTo(2);
    assertThat(stats.fillsCommitted()).isZero();
    assertThat(stats.originFetches()).isEqualTo(8);
    assertThat(stats.cachedImages()).isZero();
  }

  @Test
  void prunesCountTheirEvictions() throws Exception {
    CacheHarness.cache(cache, "a", randomBytes(1, KIB));
    CacheHarness.cache(cache, "b", randomBytes(2, 2 * KIB));

    cache.prune(0);

    CacheStats stats = cache.stats();
    assertThat(stats.evictions()).isEqualTo(2);
    assertThat(stats.bytesEvicted()).isEqualTo(3 * KIB);
    assertThat(stats.cachedBytes()).isZero();
  }

  @Test
  void aSnapshotRejectsNegativeValuesAndFillsInMissingReasons() {
    assertThatThrownBy(() -> new CacheStats(0, 0, -1, 0, 0, 0, 0, 0, Map.of(), 0, 0, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("reservedBytes must be >= 0: -1");
    assertThatThrownBy(() -> new CacheStats(
        0, 0, 0, 0, 0, 0, 0, 0, Map.of(FillFailureReason.DISK, -2L), 0, 0, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("fillFailures[disk] must be >= 0: -2");
    CacheStats stats = new CacheStats(
        0, 0, 0, 0, 0, 0, 0, 0, Map.of(FillFailureReason.DIGEST, 3L), 0, 0, 0);
    assertThat(stats.fillFailures()).hasSize(FillFailureReason.values().length);
    assertThat(stats.fillFailures(FillFailureReason.DIGEST)).isEqualTo(3);
    assertThat(stats.fillFailures(FillFailureReason.ORIGIN)).isZero();
  }

  // ---- helpers -------------------------------------------------------------------------------

  /**
   * Fills {@code id} from {@code source} and checks that the fill failed (its completion, not the
   * wait for it) and was counted under {@code reason}.
   */
  private void failFill(String id, ScriptedSource source, FillFailureReason reason)
      throws IOException {
    long before = cache.stats().fillFailures(reason);
    Fill fill = cache.fill(ImageId.of(id), source);
    assertThatThrownBy(() -> fill.completion().get(WAIT.toSeconds(), TimeUnit.SECONDS))
        .as("the fill of %s", id)
        .isInstanceOf(ExecutionException.class);
    await().atMost(WAIT).until(() -> cache.stats().fillFailures(reason) == before + 1);
    assertThat(cache.isCached(ImageId.of(id))).isFalse();
  }

  /** Closes the cache of this test and opens its directory again with another max size. */
  private ImageCache reopenWithMaxSize(long maxSize) throws IOException {
    cache.close();
    cache = harness.open(CacheHarness.config(dir).maxSize(maxSize).minFreeDisk(0).build());
    return cache;
  }
}
