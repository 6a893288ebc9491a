package io.imagecache.internal.fill;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.imagecache.CacheConfig;
import io.imagecache.CacheHarness;
import io.imagecache.ImageId;
import io.imagecache.internal.CacheCounters;
import io.imagecache.internal.fill.FillAdmission.Reservation;
import io.imagecache.internal.maintenance.Pruner;
import io.imagecache.internal.maintenance.SizeBound;
import io.imagecache.internal.store.ExpectedContent;
import io.imagecache.internal.store.FileCacheDriver;
import io.imagecache.internal.store.sqlite.SqliteIndex;
import io.imagecache.testing.MutableClock;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Admission decisions against a file system of a given size whose used bytes are the real files
 * of the cache directory (sparse, so that tens of MiB cost nothing) plus what "others" hold:
 * invalid files are reclaimed before a refusal, and fills of unknown size reserve in steps, the
 * newest giving way first.
 */
class CacheAdmissionTest {
  private static final long MIB = 1L << 20;
  private static final Duration WAIT = CacheHarness.WAIT;

  @TempDir Path dir;
  private FileCacheDriver driver;
  private FakeDisk disk;
  private CacheAdmission admission;

  @BeforeEach
  void setUp() throws Exception {
    driver = new FileCacheDriver(dir, new SqliteIndex(dir),
        new MutableClock(Instant.parse("2026-03-01T10:00:00Z")), false);
    driver.configure();
    CacheConfig config = CacheConfig.builder(dir).maxSize(1024 * MIB).minFreeDisk(0).build();
    SizeBound bound = new SizeBound(
        driver, new Pruner(driver, id -> false), config, new CacheCounters());
    disk = new FakeDisk(dir);
    admission = new CacheAdmission(config, driver, bound, disk, WAIT);
  }

  @AfterEach
  void tearDown() throws Exception {
    driver.close();
  }

  // ---- item: invalid/ is reclaimable ---------------------------------------------------------

  @Test
  void aFillThatNeedsTheSpaceOfInvalidFilesRemovesThemInsteadOfBeingRefused() throws Exception {
    sparse(dir.resolve("invalid/failed-verification"), 60 * MIB);
    disk.leaveFree(20 * MIB);

    Reservation reservation = admission.admit(ImageId.of("next"), sized(30 * MIB));

    assertThat(names(dir.resolve("invalid"))).isEmpty();
    assertThat(admission.reservedBytes()).isEqualTo(30 * MIB);
    reservation.release();
    assertThat(admission.reservedBytes()).isZero();
  }

  @Test
  void invalidFilesStayWhenTheFillFitsWithoutTheirSpace() throws Exception {
    sparse(dir.resolve("invalid/failed-verification"), 60 * MIB);
    disk.leaveFree(40 * MIB);

    admission.admit(ImageId.of("next"), sized(30 * MIB)).release();

    assertThat(names(dir.resolve("invalid"))).containsExactly("failed-verification");
  }

  @Test
  void aFillThatDoesNotFitEvenWithoutInvalidFilesIsRefused() throws Exception {
    sparse(dir.resolve("invalid/failed-verification"), 5 * MIB);
    disk.leaveFree(20 * MIB);

    assertThatThrownBy(() -> admission.admit(ImageId.of("next"), sized(30 * MIB)))
        .isInstanceOf(NotCacheableException.class)
        .hasMessageContaining("free on the cache's file system");
    assertThat(admission.reservedBytes()).isZero();
  }

  // ---- item: unknown sizes reserve in steps, the newest gives way ---------------------------

  @Test
  void aFillOfUnknownSizeReservesAFirstStepAndMoreAsItGrows() throws Exception {
    disk.leaveFree(100 * MIB);
    SimulatedFill fill = new SimulatedFill("grows");

    assertThat(admission.reservedBytes()).isEqualTo(CacheAdmission.MIN_STEP);
    fill.growTo(CacheAdmission.MIN_STEP - 2 * MIB);
    assertThat(admission.reservedBytes()).isEqualTo(CacheAdmission.MIN_STEP);
    fill.growTo(CacheAdmission.MIN_STEP);
    assertThat(admission.reservedBytes()).isEqualTo(2 * CacheAdmission.MIN_STEP);

    fill.end();
    assertThat(admission.reservedBytes()).isZero();
  }

