package io.imagecache.internal.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.imagecache.CachedImage;
import io.imagecache.ImageId;
import io.imagecache.internal.store.sqlite.SqliteIndex;
import io.imagecache.internal.store.xattr.XattrIndex;
import io.imagecache.testing.MutableClock;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link FileCacheDriver#reconcile()} runs while the driver serves, writes and deletes: it decides
 * each file's fate from the file and the index at that moment, never from its own stale scan.
 * Interleavings are forced by an index that runs a step right after reconciliation read its ids.
 */
class BackgroundReconciliationTest {
  private static final ImageId ORPHAN = ImageId.of("orphan");
  private static final ImageId STALE = ImageId.of("stale");

  @TempDir Path dir;
  private final MutableClock clock = new MutableClock(Instant.parse("2026-03-01T12:00:00Z"));
  private HookedIndex index;
  private FileCacheDriver driver;

  @AfterEach
  void closeDriver() throws Exception {
    if (driver != null) {
      driver.close();
    }
  }

  @Test
  void aFileTheIndexDoesNotKnowIsServedBeforeReconciliationAndAdoptedByIt() throws Exception {
    open(new SqliteIndex(dir));
    Files.write(dir.resolve(ORPHAN.value()), bytes(700, 1));

    try (CacheReader reader = driver.openForRead(ORPHAN).orElseThrow()) {
      assertThat(reader.image().size()).isEqualTo(700);
    }
    assertThat(driver.cachedImages()).isEmpty();

    RecoveryReport report = driver.reconcile();

    assertThat(report.adopted()).containsExactly(ORPHAN);
    assertThat(driver.cachedImages()).extracting(CachedImage::imageId).containsExactly(ORPHAN);
  }

  @Test
  void aCommitOfAnIdWhoseEntryLostItsFileIsKeptWhenItLandsAfterTheScan() throws Exception {
    open(new SqliteIndex(dir));
    commit(STALE, bytes(100, 2));
    Files.delete(dir.resolve(STALE.value())); // the entry now has no file: reconciliation's to drop
    CacheWriter writer = driver.openForWrite(STALE, sized(300)).orElseThrow();
    writer.write(ByteBuffer.wrap(bytes(300, 3)));
    index.afterIds = () -> writer.commit();

    RecoveryReport report = driver.reconcile();

    assertThat(report.dropped()).isEmpty();
    assertThat(driver.cachedImage(STALE)).map(CachedImage::size).contains(300L);
    assertThat(driver.cachedImage(STALE).orElseThrow().checksum()).isPresent();
    try (CacheReader reader = driver.openForRead(STALE).orElseThrow()) {
      assertThat(reader.image().size()).isEqualTo(300);
    }
  }

  @Test
  void manyOrphansAreAdoptedInBatchesAndAllListed() throws Exception {
    open(new SqliteIndex(dir));
    for (int i = 0; i < 1234; i++) {
      Files.write(dir.resolve(String.format("orphan-%04d", i)), bytes(1 + i % 7, i));
    }

    RecoveryReport report = driver.reconcile();

    assertThat(report.adopted()).hasSize(1234).isSorted();
    assertThat(driver.cachedImages()).hasSize(1234);
    assertThat(driver.cachedImage(ImageId.of("orphan-0010")).orElseThrow().size()).isEqualTo(4);
  }

  @Test
  void anEntryWithoutAFileIsDroppedAndForgottenByTheHotPath() throws Exception {
    open(new SqliteIndex(dir));
    commit(STALE, bytes(100, 4));
    Files.delete(dir.resolve(STALE.value()));

    RecoveryReport report = driver.reconcile();

    assertThat(report.dropped()).containsExactly(STALE);
    assertThat(driver.cachedImages()).isEmpty();
    Files.write(dir.resolve(STALE.value()), bytes(100, 5));
    try (CacheReader reader = driver.openForRead(STALE).orElseThrow()) {
      assertThat(reader.image().checksum()).as("the dropped entry's checksum").isEmpty();
    }
  }

  @Test
  void aFileDeletedAfterTheScanIsNotAdopted() throws Exception {
    open(new SqliteIndex(dir));
    Files.write(dir.resolve(ORPHAN.value()), bytes(50, 6));
    index.afterIds = () -> driver.delete(ORPHAN);

    RecoveryReport report = driver.reconcile();

    assertThat(report.adopted()).isEmpty();
    assertThat(driver.cachedImages()).isEmpty();
    assertThat(index.ids()).isEmpty();
  }

