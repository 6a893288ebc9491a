package io.imagecache.internal.store;

import io.imagecache.ImageId;
import java.io.IOException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/*
 * Design note.
 *
 * Reconciliation. Start-up (CacheRuntime) runs removeIncomplete() (before any writer opens: an
 * incomplete file without a live writer is a crash leftover) then reconcile(), which may run while the cache
 * serves, reads, writes and deletes. A Reconciliation runs the pass; its steps are the file
 * store's (these), since they take metadataLock. It works from one scan of the base directory and
 * one id-only read of the index, both possibly stale by the time it acts, so it decides nothing
 * from them alone: for each id that is in one and not the other, it takes metadataLock and looks at
 * the file again. An indexed id without a regular file is dropped (a commit renames its file into
 * place and records the entry in one step under metadataLock, so the entry of a commit cannot be
 * dropped). A file without an entry is adopted with its size and mtime as stat-ed under the lock,
 * unless it is gone (delete removes the file and the entry in one step under metadataLock) or a
 * live writer owns the id; adopt never replaces an
 * entry, so a commit recorded between the scan and the step wins. Entries are not cleared: the
 * EntryCache only ever mirrors the index, and a drop removes the dropped entry. close() sets
 * `closed` under metadataLock; the next step sees it and reconciliation stops, so it never touches
 * a closed index under the lock.
 */

/** The file store's side of a reconciliation: each step under the metadata lock. */
final class ReconciliationSteps implements Reconciliation.Steps {
  private final CacheLayout layout;
  private final ImageIndex index;
  private final MetadataLock metadataLock;
  private final CommittedImages images;
  private final WriterRegistry writers;

  ReconciliationSteps(CacheLayout layout, ImageIndex index, MetadataLock metadataLock,
      CommittedImages images, WriterRegistry writers) {
    this.layout = layout;
    this.index = index;
    this.metadataLock = metadataLock;
    this.images = images;
    this.writers = writers;
  }

  /**
   * Drops the index entry of {@code id} when, under the metadata lock, there is no committed
   * file for it: a commit renames its file and records the entry in one step under the same
   * lock, so a file that is absent now has no commit to lose.
   */
  @Override
  public Reconciliation.Step dropIfFileGone(ImageId id) throws IOException {
    return metadataLock.call(() -> {
      if (metadataLock.isClosed()) {
        return Reconciliation.Step.CLOSED;
      }
      if (regularFile(layout.committed(id)).isPresent()) {
        return Reconciliation.Step.KEPT;
      }
      index.remove(id);
      images.forget(id);
      return Reconciliation.Step.CHANGED;
    });
  }

  /**
   * Adopts the files of {@code batch} with their size and mtime as they are now, in one index
   * call under the metadata lock, leaving out those that are gone (a delete removes the file
   * and its entry in one step under the same lock) and those a live writer owns (its commit records the
   * entry). An entry that a commit recorded meanwhile stays: adopt never replaces one. Empty
   * when the driver is closed.
   */
  @Override
  public Optional<List<ImageId>> adoptIfUnindexed(List<CacheFile> batch) throws IOException {
    return metadataLock.call(() -> {
      if (metadataLock.isClosed()) {
        return Optional.empty();
      }
      List<ImageIndex.Adoption> adoptions = new ArrayList<>(batch.size());
      for (CacheFile file : batch) {
        if (writers.isLive(file.id())) {
          continue;
        }
        Optional<BasicFileAttributes> now = regularFile(file.path());
        if (now.isPresent()) {
          adoptions.add(new ImageIndex.Adoption(file.id(), file.path(), now.get().size(),
              now.get().lastModifiedTime().toInstant()));
        }
      }
      index.adoptAll(adoptions);
      return Optional.of(adoptions.stream().map(ImageIndex.Adoption::id).toList());
    });
  }

  private static Optional<BasicFileAttributes> regularFile(Path path) throws IOException {
    return CacheLayout.attributes(path).filter(BasicFileAttributes::isRegularFile);
  }
}
