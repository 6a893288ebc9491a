package io.imagecache.internal.store;

import io.imagecache.ImageId;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The empty marker files of the layout, answered by the file system alone as in Glance:
 * {@code queue/<id>} (prefetch queue, its mtime the queue time from the clock) and
 * {@code pinned/<id>} (never pruned). Thread-safe (each operation is one file-system call or a
 * scan).
 */
final class Markers {
  private static final Logger log = LoggerFactory.getLogger(Markers.class);

  private final CacheLayout layout;
  private final Clock clock;

  Markers(CacheLayout layout, Clock clock) {
    this.layout = layout;
    this.clock = clock;
  }

  // ------------------------------------------------------------------ queue

  /** Writes the queue marker; false when it exists already. */
  boolean queue(ImageId id) throws IOException {
    return createMarker(layout.queued(id));
  }

  boolean isQueued(ImageId id) {
    return Files.isRegularFile(layout.queued(id), LinkOption.NOFOLLOW_LINKS);
  }

  /** Queued ids, oldest marker first (ties by id). */
  List<ImageId> queuedImages() throws IOException {
    record Marker(ImageId id, FileTime queuedAt) {}
    List<Marker> markers = new ArrayList<>();
    for (ImageId id : layout.idsIn(layout.queueDirectory())) {
      CacheLayout.attributes(layout.queued(id))
          .ifPresent(attributes -> markers.add(new Marker(id, attributes.lastModifiedTime())));
    }
    markers.sort(Comparator.comparing(Marker::queuedAt).thenComparing(Marker::id));
    return markers.stream().map(Marker::id).toList();
  }

  boolean deleteQueued(ImageId id) throws IOException {
    return Files.deleteIfExists(layout.queued(id));
  }

  int deleteAllQueued() throws IOException {
    int removed = 0;
    for (Path marker : CacheLayout.entries(layout.queueDirectory())) {
      if (Files.deleteIfExists(marker)) {
        removed++;
      }
    }
    return removed;
  }

  // ------------------------------------------------------------------ pins

  boolean pin(ImageId id) throws IOException {
    return createMarker(layout.pinned(id));
  }

  boolean unpin(ImageId id) throws IOException {
    return Files.deleteIfExists(layout.pinned(id));
  }

  boolean isPinned(ImageId id) {
    return Files.isRegularFile(layout.pinned(id), LinkOption.NOFOLLOW_LINKS);
  }

  List<ImageId> pinnedImages() throws IOException {
    return layout.idsIn(layout.pinnedDirectory());
  }

  /** Creates an empty marker stamped with the clock; false when it exists already. */
  private boolean createMarker(Path marker) throws IOException {
    try {
      FileModes.createFile(marker);
    } catch (FileAlreadyExistsException e) {
      return false;
    }
    try {
      Files.setLastModifiedTime(marker, FileTime.from(clock.instant()));
    } catch (NoSuchFileException e) {
      // Consumed already (a commit removes the queue marker): it was created all the same.
      log.debug("{} was removed as soon as it was created", marker);
    }
    return true;
  }
}
