package io.imagecache;

import static io.imagecache.CacheHarness.WAIT;
import static org.assertj.core.api.Assertions.assertThat;

import io.imagecache.internal.store.CacheReader;
import io.imagecache.internal.store.RecoveryReport;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Opening a cache removes crash leftovers in {@code incomplete/} at once and reconciles files and
 * metadata in the background: hits are served before that reconciliation has run.
 */
class StartUpReconciliationTest {
  private static final ImageId KEPT = ImageId.of("kept");
  private static final ImageId ORPHAN = ImageId.of("orphan");

  @TempDir Path dir;
  private final CacheHarness harness = new CacheHarness();
  private final HeldExecutor held = new HeldExecutor();
  private final List<ImageCache> opened = new ArrayList<>();

  @AfterEach
  void tearDown() throws Exception {
    for (ImageCache cache : opened) {
      cache.close();
    }
    harness.close();
  }

  @Test
  void aHitIsServedWhileTheStartUpReconciliationHasNotRunYet() throws Exception {
    byte[] kept = CacheHarness.randomBytes(1, 5000);
    ImageCache first = harness.open(dir);
    CacheHarness.cache(first, KEPT.value(), kept);
    first.close();
    byte[] orphan = CacheHarness.randomBytes(2, 300);
    Files.write(dir.resolve(ORPHAN.value()), orphan);

    ImageCache cache = openHeld();

    assertThat(cache.reconciled()).isNotDone();
    assertThat(read(cache, KEPT)).isEqualTo(kept);
    assertThat(read(cache, ORPHAN)).isEqualTo(orphan);
    assertThat(cache.cachedImages()).extracting(CachedImage::imageId).containsExactly(KEPT);
  }

  @Test
  void anOrphanFoundAtStartUpIsAdoptedInTheBackground() throws Exception {
    Files.createDirectories(dir);
    Files.write(dir.resolve(ORPHAN.value()), CacheHarness.randomBytes(3, 700));
    ImageCache cache = openHeld();

    held.runHeld();

    RecoveryReport report = cache.reconciled().get(WAIT.toSeconds(), TimeUnit.SECONDS);
    assertThat(report.adopted()).containsExactly(ORPHAN);
    assertThat(cache.cachedImages()).extracting(CachedImage::imageId).containsExactly(ORPHAN);
  }

  @Test
  void aFillCommittedBeforeTheReconciliationRunsIsKept() throws Exception {
    ImageCache reopened = new ImageCache(CacheHarness.config(dir).build(), harness.clock,
        harness.scheduler, new FillsNowReconcileLater(harness.fillExecutor, held));
    opened.add(reopened);
    byte[] content = CacheHarness.randomBytes(4, 2000);

    CacheHarness.cache(reopened, KEPT.value(), content);
    held.runHeld();

    RecoveryReport report = reopened.reconciled().get(WAIT.toSeconds(), TimeUnit.SECONDS);
    assertThat(report.adopted()).isEmpty();
    assertThat(report.dropped()).isEmpty();
    assertThat(reopened.cachedImage(KEPT).orElseThrow().checksum()).isPresent();
    assertThat(read(reopened, KEPT)).isEqualTo(content);
  }

  @Test
  void aDeferredOpenServesAtOnceAndReconcilesOnlyOnceTheBackgroundWorkIsStarted() throws Exception {
    Files.createDirectories(dir);
    byte[] orphan = CacheHarness.randomBytes(6, 400);
    Files.write(dir.resolve(ORPHAN.value()), orphan);
    ImageCache cache = ImageCache.openDeferred(CacheHarness.config(dir).build(), Optional.empty());
    opened.add(cache);

    assertThat(read(cache, ORPHAN)).isEqualTo(orphan);
    assertThat(cache.reconciled()).isNotDone();

    cache.startBackgroundWork();
    cache.startBackgroundWork();

    RecoveryReport report = cache.reconciled().get(WAIT.toSeconds(), TimeUnit.SECONDS);
    assertThat(report.adopted()).containsExactly(ORPHAN);
    assertThat(cache.cachedImages()).extracting(CachedImage::imageId).containsExactly(ORPHAN);
  }

  @Test
  void crashLeftoversInIncompleteAreGoneBeforeOpenReturns() throws Exception {
    Path incomplete = Files.createDirectories(dir.resolve("incomplete"));
    Files.write(incomplete.resolve("leftover"), CacheHarness.randomBytes(5, 100));

    ImageCache cache = openHeld();

    assertThat(cache.reconciled()).isNotDone();
    assertThat(incomplete.resolve("leftover")).doesNotExist();
  }

  // ---- helpers -------------------------------------------------------------------------------

  /** A cache whose fill executor holds every task (only the reconciliation here) until told. */
  private ImageCache openHeld() throws Exception {
    ImageCache cache =
        new ImageCache(CacheHarness.config(dir).build(), harness.clock, harness.scheduler, held);
    opened.add(cache);
    return cache;
  }

  private static byte[] read(ImageCache cache, ImageId id) throws Exception {
    try (CacheReader reader = cache.openCached(id).orElseThrow()) {
      ByteBuffer content = ByteBuffer.allocate(Math.toIntExact(reader.channel().size()));
      while (content.hasRemaining() && reader.channel().read(content, content.position()) >= 0) {
        // reads until the buffer is full
      }
      return content.array();
    }
  }

  /** Keeps every task until {@link #runHeld()} runs them on the calling thread. */
  private static final class HeldExecutor implements Executor {
    /** Guarded by this. */
    private final List<Runnable> tasks = new ArrayList<>();

    @Override
    public synchronized void execute(Runnable task) {
      tasks.add(task);
    }

    void runHeld() {
      List<Runnable> due;
      synchronized (this) {
        due = List.copyOf(tasks);
        tasks.clear();
      }
      due.forEach(Runnable::run);
    }
  }

  /**
   * Runs fill tasks at once on {@code fills} but holds the first task, which is the cache's
   * start-up reconciliation (submitted while it opens, before any fill can be).
   */
  private static final class FillsNowReconcileLater implements Executor {
    private final Executor fills;
    private final HeldExecutor held;
    /** Guarded by this. */
    private boolean first = true;

    FillsNowReconcileLater(Executor fills, HeldExecutor held) {
      this.fills = fills;
      this.held = held;
    }

    @Override
    public void execute(Runnable task) {
      boolean hold;
      synchronized (this) {
        hold = first;
        first = false;
      }
      (hold ? held : fills).execute(task);
    }
  }
}