  @Test
  void aFillOfUnknownSizeIsRefusedBeforeWritingWhenItsFirstStepDoesNotFit() throws Exception {
    disk.leaveFree(CacheAdmission.MIN_STEP - MIB);

    assertThatThrownBy(() -> admission.admit(ImageId.of("late"), ExpectedContent.unknown()))
        .isInstanceOf(NotCacheableException.class)
        .hasMessageContaining("free on the cache's file system");
    assertThat(admission.reservedBytes()).isZero();
  }

  @Test
  void whenAnOlderFillNeedsAStepTheNewestFillOfUnknownSizeGivesWay() throws Exception {
    disk.leaveFree(20 * MIB);
    SimulatedFill older = new SimulatedFill("older");
    SimulatedFill newer = new SimulatedFill("newer");
    newer.growTo(4 * MIB);
    older.growTo(7 * MIB);

    // 20 - 11 written = 9 free, of which the newer fill still holds 4: no room for 8 more.
    CompletableFuture<Void> step = CompletableFuture.runAsync(() -> older.growUnchecked(8 * MIB));

    await().atMost(WAIT).until(() -> newer.givingWay());
    assertThat(step).isNotDone();
    assertThatThrownBy(() -> newer.growTo(5 * MIB))
        .isInstanceOf(NotCacheableException.class)
        .hasMessageContaining("gave way to the older fill of older");
    newer.fail();

    step.get(WAIT.toSeconds(), TimeUnit.SECONDS);
    assertThat(admission.reservedBytes()).isEqualTo(2 * CacheAdmission.MIN_STEP);
    older.growTo(15 * MIB);
    older.commit();
    assertThat(admission.reservedBytes()).isZero();
    assertThat(names(dir.resolve("incomplete"))).isEmpty();
  }

  @Test
  void theNewestFillOfUnknownSizeFailsAtOnceWhenItsOwnStepDoesNotFit() throws Exception {
    disk.leaveFree(20 * MIB);
    SimulatedFill older = new SimulatedFill("older");
    SimulatedFill newer = new SimulatedFill("newer");
    older.growTo(4 * MIB);
    newer.growTo(7 * MIB);

    assertThatThrownBy(() -> newer.growTo(8 * MIB))
        .isInstanceOf(NotCacheableException.class)
        .hasMessageContaining("newest fill of unknown size");
    newer.fail();

    assertThat(older.givingWay()).isFalse();
    older.growTo(15 * MIB);
    older.commit();
    assertThat(admission.reservedBytes()).isZero();
  }

  @Test
  void whileAFillGivesWayTheOthersShortOfRoomWaitForItBeforeAnotherOneMustGiveWay()
      throws Exception {
    disk.leaveFree(30 * MIB);
    SimulatedFill oldest = new SimulatedFill("oldest");
    SimulatedFill middle = new SimulatedFill("middle");
    SimulatedFill newest = new SimulatedFill("newest");
    newest.growTo(2 * MIB);
    middle.growTo(7 * MIB);
    oldest.growTo(7 * MIB);
    // 30 - 17 written = 13 free, 6 + 1 of them still held: the middle one's step makes the
    // newest give way and waits for it to end.
    CompletableFuture<Void> middleStep =
        CompletableFuture.runAsync(() -> middle.growUnchecked(8 * MIB));
    await().atMost(WAIT).until(newest::givingWay);
    // The oldest's step does not fit either: it waits for the room coming back, and the middle
    // one need not give way (yet).
    CompletableFuture<Void> oldestStep =
        CompletableFuture.runAsync(() -> oldest.growUnchecked(8 * MIB));
    await().atMost(WAIT).until(() -> admission.fillsWaitingForRoom() == 2);
    assertThat(middleStep).isNotDone();
    assertThat(oldestStep).isNotDone();

    newest.fail();

    // 30 - 16 = 14 free: room for one step of 8 only. The older fill gets it; the middle one
    // fails, in its step or (when it was quicker) at its next chunk.
    await().atMost(WAIT).until(middleStep::isDone);
    assertThatThrownBy(() -> {
      middleStep.join();
      middle.growTo(9 * MIB);
    }).hasMessageContaining("newest fill of unknown size");
    middle.fail();
    oldestStep.get(WAIT.toSeconds(), TimeUnit.SECONDS);
    oldest.growTo(15 * MIB);
    oldest.commit();
    assertThat(admission.reservedBytes()).isZero();
    assertThat(names(dir.resolve("incomplete"))).isEmpty();
  }