  @Test
  void aCommitRecordedAfterTheScanIsNotReplacedByAnAdoption() throws Exception {
    open(new SqliteIndex(dir));
    Files.write(dir.resolve(ORPHAN.value()), bytes(32, 7));
    // The scan and the ids see an orphan; a fill of the same id commits before it is adopted.
    index.afterIds = () -> commit(ORPHAN, bytes(64, 8));

    driver.reconcile();

    CachedImage entry = driver.cachedImage(ORPHAN).orElseThrow();
    assertThat(entry.size()).isEqualTo(64);
    assertThat(entry.checksum()).as("the commit's checksum").isPresent();
  }

  @Test
  void reconciliationStopsWithoutTouchingTheIndexOnceTheDriverIsClosed() throws Exception {
    open(new SqliteIndex(dir));
    Files.write(dir.resolve(ORPHAN.value()), bytes(10, 8));
    index.afterIds = () -> driver.close();

    RecoveryReport report = driver.reconcile();

    assertThat(report.adopted()).isEmpty();
    assertThat(index.adopts).isZero();
  }

  @Test
  void withXattrsEveryImageFileIsAnEntrySoNothingIsAdoptedOrDropped() throws Exception {
    open(new XattrIndex(dir));
    commit(STALE, bytes(100, 9));
    Files.write(dir.resolve(ORPHAN.value()), bytes(10, 10));

    RecoveryReport report = driver.reconcile();

    assertThat(report.adopted()).isEmpty();
    assertThat(report.dropped()).isEmpty();
    assertThat(index.adopts).isZero();
    assertThat(driver.cachedImages()).extracting(CachedImage::imageId)
        .containsExactly(ORPHAN, STALE);
  }

  @Test
  void removeIncompleteLeavesALiveWritersFileAndRemovesACrashLeftover() throws Exception {
    open(new SqliteIndex(dir));
    Files.write(dir.resolve("incomplete").resolve("leftover"), bytes(10, 11));
    try (CacheWriter writer = driver.openForWrite(ORPHAN, sized(5)).orElseThrow()) {
      List<ImageId> removed = driver.removeIncomplete();

      assertThat(removed).containsExactly(ImageId.of("leftover"));
      assertThat(dir.resolve("incomplete").resolve(ORPHAN.value())).exists();
      writer.abort("test over");
    }
  }

  // ---- helpers -------------------------------------------------------------------------------

  private void open(ImageIndex store) throws BadDriverConfigurationException {
    index = new HookedIndex(store);
    driver = new FileCacheDriver(dir, index, clock, false);
    driver.configure();
  }

  private void commit(ImageId id, byte[] content) throws IOException {
    try (CacheWriter writer = driver.openForWrite(id, sized(content.length)).orElseThrow()) {
      writer.write(ByteBuffer.wrap(content));
      writer.commit();
    }
  }

  private static ExpectedContent sized(long size) {
    return new ExpectedContent(OptionalLong.of(size), List.of());
  }

  private static byte[] bytes(int size, int seed) {
    byte[] bytes = new byte[size];
    new Random(seed).nextBytes(bytes);
    return bytes;
  }

  /** A step run by the index around {@link ImageIndex#ids()}. */
  @FunctionalInterface
  private interface Step {
    void run() throws IOException;
  }

  /** Passes every call on; runs a step before and after {@link #ids()}; counts adopted files. */
  private static final class HookedIndex extends ForwardingImageIndex {
    /** Set by the test thread before reconcile runs on the same thread. */
    Step beforeIds = () -> {};
    Step afterIds = () -> {};
    int adopts;

    HookedIndex(ImageIndex delegate) {
      super(delegate);
    }

    @Override
    public Set<ImageId> ids() throws IOException {
      Step before = beforeIds;
      Step after = afterIds;
      beforeIds = () -> {};
      afterIds = () -> {};
      before.run();
      Set<ImageId> ids = delegate.ids();
      after.run();
      return ids;
    }

    @Override
    public void adopt(ImageId id, Path file, long size, Instant modified) throws IOException {
      adopts++;
      delegate.adopt(id, file, size, modified);
    }

    @Override
    public void adoptAll(List<Adoption> files) throws IOException {
      adopts += files.size();
      delegate.adoptAll(files);
    }
  }
}
