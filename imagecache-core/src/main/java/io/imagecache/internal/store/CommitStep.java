package io.imagecache.internal.store;

import io.imagecache.CachedImage;
import io.imagecache.ImageId;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.Optional;

/**
 * The last step of a verified write: the atomic rename over {@code <dir>/<id>}, the directory
 * forced when durable, and the index entry recorded, as one step under the metadata lock, so that
 * a delete of the same id lands wholly before or wholly after it (see {@link FileCacheDriver}'s
 * design note, "Locking"). Never leaves a committed file without its entry.
 */
final class CommitStep {
  private final CacheLayout layout;
  private final ImageIndex index;
  private final boolean durable;
  private final MetadataLock metadataLock;
  private final CommittedImages images;
  private final WriterFiles files;

  CommitStep(CacheLayout layout, ImageIndex index, boolean durable, MetadataLock metadataLock,
      CommittedImages images, WriterFiles files) {
    this.files = files;
    this.layout = layout;
    this.index = index;
    this.durable = durable;
    this.metadataLock = metadataLock;
    this.images = images;
  }

  /** See {@link FileWriter.Owner#publish}. */
  void publish(ImageId id, Path incomplete, Path committed, long size, Instant now,
      String md5Hex) throws IOException {
    metadataLock.call(() -> {
      files.move(incomplete, committed);
      try {
        if (durable) {
          files.forceDirectory(layout.base());
        }
        index.put(id, committed, size, now, Optional.of(md5Hex));
      } catch (IOException | RuntimeException e) {
        // Never a committed file without its entry: out again, under the same lock (deleted
        // when the store is out of space, whose room the bytes would keep taking).
        try {
          if (NoSpaceLeft.causedBy(e)) {
            Files.deleteIfExists(committed);
          } else {
            Files.move(committed, layout.invalid(id), StandardCopyOption.REPLACE_EXISTING);
          }
        } catch (IOException moveFailure) {
          e.addSuppressed(moveFailure);
        }
        throw e;
      }
      images.committed(new CachedImage(id, size, 0, now, now, Optional.of(md5Hex)));
      return null;
    });
  }
}