  // ---- helpers -------------------------------------------------------------------------------

  private static ExpectedContent sized(long size) {
    return new ExpectedContent(OptionalLong.of(size), java.util.List.of());
  }

  private static void sparse(Path file, long size) throws IOException {
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
      raf.setLength(size);
    }
  }

  private static Stream<String> namesStream(Path directory) throws IOException {
    try (Stream<Path> entries = Files.list(directory)) {
      return entries.map(p -> p.getFileName().toString()).sorted().toList().stream();
    }
  }

  private static java.util.List<String> names(Path directory) throws IOException {
    return namesStream(directory).toList();
  }

  /**
   * A fill as Fill drives its reservation: admitted with an unknown size, its incomplete file
   * grows (sparse) and the reservation is told after each growth; ends committed or failed.
   */
  private final class SimulatedFill {
    private final ImageId id;
    private final Path file;
    private final Reservation reservation;
    private volatile boolean givingWay;

    SimulatedFill(String id) throws Exception {
      this.id = ImageId.of(id);
      this.file = dir.resolve("incomplete").resolve(id);
      this.reservation = admission.admit(this.id, ExpectedContent.unknown());
      Files.createFile(file);
    }

    /** Writes up to {@code size} bytes a MiB at a time, telling the reservation each time. */
    void growTo(long size) throws Exception {
      long now = Files.size(file);
      while (now < size) {
        now = Math.min(size, now + MIB);
        sparse(file, now);
        try {
          reservation.grown(now);
        } catch (NotCacheableException e) {
          givingWay = e.getMessage().contains("gave way");
          throw e;
        }
      }
    }

    void growUnchecked(long size) {
      try {
        growTo(size);
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }

    /** Whether the admission has marked this fill to give way (it fails at its next growth). */
    boolean givingWay() {
      try {
        reservation.grown(Files.size(file));
        return false;
      } catch (NotCacheableException e) {
        givingWay = true;
        return true;
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    }

    /** As Fill does after a failure for lack of room: delete the bytes, then release. */
    void fail() throws IOException {
      Files.deleteIfExists(file);
      reservation.release();
    }

    void commit() throws IOException {
      Files.move(file, dir.resolve(id.value()));
      reservation.release();
    }

    void end() throws IOException {
      fail();
    }
  }

  /**
   * A file system of a fixed size: usable = size - the bytes of the files under the cache
   * directory - what others hold, so that deleting a file frees its bytes as on a real one.
   */
  private static final class FakeDisk implements DiskSpace {
    private final Path dir;
    private volatile long total;

    FakeDisk(Path dir) {
      this.dir = dir;
    }

    /** Makes {@code free} bytes usable now, the cache directory's files counted as used. */
    void leaveFree(long free) throws IOException {
      total = used() + free;
    }

    @Override
    public long usableBytes() throws IOException {
      return Math.max(0, total - used());
    }

    @Override
    public long totalBytes() {
      return total;
    }

    private long used() throws IOException {
      try (Stream<Path> files = Files.walk(dir)) {
        return files.filter(Files::isRegularFile).mapToLong(file -> {
          try {
            return Files.size(file);
          } catch (IOException e) {
            return 0; // gone meanwhile
          }
        }).sum();
      }
    }
  }
}
