package io.imagecache.internal.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.imagecache.CachedImage;
import io.imagecache.CleanResult;
import io.imagecache.ImageId;
import io.imagecache.testing.CacheInvariants;
import io.imagecache.testing.MutableClock;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@link CacheDriver} contract, run unchanged against every driver: Glance's driver scenarios
 * (spec §6, 1–24 where they concern a driver) plus what imagecache promises beyond Glance
 * (exclusive writers, verified commits, write-behind hits, recovery, pins).
 *
 * <p>A subclass supplies {@link #newDriver(Path)} and, when its store outlives a driver in some
 * other way than through the directory, {@link #reopenDriver(Path)}. It adds only the cases that
 * are specific to its store. Every driver is built over {@link #clock}, which stands still unless a
 * test moves it.
 */
public abstract class CacheDriverContractTest {
  /** Where {@link #clock} starts: a whole second, so every store keeps it exactly. */
  protected static final Instant START = Instant.parse("2026-03-01T12:00:00Z");
  /** Glance's default {@code image_cache_stall_time}. */
  protected static final Duration DEFAULT_STALL = Duration.ofHours(24);

  /** The clock every driver of a test must use. */
  protected final MutableClock clock = new MutableClock(START);

  @TempDir protected Path tempDir;

  /** The cache directory of the test; it does not exist before the driver configures it. */
  protected Path cacheDir;

  /** The configured driver under test. */
  protected CacheDriver driver;

  /** Further drivers a test started over the same directory; closed after the test. */
  private final List<CacheDriver> moreDrivers = new ArrayList<>();

  /** Why the test leaves files in {@code incomplete/} on purpose; null when it does not. */
  private String leftIncomplete;

  /**
   * A new, not yet configured driver over {@code dir} using {@link #clock}, with a fresh store.
   * Called once per test, before any other method of this class.
   */
  protected abstract CacheDriver newDriver(Path dir) throws Exception;

  /**
   * A new, not yet configured driver over {@code dir} that sees the store of the driver made
   * before (a restart). Defaults to {@link #newDriver(Path)}, which is right when the store lives
   * in the directory.
   */
  protected CacheDriver reopenDriver(Path dir) throws Exception {
    return newDriver(dir);
  }

  /**
   * Whether the store keeps metadata apart from the files, so that it can hold an entry for a file
   * that is gone. True for databases; a store that keeps metadata on the file itself returns
   * false, and the store-side checks of adoption, dropping and LRU-of-a-missing-file are skipped.
   */
  protected boolean storesMetadataApartFromFiles() {
    return true;
  }

  @BeforeEach
  final void openDriver() throws Exception {
    cacheDir = tempDir.resolve("cache");
    driver = newDriver(cacheDir);
    driver.configure();
  }

  /**
   * Closes the drivers, then checks that no file under the cache directory stays open and, unless
   * the test {@linkplain #leavesIncompleteFiles said otherwise}, that none is left in
   * {@code incomplete/}.
   */
  @AfterEach
  final void closeDrivers() throws IOException {
    for (CacheDriver other : moreDrivers) {
      other.close();
    }
    if (driver != null) {
      driver.close();
    }
    CacheInvariants.assertNoOpenFileUnder(tempDir);
    if (leftIncomplete == null) {
      CacheInvariants.assertNothingIncomplete(cacheDir);
    }
  }

  /** Says that the test leaves files in {@code incomplete/} on purpose, and why. */
  protected void leavesIncompleteFiles(String why) {
    leftIncomplete = why;
  }

  // ---------------------------------------------------------------- configure

  @Test
  void configure_createsGlanceLayoutAndPinDirectory() {
    for (String sub : List.of("incomplete", "invalid", "queue", "pinned")) {
      assertThat(cacheDir.resolve(sub)).isDirectory();
    }
  }

  @Test
  void configure_isIdempotentOverAnExistingDirectory() throws Exception {
    cache(id("1"), bytes(100, 1));

    reopen();

    assertThat(driver.isCached(id("1"))).isTrue();
    assertThat(read(id("1"))).isEqualTo(bytes(100, 1));
  }

  @Test
  void configure_directoryThatIsAFile_failsNamingThePath() throws Exception {
    Path notADirectory = Files.write(tempDir.resolve("plain-file"), new byte[] {1});
    CacheDriver broken = newDriverAlso(notADirectory);

    assertThatThrownBy(broken::configure)
        .isInstanceOf(BadDriverConfigurationException.class)
        .hasMessageContaining(notADirectory.toString());
  }

  // ---------------------------------------------------------------- readiness probes

  @Test
  void theStoreAnswersAndTheDirectoryTakesAProbeFileLeavingNoneBehind() throws IOException {
    driver.checkStore();
    driver.checkWritable();

    assertThat(cacheDir.resolve(CacheLayout.PROBE)).doesNotExist();
    assertThat(driver.cachedImages()).isEmpty();
  }

  @Test
  void aProbeFileLeftByACrashIsReplacedAndOneThatCannotBeCreatedFailsTheCheck()
      throws IOException {
    Path probe = cacheDir.resolve(CacheLayout.PROBE);
    Files.writeString(probe, "left by a crash");
    driver.checkWritable();
    assertThat(probe).doesNotExist();

    // Root is not stopped by a read-only mode: a non-empty directory in the way fails alike.
    Files.createDirectories(probe.resolve("in-the-way"));

    assertThatThrownBy(driver::checkWritable)
        .isInstanceOf(IOException.class)
        .hasMessageContaining(CacheLayout.PROBE);
    Files.delete(probe.resolve("in-the-way"));
    Files.delete(probe);
  }

  // ------------------------------------------------------- is_cached, read back, size (§6 1–3)

  @Test
  void emptyCache_hasNothingCachedQueuedOrListed() throws IOException {
    ImageId one = id("1");

    assertThat(driver.isCached(one)).isFalse();
    assertThat(driver.isBeingCached(one)).isFalse();
    assertThat(driver.isCacheable(one)).isTrue();
    assertThat(driver.isQueued(one)).isFalse();
    assertThat(driver.cacheSize()).isZero();
    assertThat(driver.cachedImages()).isEmpty();
    assertThat(driver.cachedImage(one)).isEmpty();
    assertThat(driver.hitCount(one)).isZero();
    assertThat(driver.leastRecentlyAccessed()).isEmpty();
    assertThat(driver.queuedImages()).isEmpty();
    assertThat(driver.openForRead(one)).isEmpty();
  }

  @Test
  void commit_makesTheImageCachedAndNoLongerCacheable() throws IOException {
    ImageId one = id("1");

    cache(one, bytes(1024, 1));

    assertThat(driver.isCached(one)).isTrue();
    assertThat(driver.isBeingCached(one)).isFalse();
    assertThat(driver.isCacheable(one)).isFalse();
    assertThat(cacheDir.resolve("1")).hasBinaryContent(bytes(1024, 1));
  }

  @Test
  void openForRead_returnsTheCommittedBytes() throws IOException {
    byte[] content = bytes(100_000, 2);
    cache(id("2"), content);

    assertThat(read(id("2"))).isEqualTo(content);
  }

  @Test
  void cacheSize_isTheSumOfCommittedFiles() throws IOException {
    cache(id("1"), bytes(1024, 1));
    cache(id("2"), bytes(2048, 2));

    assertThat(driver.cacheSize()).isEqualTo(3072);
    assertThat(driver.cachedImage(id("1")).orElseThrow().size()).isEqualTo(1024);
    try (CacheReader reader = driver.openForRead(id("1")).orElseThrow()) {
      assertThat(reader.size()).isEqualTo(1024);
      assertThat(reader.channel().size()).isEqualTo(1024);
    }
  }

  @Test
  void symbolicLinkInTheCacheDirectory_isNeverAnImage() throws IOException {
    Path secret = Files.write(tempDir.resolve("secret"), bytes(64, 9));
    Files.createSymbolicLink(cacheDir.resolve("linked"), secret);
    Files.createSymbolicLink(cacheDir.resolve("queue/linked"), secret);
    Files.createSymbolicLink(cacheDir.resolve("pinned/linked"), secret);

    assertThat(driver.isCached(id("linked"))).isFalse();
    assertThat(driver.openForRead(id("linked"))).isEmpty();
    assertThat(driver.isQueued(id("linked"))).isFalse();
    assertThat(driver.isPinned(id("linked"))).isFalse();
    assertThat(driver.cacheSize()).isZero();
  }

  @Test
  void symbolicLinkInTheCacheDirectory_isReplacedByAFillAndItsTargetUntouched() throws IOException {
    Path secret = Files.write(tempDir.resolve("secret"), bytes(64, 9));
    Files.createSymbolicLink(cacheDir.resolve("linked"), secret);

    cache(id("linked"), bytes(100, 3));

    assertThat(cacheDir.resolve("linked")).isRegularFile().hasBinaryContent(bytes(100, 3));
    assertThat(read(id("linked"))).isEqualTo(bytes(100, 3));
    assertThat(secret).hasBinaryContent(bytes(64, 9));
  }

  @Test
  void createdDirectoriesAndFiles_areNotWritableByOthers() throws IOException {
    ImageId one = id("1");
    cache(one, bytes(100, 1));
    driver.queue(id("2"));
    driver.pin(one);

    for (String sub : List.of("", "incomplete", "invalid", "queue", "pinned")) {
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(cacheDir.resolve(sub))))
          .as("mode of the cache directory %s", sub).isEqualTo("rwxr-x---");
    }
    for (String file : List.of("1", "queue/2", "pinned/1")) {
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(cacheDir.resolve(file))))
          .as("mode of %s", file).isEqualTo("rw-r-----");
    }
  }

  @Test
  void cacheSize_ignoresIncompleteInvalidAndQueuedFiles() throws IOException {
    leavesIncompleteFiles("a planted incomplete file that cacheSize ignores");
    cache(id("1"), bytes(1024, 1));
    Files.write(cacheDir.resolve("incomplete/2"), bytes(500, 2));
    Files.write(cacheDir.resolve("invalid/3"), bytes(700, 3));
    driver.queue(id("4"));

    assertThat(driver.cacheSize()).isEqualTo(1024);
  }

  @Test
  void cachedImages_areOrderedByIdWithSizeHitsAndChecksum() throws IOException {
    cache(id("b"), bytes(20, 2));
    cache(id("a"), bytes(10, 1));
    cache(id("c"), bytes(30, 3));

    List<CachedImage> images = driver.cachedImages();

    assertThat(images).extracting(CachedImage::imageId).containsExactly(id("a"), id("b"), id("c"));
    assertThat(images).extracting(CachedImage::size).containsExactly(10L, 20L, 30L);
    assertThat(images).extracting(CachedImage::hits).containsExactly(0L, 0L, 0L);
    assertThat(images.get(0).checksum()).contains(md5(bytes(10, 1)));
  }

  @Test
  void commit_recordsBothTimestampsAsTheCommitTime() throws IOException {
    Instant committedAt = clock.advance(Duration.ofSeconds(42));

    CachedImage committed = cache(id("1"), bytes(10, 1));

    assertThat(committed.lastModified()).isEqualTo(committedAt);
    assertThat(committed.lastAccessed()).isEqualTo(committedAt);
    CachedImage stored = driver.cachedImage(id("1")).orElseThrow();
    assertThat(stored.lastModified()).isEqualTo(committedAt);
    assertThat(stored.lastAccessed()).isEqualTo(committedAt);
  }

  // ---------------------------------------------------------------- delete, delete all (§6 4–5)

  @Test
  void delete_removesTheImageAndItsMetadataOnly() throws IOException {
    ImageId one = id("1");
    cache(one, bytes(1024, 1));
    Files.write(cacheDir.resolve("invalid/1"), bytes(10, 9));
    driver.queue(id("2"));

    assertThat(driver.delete(one)).isTrue();

    assertThat(driver.isCached(one)).isFalse();
    assertThat(driver.isCacheable(one)).isTrue();
    assertThat(driver.cachedImage(one)).isEmpty();
    assertThat(driver.cachedImages()).isEmpty();
    assertThat(driver.hitCount(one)).isZero();
    assertThat(driver.cacheSize()).isZero();
    assertThat(cacheDir.resolve("invalid/1")).exists();
    assertThat(driver.isQueued(id("2"))).isTrue();
  }

  @Test
  void delete_ofAnImageThatIsNotCached_returnsFalse() throws IOException {
    assertThat(driver.delete(id("missing"))).isFalse();
  }

  @Test
  void deleteAll_removesEveryImageAndCountsTheFiles() throws IOException {
    cache(id("1"), bytes(1024, 1));
    cache(id("2"), bytes(1024, 2));

    assertThat(driver.deleteAll()).isEqualTo(2);

    assertThat(driver.isCached(id("1"))).isFalse();
    assertThat(driver.isCached(id("2"))).isFalse();
    assertThat(driver.cachedImages()).isEmpty();
    assertThat(driver.cacheSize()).isZero();
    assertThat(driver.deleteAll()).isZero();
  }

  @Test
  void strayFiles_areNeverCountedListedOrDeletedAsImages() throws IOException {
    cache(id("1"), bytes(1024, 1));
    List<Path> strays = new ArrayList<>();
    for (String name : List.of("cache.db", "imagecache.lock", "admin-token", "not valid!")) {
      Path stray = cacheDir.resolve(name);
      if (!Files.exists(stray)) {
        Files.write(stray, bytes(333, name.length()));
      }
      strays.add(stray);
    }

    assertThat(driver.cacheSize()).isEqualTo(1024);
    assertThat(driver.cachedImages()).extracting(CachedImage::imageId).containsExactly(id("1"));
    assertThat(driver.deleteAll()).isEqualTo(1);
    for (Path stray : strays) {
      assertThat(stray).exists();
    }
    assertThat(driver.cacheSize()).isZero();
  }

  // ---------------------------------------------------------------- clean (§6 6–11)

  @Test
  void clean_removesEveryInvalidFile() throws IOException {
    Files.write(cacheDir.resolve("invalid/1"), bytes(100, 1));
    Files.write(cacheDir.resolve("invalid/2"), bytes(50, 2));

    CleanResult result = driver.clean(DEFAULT_STALL);

    assertThat(cacheDir.resolve("invalid/1")).doesNotExist();
    assertThat(cacheDir.resolve("invalid/2")).doesNotExist();
    assertThat(result).isEqualTo(new CleanResult(2, 0, 150));
  }

  @Test
  void removeInvalid_removesTheInvalidFilesAndNothingElse() throws IOException {
    leavesIncompleteFiles("the incomplete file removeInvalid keeps");
    Files.write(cacheDir.resolve("invalid/1"), bytes(100, 1));
    Path incomplete = Files.write(cacheDir.resolve("incomplete/2"), bytes(10, 2));

    CleanResult result = driver.removeInvalid();

    assertThat(cacheDir.resolve("invalid/1")).doesNotExist();
    assertThat(incomplete).exists();
    assertThat(result).isEqualTo(new CleanResult(1, 0, 100));
  }

  @Test
  void clean_withZeroStallTime_removesEveryIncompleteFile() throws IOException {
    Path incomplete = Files.write(cacheDir.resolve("incomplete/1"), bytes(10, 1));

    CleanResult result = driver.clean(Duration.ZERO);

    assertThat(incomplete).doesNotExist();
    assertThat(result).isEqualTo(new CleanResult(0, 1, 10));
    assertThat(driver.isBeingCached(id("1"))).isFalse();
  }

  @Test
  void clean_withDefaultStallTime_removesOnlyIncompleteFilesOlderThanADay() throws IOException {
    leavesIncompleteFiles("the fresh incomplete file clean keeps");
    Path old = incompleteFileAged(id("1"), Duration.ofDays(2));
    Path fresh = incompleteFileAged(id("2"), Duration.ofMinutes(1));

    CleanResult result = driver.clean(DEFAULT_STALL);

    assertThat(old).doesNotExist();
    assertThat(fresh).exists();
    assertThat(result.stalledFilesRemoved()).isEqualTo(1);
  }

  @Test
  void clean_withAnHourStallTime_removesADayOldFileAndKeepsAFreshOne() throws IOException {
    leavesIncompleteFiles("the fresh incomplete file clean keeps");
    Path old = incompleteFileAged(id("1"), Duration.ofDays(1));
    Path fresh = incompleteFileAged(id("2"), Duration.ofMinutes(5));

    driver.clean(Duration.ofHours(1));

    assertThat(old).doesNotExist();
    assertThat(fresh).exists();
  }

  @Test
  void clean_whenAStalledFileCannotBeDeleted_skipsItAndCarriesOn() throws IOException {
    leavesIncompleteFiles("the undeletable stalled file clean skips");
    // A non-empty directory where a stalled file is expected cannot be unlinked, even by root.
    Path undeletable = Files.createDirectory(cacheDir.resolve("incomplete/1"));
    Files.write(undeletable.resolve("inside"), bytes(1, 1));
    Files.setLastModifiedTime(undeletable, aged(Duration.ofDays(2)));
    Path stalled = incompleteFileAged(id("2"), Duration.ofDays(2));

    CleanResult result = driver.clean(DEFAULT_STALL);

    assertThat(undeletable).exists();
    assertThat(stalled).doesNotExist();
    assertThat(result.stalledFilesRemoved()).isEqualTo(1);
  }

  @Test
  void clean_whenAnInvalidFileCannotBeDeleted_fails() throws IOException {
    Path undeletable = Files.createDirectory(cacheDir.resolve("invalid/1"));
    Files.write(undeletable.resolve("inside"), bytes(1, 1));

    assertThatThrownBy(() -> driver.clean(DEFAULT_STALL)).isInstanceOf(IOException.class);

    assertThat(undeletable).exists();
  }

  @Test
  void clean_neverRemovesTheFileOfALiveWriter_evenWithZeroStallTime() throws IOException {
    ImageId one = id("1");
    byte[] content = bytes(4096, 1);
    try (CacheWriter writer = driver.openForWrite(one, ExpectedContent.unknown()).orElseThrow()) {
      writer.write(ByteBuffer.wrap(content, 0, 1000));
      Files.setLastModifiedTime(writer.file(), aged(Duration.ofDays(3)));

      CleanResult result = driver.clean(Duration.ZERO);

      assertThat(result).isEqualTo(CleanResult.NOTHING);
      assertThat(writer.file()).exists();
      writer.write(ByteBuffer.wrap(content, 1000, content.length - 1000));
      writer.commit();
    }
    assertThat(read(one)).isEqualTo(content);
  }

  @Test
  void clean_leavesCommittedImagesQueueMarkersAndMetadataAlone() throws IOException {
    cache(id("1"), bytes(10, 1));
    driver.queue(id("2"));

    assertThat(driver.clean(Duration.ZERO)).isEqualTo(CleanResult.NOTHING);

    assertThat(driver.isCached(id("1"))).isTrue();
    assertThat(driver.cachedImages()).hasSize(1);
    assertThat(driver.isQueued(id("2"))).isTrue();
  }

  // ------------------------------------------------ least recently accessed (§6 12–13, 25, 35)

  @Test
  void leastRecentlyAccessed_isTheFirstCommittedImageWhenNothingWasRead() throws IOException {
    cache(id("A"), bytes(9, 1));
    clock.advance(Duration.ofSeconds(1));
    cache(id("B"), bytes(9, 2));

    assertThat(driver.leastRecentlyAccessed()).contains(new LruEntry(id("A"), 9));
  }

  @Test
  void leastRecentlyAccessed_breaksTiesByTheLowerId() throws IOException {
    cache(id("b"), bytes(5, 1));
    cache(id("a"), bytes(7, 2));

    assertThat(driver.leastRecentlyAccessed()).contains(new LruEntry(id("a"), 7));
  }

  @Test
  void leastRecentlyAccessed_followsReadsNotYetFlushed() throws IOException {
    cache(id("1"), bytes(10, 1));
    cache(id("2"), bytes(20, 2));
    clock.advance(Duration.ofSeconds(1));
    read(id("1"));

    assertThat(driver.leastRecentlyAccessed()).contains(new LruEntry(id("2"), 20));
  }

  @Test
  void pruningByLeastRecentlyAccessed_evictsTheOldestReadsAndKeepsNewCommits() throws IOException {
    // Glance's test_prune (§6 12): max 5 KiB, ten 1 KiB images read in order, then 99 unread.
    for (int i = 0; i <= 9; i++) {
      clock.advance(Duration.ofSeconds(1));
      cache(id(Integer.toString(i)), bytes(1024, i));
    }
    for (int i = 0; i <= 9; i++) {
      clock.advance(Duration.ofSeconds(1));
      read(id(Integer.toString(i)));
    }
    clock.advance(Duration.ofSeconds(1));
    cache(id("99"), bytes(1024, 99));

    pruneTo(5 * 1024);

    assertThat(driver.cacheSize()).isEqualTo(5 * 1024);
    for (int i = 0; i <= 5; i++) {
      assertThat(driver.isCached(id(Integer.toString(i)))).as("image %d", i).isFalse();
    }
    for (String kept : List.of("6", "7", "8", "9", "99")) {
      assertThat(driver.isCached(id(kept))).as("image %s", kept).isTrue();
    }
  }

  @Test
  void pruningToZero_removesAReadImage() throws IOException {
    cache(id("1"), bytes(1024, 1));
    read(id("1"));

    pruneTo(0);

    assertThat(driver.cacheSize()).isZero();
    assertThat(driver.isCached(id("1"))).isFalse();
    assertThat(driver.leastRecentlyAccessed()).isEmpty();
  }

  @Test
  void leastRecentlyAccessed_ofAnImageWhoseFileIsGone_hasSizeZero() throws IOException {
    cache(id("1"), bytes(1024, 1));
    Files.delete(cacheDir.resolve("1"));

    Optional<LruEntry> lru = driver.leastRecentlyAccessed();

    if (storesMetadataApartFromFiles()) {
      assertThat(lru).contains(new LruEntry(id("1"), 0));
    } else {
      assertThat(lru).isEmpty();
    }
  }

  // ---------------------------------------------------------------- queue (§6 14–15, 34)

  @Test
  void queue_isRefusedWhenQueuedCachedOrBeingCached() throws IOException {
    ImageId one = id("1");

    assertThat(driver.queue(one)).isTrue();
    assertThat(driver.isQueued(one)).isTrue();
    assertThat(driver.isCacheable(one)).isTrue();
    assertThat(driver.queue(one)).isFalse();

    cache(one, bytes(10, 1));
    assertThat(driver.isQueued(one)).isFalse();
    assertThat(driver.queue(one)).isFalse();

    try (CacheWriter writer = openWriter(id("2"))) {
      assertThat(driver.isBeingCached(id("2"))).isTrue();
      assertThat(driver.queue(id("2"))).isFalse();
      writer.commit();
    }
    assertThat(driver.queuedImages()).isEmpty();
  }

  @Test
  void queuedImages_areOldestFirstWithTheIdBreakingTies() throws IOException {
    driver.queue(id("0"));
    driver.queue(id("1"));
    driver.queue(id("2"));
    assertThat(driver.queuedImages()).containsExactly(id("0"), id("1"), id("2"));

    driver.deleteAllQueued();
    driver.queue(id("b"));
    clock.advance(Duration.ofSeconds(1));
    driver.queue(id("a"));
    clock.advance(Duration.ofSeconds(1));
    driver.queue(id("c"));
    assertThat(driver.queuedImages()).containsExactly(id("b"), id("a"), id("c"));
  }

  @Test
  void deleteQueued_andDeleteAllQueued_removeMarkersAndSayHowMany() throws IOException {
    driver.queue(id("1"));
    driver.queue(id("2"));
    driver.queue(id("3"));

    assertThat(driver.deleteQueued(id("1"))).isTrue();
    assertThat(driver.deleteQueued(id("1"))).isFalse();
    assertThat(driver.deleteQueued(id("unknown"))).isFalse();
    assertThat(driver.queuedImages()).containsExactly(id("2"), id("3"));
    assertThat(driver.deleteAllQueued()).isEqualTo(2);
    assertThat(driver.queuedImages()).isEmpty();
    assertThat(driver.deleteAllQueued()).isZero();
  }

  // ---------------------------------------------------------------- writers (§6 16–22)

  @Test
  void writer_thatCompletes_leavesTheImageCachedAndNoLeftovers() throws IOException {
    byte[] content = bytes(10_000, 3);
    CachedImage committed;
    try (CacheWriter writer = openWriter(id("1"))) {
      assertThat(writer.imageId()).isEqualTo(id("1"));
      assertThat(writer.file()).isEqualTo(cacheDir.resolve("incomplete/1"));
      assertThat(driver.isBeingCached(id("1"))).isTrue();
      assertThat(driver.isCacheable(id("1"))).isFalse();
      writer.write(ByteBuffer.wrap(content, 0, 4000));
      writer.write(ByteBuffer.wrap(content, 4000, 6000));
      assertThat(writer.bytesWritten()).isEqualTo(10_000);
      committed = writer.commit();
    }

    assertThat(committed.imageId()).isEqualTo(id("1"));
    assertThat(committed.size()).isEqualTo(10_000);
    assertThat(committed.hits()).isZero();
    assertThat(committed.checksum()).contains(md5(content));
    assertThat(driver.cachedImage(id("1")).orElseThrow().checksum()).contains(md5(content));
    assertNoLeftovers(id("1"));
    assertThat(read(id("1"))).isEqualTo(content);
  }

  @Test
  void writer_thatDiscards_leavesNoFileAnywhere() throws IOException {
    CacheWriter writer = openWriter(id("1"));
    writer.write(ByteBuffer.wrap(bytes(300, 1)));

    writer.discard("no room for more");

    assertThat(driver.isCached(id("1"))).isFalse();
    assertThat(driver.isBeingCached(id("1"))).isFalse();
    assertThat(cacheDir.resolve("invalid/1")).doesNotExist();
    assertThatThrownBy(writer::commit).isInstanceOf(IllegalStateException.class);
    writer.close();
    assertThat(cacheDir.resolve("invalid/1")).doesNotExist();
    // The id is free for a new writer.
    try (CacheWriter next = openWriter(id("1"))) {
      assertThat(next.file()).exists();
    }
  }

  @Test
  void writer_thatAborts_leavesNothingCachedAndTheFileInInvalid() throws IOException {
    CacheWriter writer = openWriter(id("1"));
    writer.write(ByteBuffer.wrap(bytes(300, 1)));

    writer.abort("origin failed after 300 bytes");

    assertThat(driver.isCached(id("1"))).isFalse();
    assertThat(driver.isBeingCached(id("1"))).isFalse();
    assertThat(driver.isCacheable(id("1"))).isTrue();
    assertThat(driver.cachedImages()).isEmpty();
    assertThat(cacheDir.resolve("invalid/1")).hasBinaryContent(bytes(300, 1));
    assertThatThrownBy(writer::commit).isInstanceOf(IllegalStateException.class);
    writer.close();
    assertThat(cacheDir.resolve("invalid/1")).exists();
  }

  @Test
  void writer_closedWithoutCommit_leavesNothingCachedAndTheFileInInvalid() throws IOException {
    try (CacheWriter writer = openWriter(id("1"))) {
      writer.write(ByteBuffer.wrap(bytes(100, 1)));
    }

    assertThat(driver.isCached(id("1"))).isFalse();
    assertThat(driver.cachedImages()).isEmpty();
    assertThat(cacheDir.resolve("incomplete/1")).doesNotExist();
    assertThat(cacheDir.resolve("invalid/1")).hasBinaryContent(bytes(100, 1));
  }

  @Test
  void writer_withTheRightMd5_commits() throws IOException {
    byte[] content = bytes(5000, 4);

    CachedImage committed =
        cache(id("1"), content, expecting(content.length, DigestAlgorithm.MD5, content));

    assertThat(committed.checksum()).contains(md5(content));
    assertThat(driver.isCached(id("1"))).isTrue();
  }

  @Test
  void writer_withAWrongMd5_failsAndCachesNothing() throws IOException {
    byte[] content = bytes(5000, 4);
    ExpectedContent expected = expecting(content.length, DigestAlgorithm.MD5, bytes(5000, 5));

    assertMismatch(id("1"), content, expected, "md5");
  }

  @Test
  void writer_withTheRightSha512_commits() throws IOException {
    byte[] content = bytes(5000, 6);

    cache(id("1"), content, expecting(content.length, DigestAlgorithm.SHA_512, content));

    assertThat(read(id("1"))).isEqualTo(content);
  }

  @Test
  void writer_withAWrongSha512_failsAndCachesNothing_evenWhenTheMd5IsRight() throws IOException {
    byte[] content = bytes(5000, 6);
    ExpectedContent expected = new ExpectedContent(
        OptionalLong.of(content.length),
        List.of(
            digest(DigestAlgorithm.MD5, content),
            digest(DigestAlgorithm.SHA_512, bytes(5000, 7))));

    assertMismatch(id("1"), content, expected, "sha512");
  }

  @Test
  void writer_withFewerBytesThanExpected_failsAndCachesNothing() throws IOException {
    ExpectedContent expected = new ExpectedContent(OptionalLong.of(2048), List.of());

    assertMismatch(id("1"), bytes(1024, 1), expected, "2048");
  }

  @Test
  void writer_withMoreBytesThanExpected_failsAndCachesNothing() throws IOException {
    ExpectedContent expected = new ExpectedContent(OptionalLong.of(1000), List.of());

    assertMismatch(id("1"), bytes(1024, 1), expected, "1000");
  }

  @Test
  void writer_committedTwice_throwsAndTheImageStaysCached() throws IOException {
    byte[] content = bytes(100, 1);
    try (CacheWriter writer = openWriter(id("1"))) {
      writer.write(ByteBuffer.wrap(content));
      writer.commit();

      assertThatThrownBy(writer::commit).isInstanceOf(IllegalStateException.class);
      assertThatThrownBy(() -> writer.write(ByteBuffer.wrap(content)))
          .isInstanceOf(IllegalStateException.class);
      writer.abort("too late");
    }

    assertThat(read(id("1"))).isEqualTo(content);
    assertThat(cacheDir.resolve("invalid/1")).doesNotExist();
  }

  @Test
  void writer_ofACachedImage_replacesItAndResetsItsHits() throws IOException {
    cache(id("1"), bytes(100, 1));
    read(id("1"));

    cache(id("1"), bytes(200, 2));

    assertThat(read(id("1"))).isEqualTo(bytes(200, 2));
    driver.flushAccesses();
    CachedImage image = driver.cachedImage(id("1")).orElseThrow();
    assertThat(image.size()).isEqualTo(200);
    assertThat(image.hits()).isEqualTo(1);
    assertThat(driver.cachedImages()).hasSize(1);
  }

  @Test
  void secondWriterOfTheSameId_getsNothing_andTheFirstStillCommitsItsBytes() throws IOException {
    byte[] content = bytes(8192, 8);
    try (CacheWriter first = openWriter(id("1"))) {
      first.write(ByteBuffer.wrap(content, 0, 4096));

      assertThat(driver.openForWrite(id("1"), ExpectedContent.unknown())).isEmpty();

      first.write(ByteBuffer.wrap(content, 4096, 4096));
      first.commit();
    }

    assertThat(read(id("1"))).isEqualTo(content);
    try (CacheWriter next = openWriter(id("1"))) {
      next.abort("only checking that a new writer may open");
    }
  }

  @Test
  void writersOfDifferentIds_areIndependent() throws IOException {
    try (CacheWriter one = openWriter(id("1"));
        CacheWriter two = openWriter(id("2"))) {
      one.write(ByteBuffer.wrap(bytes(10, 1)));
      two.write(ByteBuffer.wrap(bytes(20, 2)));
      two.commit();
      one.abort("test");
    }

    assertThat(driver.isCached(id("2"))).isTrue();
    assertThat(driver.isCached(id("1"))).isFalse();
  }

  @Test
  void openForWrite_overAnIncompleteFileLeftByACrash_startsAfresh() throws IOException {
    Files.write(cacheDir.resolve("incomplete/1"), bytes(5000, 9));
    byte[] content = bytes(100, 1);

    cache(id("1"), content);

    assertThat(read(id("1"))).isEqualTo(content);
  }

  @Test
  void readers_canFollowTheIncompleteFileUpToBytesWritten() throws IOException {
    byte[] content = bytes(64 * 1024, 10);
    try (CacheWriter writer = openWriter(id("1"));
        FileChannel follower = FileChannel.open(writer.file(), StandardOpenOption.READ)) {
      writer.write(ByteBuffer.wrap(content, 0, 10_000));
      assertThat(readFrom(follower, 0, writer.bytesWritten()))
          .isEqualTo(Arrays.copyOfRange(content, 0, 10_000));

      writer.write(ByteBuffer.wrap(content, 10_000, content.length - 10_000));
      long written = writer.bytesWritten();
      assertThat(readFrom(follower, 10_000, written - 10_000))
          .isEqualTo(Arrays.copyOfRange(content, 10_000, content.length));

      writer.commit();
      assertThat(readFrom(follower, 0, content.length)).isEqualTo(content);
    }
  }

  @Test
  void bytesWritten_isVisibleToOtherThreads() throws Exception {
    ExecutorService observer = Executors.newSingleThreadExecutor();
    try (CacheWriter writer = openWriter(id("1"))) {
      writer.write(ByteBuffer.wrap(bytes(777, 1)));

      Future<Long> seen = observer.submit(writer::bytesWritten);

      assertThat(seen.get(10, TimeUnit.SECONDS)).isEqualTo(777);
      writer.commit();
    } finally {
      observer.shutdownNow();
    }
  }

  // ---------------------------------------------------------------- hits

  @Test
  void openForRead_countsAHitVisibleBeforeAndAfterTheFlush() throws IOException {
    cache(id("1"), bytes(10, 1));
    assertThat(driver.hitCount(id("1"))).isZero();
    Instant readAt = clock.advance(Duration.ofSeconds(30));

    read(id("1"));
    read(id("1"));

    assertThat(driver.hitCount(id("1"))).isEqualTo(2);
    assertThat(driver.cachedImage(id("1")).orElseThrow().hits()).isEqualTo(2);
    assertThat(driver.cachedImage(id("1")).orElseThrow().lastAccessed()).isEqualTo(readAt);
    assertThat(driver.cachedImages()).extracting(CachedImage::hits).containsExactly(2L);

    driver.flushAccesses();
    driver.flushAccesses();

    assertThat(driver.hitCount(id("1"))).isEqualTo(2);
    CachedImage image = driver.cachedImage(id("1")).orElseThrow();
    assertThat(image.hits()).isEqualTo(2);
    assertThat(image.lastAccessed()).isEqualTo(readAt);
    assertThat(image.lastModified()).isEqualTo(START);
  }

  @Test
  void hits_surviveCloseAndReopen() throws Exception {
    cache(id("1"), bytes(10, 1));
    read(id("1"));
    driver.flushAccesses();
    read(id("1"));
    read(id("1"));

    reopen();

    assertThat(driver.hitCount(id("1"))).isEqualTo(3);
    assertThat(driver.cachedImages()).extracting(CachedImage::hits).containsExactly(3L);
  }

  @Test
  void hitCount_ofAnImageThatIsNotCached_isZero() throws IOException {
    cache(id("1"), bytes(10, 1));
    read(id("1"));

    driver.delete(id("1"));

    assertThat(driver.hitCount(id("1"))).isZero();
    driver.flushAccesses();
    assertThat(driver.hitCount(id("1"))).isZero();
  }

  @Test
  void concurrentReadsAndFlushes_loseNoHit() throws Exception {
    cache(id("1"), bytes(10, 1));
    int threads = 4;
    int readsPerThread = 50;
    ExecutorService readers = Executors.newFixedThreadPool(threads);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        done.add(readers.submit(() -> {
          for (int i = 0; i < readsPerThread; i++) {
            try (CacheReader reader = driver.openForRead(id("1")).orElseThrow()) {
              reader.size();
            }
          }
          return null;
        }));
      }
      while (!done.stream().allMatch(Future::isDone)) {
        driver.flushAccesses();
      }
      for (Future<?> future : done) {
        future.get();
      }
    } finally {
      readers.shutdownNow();
    }

    assertThat(driver.hitCount(id("1"))).isEqualTo((long) threads * readsPerThread);
    driver.flushAccesses();
    assertThat(driver.hitCount(id("1"))).isEqualTo((long) threads * readsPerThread);
  }

  @Test
  void reader_keepsReadingAnImageDeletedMeanwhile() throws IOException {
    byte[] content = bytes(4096, 1);
    cache(id("1"), content);

    try (CacheReader reader = driver.openForRead(id("1")).orElseThrow()) {
      driver.delete(id("1"));

      assertThat(readFrom(reader.channel(), 0, reader.size())).isEqualTo(content);
    }
    assertThat(driver.openForRead(id("1"))).isEmpty();
  }

  // ---------------------------------------------------------------- reads without blocking

  @Test
  void openWithoutBlocking_afterARead_servesTheHeldFileAndCountsAHit() throws IOException {
    byte[] content = bytes(5000, 3);
    cache(id("1"), content);
    assertThat(driver.openWithoutBlocking(id("1"))).isEmpty();
    driver.openForRead(id("1")).orElseThrow().close();

    try (CacheReader reader = driver.openWithoutBlocking(id("1")).orElseThrow()) {
      assertThat(reader.size()).isEqualTo(5000);
      assertThat(reader.image().checksum()).contains(md5(content));
      assertThat(readFrom(reader.channel(), 0, reader.size())).isEqualTo(content);
    }
    assertThat(driver.hitCount(id("1"))).isEqualTo(2);
  }

  @Test
  void openWithoutBlocking_afterDelete_isEmpty_andAReaderKeepsTheOldBytesUntilItCloses()
      throws IOException {
    byte[] content = bytes(4096, 4);
    cache(id("1"), content);
    driver.openForRead(id("1")).orElseThrow().close();
    CacheReader reader = driver.openWithoutBlocking(id("1")).orElseThrow();

    driver.delete(id("1"));

    assertThat(driver.openWithoutBlocking(id("1"))).isEmpty();
    assertThat(readFrom(reader.channel(), 0, reader.size())).isEqualTo(content);
    reader.close();
    assertThat(reader.channel().isOpen()).isFalse();
  }

  @Test
  void openWithoutBlocking_afterTheImageWasCachedAgain_servesOnlyTheNewBytes() throws IOException {
    cache(id("1"), bytes(3000, 5));
    driver.openForRead(id("1")).orElseThrow().close();
    driver.delete(id("1"));
    byte[] replacement = bytes(2000, 6);
    cache(id("1"), replacement);

    assertThat(driver.openWithoutBlocking(id("1"))).isEmpty();
    driver.openForRead(id("1")).orElseThrow().close();
    try (CacheReader reader = driver.openWithoutBlocking(id("1")).orElseThrow()) {
      assertThat(readFrom(reader.channel(), 0, reader.size())).isEqualTo(replacement);
    }
  }

  @Test
  void openWithoutBlocking_afterDeleteAll_isEmpty() throws IOException {
    cache(id("1"), bytes(100, 1));
    cache(id("2"), bytes(200, 2));
    driver.openForRead(id("1")).orElseThrow().close();
    driver.openForRead(id("2")).orElseThrow().close();

    driver.deleteAll();

    assertThat(driver.openWithoutBlocking(id("1"))).isEmpty();
    assertThat(driver.openWithoutBlocking(id("2"))).isEmpty();
  }

  @Test
  void openWithoutBlocking_ofAFileTheStoreDoesNotKnow_isEmpty() throws IOException {
    Files.write(cacheDir.resolve("unindexed"), bytes(500, 5));
    driver.openForRead(id("unindexed")).orElseThrow().close();

    assertThat(driver.openWithoutBlocking(id("unindexed"))).isEmpty();
  }

  @Test
  void reader_describesTheImage() throws IOException {
    byte[] content = bytes(321, 1);
    cache(id("1"), content);

    try (CacheReader reader = driver.openForRead(id("1")).orElseThrow()) {
      assertThat(reader.image().imageId()).isEqualTo(id("1"));
      assertThat(reader.image().size()).isEqualTo(321);
      assertThat(reader.image().checksum()).contains(md5(content));
      assertThat(reader.channel().position()).isZero();
    }
  }

  @Test
  void openForRead_ofAFileTheStoreDoesNotKnow_servesItWithoutChecksum() throws IOException {
    byte[] content = bytes(500, 5);
    Files.write(cacheDir.resolve("unindexed"), content);

    try (CacheReader reader = driver.openForRead(id("unindexed")).orElseThrow()) {
      assertThat(reader.image().size()).isEqualTo(500);
      assertThat(reader.image().checksum()).isEmpty();
      assertThat(readFrom(reader.channel(), 0, reader.size())).isEqualTo(content);
    }
  }

  // ------------------------------ start-up: removeIncomplete, then reconcile (crash and restart)

  @Test
  void removeIncomplete_removesIncompleteFilesLeftByACrash() throws Exception {
    Files.write(cacheDir.resolve("incomplete/1"), bytes(500, 1));

    CacheDriver restarted = startAnotherDriver();

    assertThat(restarted.removeIncomplete()).containsExactly(id("1"));
    assertThat(cacheDir.resolve("incomplete/1")).doesNotExist();
    assertThat(restarted.isCacheable(id("1"))).isTrue();
  }

  @Test
  void removeIncomplete_keepsTheFileOfALiveWriter() throws IOException {
    try (CacheWriter writer = openWriter(id("1"))) {
      writer.write(ByteBuffer.wrap(bytes(10, 1)));

      assertThat(driver.removeIncomplete()).isEmpty();

      assertThat(writer.file()).exists();
      writer.commit();
    }
    assertThat(driver.isCached(id("1"))).isTrue();
  }

  @Test
  void reconcile_adoptsACommittedFileTheStoreDoesNotKnow() throws Exception {
    cache(id("known"), bytes(10, 1));
    byte[] orphan = bytes(2222, 2);
    Files.write(cacheDir.resolve("orphan"), orphan);

    CacheDriver restarted = startAnotherDriver();
    RecoveryReport report = restarted.reconcile();

    if (storesMetadataApartFromFiles()) {
      assertThat(report.adopted()).containsExactly(id("orphan"));
    }
    CachedImage adopted = restarted.cachedImage(id("orphan")).orElseThrow();
    assertThat(adopted.size()).isEqualTo(2222);
    assertThat(adopted.hits()).isZero();
    assertThat(restarted.cachedImages()).extracting(CachedImage::imageId)
        .containsExactly(id("known"), id("orphan"));
    try (CacheReader reader = restarted.openForRead(id("orphan")).orElseThrow()) {
      assertThat(readFrom(reader.channel(), 0, reader.size())).isEqualTo(orphan);
    }
  }

  @Test
  void reconcile_dropsEntriesWhoseFileIsGone() throws Exception {
    cache(id("gone"), bytes(10, 1));
    cache(id("kept"), bytes(10, 2));
    driver.close();
    driver = null;
    Files.delete(cacheDir.resolve("gone"));

    driver = reopenDriver(cacheDir);
    driver.configure();
    RecoveryReport report = driver.reconcile();

    if (storesMetadataApartFromFiles()) {
      assertThat(report.dropped()).containsExactly(id("gone"));
    }
    assertThat(driver.cachedImages()).extracting(CachedImage::imageId).containsExactly(id("kept"));
    assertThat(driver.leastRecentlyAccessed()).contains(new LruEntry(id("kept"), 10));
  }

  @Test
  void reconcile_keepsTheHitsOfKnownImages() throws Exception {
    cache(id("1"), bytes(10, 1));
    read(id("1"));
    read(id("1"));
    driver.flushAccesses();

    CacheDriver restarted = startAnotherDriver();
    RecoveryReport report = restarted.reconcile();

    assertThat(report.adopted()).isEmpty();
    assertThat(report.dropped()).isEmpty();
    assertThat(restarted.hitCount(id("1"))).isEqualTo(2);
  }

  @Test
  void reconcile_namesUnknownFilesAndLeavesThemAlone() throws Exception {
    Files.write(cacheDir.resolve("not valid!"), bytes(10, 1));
    Files.createDirectory(cacheDir.resolve("some-directory"));
    Files.write(cacheDir.resolve("imagecache.lock"), new byte[0]);
    Files.write(cacheDir.resolve("admin-token"), bytes(32, 2));

    RecoveryReport report = driver.reconcile();

    assertThat(report.unknownFiles()).containsExactlyInAnyOrder("not valid!", "some-directory");
    assertThat(cacheDir.resolve("not valid!")).exists();
    assertThat(report.adopted()).isEmpty();
    assertThat(driver.cachedImages()).isEmpty();
  }

  @Test
  void startUp_ofACleanDirectory_reportsNothing() throws IOException {
    cache(id("1"), bytes(10, 1));

    assertThat(driver.removeIncomplete()).isEmpty();
    assertThat(driver.reconcile()).isEqualTo(new RecoveryReport(List.of(), List.of(), List.of()));
  }

  // ---------------------------------------------------------------- pins and nodes

  @Test
  void pins_areMarkersThatCanBeListedAndRemoved() throws IOException {
    cache(id("1"), bytes(10, 1));

    assertThat(driver.isPinned(id("1"))).isFalse();
    assertThat(driver.pin(id("1"))).isTrue();
    assertThat(driver.pin(id("1"))).isFalse();
    assertThat(driver.pin(id("0"))).isTrue();
    assertThat(driver.isPinned(id("1"))).isTrue();
    assertThat(driver.pinnedImages()).containsExactly(id("0"), id("1"));
    assertThat(driver.unpin(id("1"))).isTrue();
    assertThat(driver.unpin(id("1"))).isFalse();
    assertThat(driver.pinnedImages()).containsExactly(id("0"));
    assertThat(driver.cacheSize()).isEqualTo(10);
  }

  @Test
  void cachedNodes_isOnlyAvailableWhenTheDriverTracksNodes() throws IOException {
    cache(id("1"), bytes(10, 1));

    if (driver.tracksNodes()) {
      assertThat(driver.cachedNodes(id("1"))).hasSize(1);
      assertThat(driver.cachedNodes(id("2"))).isEmpty();
    } else {
      assertThatThrownBy(() -> driver.cachedNodes(id("1")))
          .isInstanceOf(UnsupportedOperationException.class);
    }
  }

  // --------------------------------------------------- metadata equals disk under concurrency

  @Test
  void delete_racingANewCommitOfTheSameId_leavesIndexAndFilesEqual() throws Exception {
    ImageId raced = id("raced");
    cache(raced, bytes(100, 1));

    raceWithACommitOf(raced, () -> driver.delete(raced));

    assertIndexMatchesDisk();
  }

  @Test
  void deleteAll_racingANewCommit_leavesIndexAndFilesEqual() throws Exception {
    cache(id("old"), bytes(100, 1));

    raceWithACommitOf(id("new"), () -> driver.deleteAll());

    assertIndexMatchesDisk();
  }

  /**
   * Fills, deletes, delete-alls, hits, flushes, reconciliations and LRU reads of a few ids from
   * several threads for a bounded time; then the index lists exactly the committed files.
   */
  @Test
  void concurrentFillsDeletesAndHits_leaveIndexAndFilesEqual() throws Exception {
    List<ImageId> ids = List.of(id("c0"), id("c1"), id("c2"), id("c3"), id("c4"));
    long until = System.nanoTime() + Duration.ofMillis(1500).toNanos();
    ExecutorService workers = Executors.newFixedThreadPool(4);
    try {
      List<Future<Integer>> done = new ArrayList<>();
      for (int w = 0; w < 4; w++) {
        Random random = new Random(w);
        done.add(workers.submit(() -> {
          int operations = 0;
          while (System.nanoTime() < until) {
            ImageId target = ids.get(random.nextInt(ids.size()));
            int pick = random.nextInt(100);
            if (pick < 40) {
              Optional<CacheWriter> writer = driver.openForWrite(target, ExpectedContent.unknown());
              if (writer.isPresent()) {
                try (CacheWriter open = writer.get()) {
                  open.write(ByteBuffer.wrap(bytes(64 + random.nextInt(64), pick)));
                  open.commit();
                }
              }
            } else if (pick < 65) {
              driver.delete(target);
            } else if (pick < 70) {
              driver.deleteAll();
            } else if (pick < 90) {
              driver.openForRead(target).ifPresent(reader -> {
                try {
                  reader.close();
                } catch (IOException e) {
                  throw new IllegalStateException(e);
                }
              });
            } else if (pick < 94) {
              driver.flushAccesses();
            } else if (pick < 97) {
              driver.reconcile();
            } else {
              driver.leastRecentlyAccessed();
            }
            operations++;
          }
          return operations;
        }));
      }
      for (Future<Integer> worker : done) {
        assertThat(worker.get(30, TimeUnit.SECONDS)).isPositive();
      }
    } finally {
      workers.shutdownNow();
      assertThat(workers.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
    }

    assertIndexMatchesDisk();
  }

  /**
   * Runs {@code change} on another thread while this one holds the driver's metadata lock; once
   * the change waits for the lock, commits a new image {@code id} here (the lock is reentrant),
   * then lets the change go on. The interleaving the unlocked delete lost entries in.
   */
  private void raceWithACommitOf(ImageId id, Callable<?> change) throws Exception {
    ReentrantLock lock = ((FileCacheDriver) driver).metadataLock();
    ExecutorService other = Executors.newSingleThreadExecutor();
    AtomicReference<Thread> changer = new AtomicReference<>();
    try {
      Future<?> changed;
      lock.lock();
      try {
        changed = other.submit(() -> {
          changer.set(Thread.currentThread());
          return change.call();
        });
        await().atMost(Duration.ofSeconds(10))
            .until(() -> changer.get() != null && lock.hasQueuedThread(changer.get()));
        cache(id, bytes(200, 2));
      } finally {
        lock.unlock();
      }
      changed.get(10, TimeUnit.SECONDS);
    } finally {
      other.shutdownNow();
    }
  }

  /** Asserts that the index lists exactly the committed files on disk, and nothing is pending. */
  protected void assertIndexMatchesDisk() throws IOException {
    List<ImageId> onDisk = new ArrayList<>();
    for (CacheFile file : new CacheLayout(cacheDir).cacheFiles()) {
      onDisk.add(file.id());
    }
    assertThat(driver.cachedImages()).extracting(CachedImage::imageId)
        .containsExactlyInAnyOrderElementsOf(onDisk);
    assertThat(cacheDir.resolve("incomplete")).isEmptyDirectory();
  }

  // ---------------------------------------------------------------- helpers

  /** Parses an image id. */
  protected static ImageId id(String value) {
    return ImageId.of(value);
  }

  /** {@code size} reproducible pseudo-random bytes. */
  protected static byte[] bytes(int size, int seed) {
    byte[] data = new byte[size];
    new Random(seed).nextBytes(data);
    return data;
  }

  /** The lower-case hex MD5 of {@code data}. */
  protected static String md5(byte[] data) {
    return digest(DigestAlgorithm.MD5, data).hex();
  }

  /** The digest of {@code data} with {@code algorithm}. */
  protected static ContentDigest digest(DigestAlgorithm algorithm, byte[] data) {
    return ContentDigest.of(algorithm, algorithm.newMessageDigest().digest(data));
  }

  /** Expected: {@code size} bytes with the {@code algorithm} digest of {@code digestOf}. */
  protected static ExpectedContent expecting(
      long size, DigestAlgorithm algorithm, byte[] digestOf) {
    return new ExpectedContent(OptionalLong.of(size), List.of(digest(algorithm, digestOf)));
  }

  /** Writes and commits {@code content} as {@code id} with nothing expected. */
  protected CachedImage cache(ImageId id, byte[] content) throws IOException {
    return cache(id, content, ExpectedContent.unknown());
  }

  /** Writes and commits {@code content} as {@code id}. */
  protected CachedImage cache(ImageId id, byte[] content, ExpectedContent expected)
      throws IOException {
    try (CacheWriter writer = driver.openForWrite(id, expected).orElseThrow()) {
      writer.write(ByteBuffer.wrap(content));
      return writer.commit();
    }
  }

  /** Reads the whole committed image through {@link CacheDriver#openForRead}, counting a hit. */
  protected byte[] read(ImageId id) throws IOException {
    try (CacheReader reader = driver.openForRead(id).orElseThrow()) {
      return readFrom(reader.channel(), 0, reader.size());
    }
  }

  /** Reads {@code length} bytes at {@code position} of {@code channel}. */
  protected static byte[] readFrom(FileChannel channel, long position, long length)
      throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteBuffer buffer = ByteBuffer.allocate(8192);
    long offset = position;
    long end = position + length;
    while (offset < end) {
      buffer.clear().limit((int) Math.min(buffer.capacity(), end - offset));
      int n = channel.read(buffer, offset);
      if (n < 0) {
        break;
      }
      out.write(buffer.array(), 0, n);
      offset += n;
    }
    return out.toByteArray();
  }

  /** Closes the driver and configures a new one over the same directory and store. */
  protected void reopen() throws Exception {
    driver.close();
    driver = null;
    driver = reopenDriver(cacheDir);
    driver.configure();
  }

  /** A second configured driver over the same directory and store, as after a crash. */
  protected CacheDriver startAnotherDriver() throws Exception {
    CacheDriver other = reopenDriver(cacheDir);
    moreDrivers.add(other);
    other.configure();
    return other;
  }

  /** A fresh, unconfigured driver over another directory, closed after the test. */
  private CacheDriver newDriverAlso(Path dir) throws Exception {
    CacheDriver other = newDriver(dir);
    moreDrivers.add(other);
    return other;
  }

  /** An incomplete file for {@code id} whose mtime is {@code age} before the clock. */
  protected Path incompleteFileAged(ImageId id, Duration age) throws IOException {
    Path file = Files.write(cacheDir.resolve("incomplete").resolve(id.value()), bytes(10, 1));
    Files.setLastModifiedTime(file, aged(age));
    return file;
  }

  /** The file time {@code age} before the clock. */
  protected FileTime aged(Duration age) {
    return FileTime.from(clock.instant().minus(age));
  }

  /** Opens the writer of {@code id} with nothing expected; fails if another writer has it. */
  protected CacheWriter openWriter(ImageId id) throws IOException {
    return driver.openForWrite(id, ExpectedContent.unknown()).orElseThrow();
  }

  /** Deletes least recently accessed images until the cache holds at most {@code maxSize} bytes. */
  private void pruneTo(long maxSize) throws IOException {
    while (driver.cacheSize() > maxSize) {
      LruEntry victim = driver.leastRecentlyAccessed().orElseThrow();
      driver.delete(victim.imageId());
    }
  }

  /** Asserts that a write of {@code content} against {@code expected} fails and caches nothing. */
  private void assertMismatch(ImageId id, byte[] content, ExpectedContent expected, String reason)
      throws IOException {
    try (CacheWriter writer = driver.openForWrite(id, expected).orElseThrow()) {
      writer.write(ByteBuffer.wrap(content));

      assertThatThrownBy(writer::commit)
          .isInstanceOf(ContentMismatchException.class)
          .hasMessageContaining(reason)
          .satisfies(e -> assertThat(((ContentMismatchException) e).imageId()).isEqualTo(id));
      assertThatThrownBy(writer::commit).isInstanceOf(IllegalStateException.class);
    }
    assertThat(driver.isCached(id)).isFalse();
    assertThat(driver.isCacheable(id)).isTrue();
    assertThat(driver.cachedImage(id)).isEmpty();
    assertThat(driver.cachedImages()).isEmpty();
    assertThat(cacheDir.resolve("incomplete").resolve(id.value())).doesNotExist();
    assertThat(cacheDir.resolve("invalid").resolve(id.value())).hasBinaryContent(content);
  }

  /** Asserts that neither {@code incomplete/} nor {@code invalid/} holds a file for {@code id}. */
  private void assertNoLeftovers(ImageId id) {
    assertThat(cacheDir.resolve("incomplete").resolve(id.value())).doesNotExist();
    assertThat(cacheDir.resolve("invalid").resolve(id.value())).doesNotExist();
  }
}
