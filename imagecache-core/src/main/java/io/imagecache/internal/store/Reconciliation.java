package io.imagecache.internal.store;

import io.imagecache.ImageId;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One pass that brings the index and the cache directory into agreement while the cache serves:
 * from one scan of the directory and one id-only read of the index it finds the entries without a
 * file and the files without an entry, and hands each to the driver's {@link Steps}, which look at
 * the file again under the driver's lock before they change anything (see FileCacheDriver's
 * design note, "Reconciliation"). The scan and the read may be stale by then; the steps are not.
 */
final class Reconciliation {
  private static final Logger log = LoggerFactory.getLogger(Reconciliation.class);

  /**
   * Files adopted per step: one index call (one SQL transaction) and a few milliseconds of the
   * driver's lock each.
   */
  static final int ADOPTION_BATCH = 500;

  /** What a drop step did. */
  enum Step { CHANGED, KEPT, CLOSED }

  /** The driver's side: each step re-checks the files under the driver's metadata lock. */
  interface Steps {
    /** Drops the entry of {@code id} if its file is gone now; CLOSED once the driver closed. */
    Step dropIfFileGone(ImageId id) throws IOException;

    /**
     * Adopts the files of {@code batch} that are still there, have no live writer and no entry;
     * returns the ids adopted, empty once the driver closed.
     */
    Optional<List<ImageId>> adoptIfUnindexed(List<CacheFile> batch) throws IOException;
  }

  private final CacheLayout layout;
  private final ImageIndex index;
  private final Steps steps;

  Reconciliation(CacheLayout layout, ImageIndex index, Steps steps) {
    this.layout = layout;
    this.index = index;
    this.steps = steps;
  }

  /** Runs the pass; stops early (and says so in the log) when the driver closes meanwhile. */
  RecoveryReport run() throws IOException {
    long started = System.nanoTime();
    CacheLayout.BaseScan scan = layout.scanBase();
    Set<ImageId> onDisk = new HashSet<>(scan.files().size() * 2);
    for (CacheFile file : scan.files()) {
      onDisk.add(file.id());
    }
    // Not under the driver's lock: every step looks at the file and the index again.
    Set<ImageId> indexed = index.ids();
    List<ImageId> dropped = new ArrayList<>();
    List<ImageId> adopted = new ArrayList<>();
    boolean stopped = false;
    for (ImageId id : sorted(indexed)) {
      if (onDisk.contains(id)) {
        continue;
      }
      Step step = steps.dropIfFileGone(id);
      if (step == Step.CLOSED) {
        stopped = true;
        break;
      }
      if (step == Step.CHANGED) {
        dropped.add(id);
      }
    }
    List<CacheFile> unindexed = new ArrayList<>();
    for (CacheFile file : stopped ? List.<CacheFile>of() : scan.files()) {
      if (!indexed.contains(file.id())) {
        unindexed.add(file);
      }
    }
    for (int from = 0; from < unindexed.size() && !stopped; from += ADOPTION_BATCH) {
      List<CacheFile> batch =
          unindexed.subList(from, Math.min(unindexed.size(), from + ADOPTION_BATCH));
      Optional<List<ImageId>> done = steps.adoptIfUnindexed(batch);
      stopped = done.isEmpty();
      done.ifPresent(adopted::addAll);
    }
    for (String name : scan.unknownNames()) {
      log.warn("recover: {} in {} is neither an image nor a file of the cache; leaving it",
          name, layout.base());
    }
    adopted.sort(null);
    log.info("{} {} in {} ms: {} images on disk, {} adopted, {} index entries dropped,"
            + " {} unknown files",
        stopped ? "stopped reconciling (driver closed)" : "reconciled", layout.base(),
        (System.nanoTime() - started) / 1_000_000, scan.files().size(), adopted.size(),
        dropped.size(), scan.unknownNames().size());
    return new RecoveryReport(adopted, dropped, scan.unknownNames());
  }

  private static List<ImageId> sorted(Set<ImageId> ids) {
    List<ImageId> list = new ArrayList<>(ids);
    list.sort(null);
    return list;
  }
}
