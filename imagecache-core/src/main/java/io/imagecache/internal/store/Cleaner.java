package io.imagecache.internal.store;

import io.imagecache.CleanResult;
import io.imagecache.ImageId;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Removes what failed or was abandoned: the files of {@code invalid/}, stalled incomplete files
 * and (at start-up) the incomplete files a crash left. A live writer's file is never removed,
 * whatever its age. Thread-safe.
 */
final class Cleaner {
  private static final Logger log = LoggerFactory.getLogger(Cleaner.class);

  private final CacheLayout layout;
  private final Clock clock;
  private final WriterRegistry writers;

  Cleaner(CacheLayout layout, Clock clock, WriterRegistry writers) {
    this.layout = layout;
    this.clock = clock;
    this.writers = writers;
  }

  /**
   * Removes every file in {@code invalid/} and every incomplete file older than
   * {@code stallTime} that no live writer owns.
   */
  CleanResult clean(Duration stallTime) throws IOException {
    if (stallTime.isNegative()) {
      throw new IllegalArgumentException("stall time must not be negative: " + stallTime);
    }
    CleanResult invalid = removeInvalid();
    int invalidRemoved = invalid.invalidFilesRemoved();
    int stalledRemoved = 0;
    long bytesRemoved = invalid.bytesRemoved();
    Instant cutoff = clock.instant().minus(stallTime);
    for (Path file : CacheLayout.entries(layout.incompleteDirectory())) {
      String name = file.getFileName().toString();
      if (ImageId.isValid(name) && writers.isLive(ImageId.of(name))) {
        continue;
      }
      Optional<BasicFileAttributes> attributes = CacheLayout.attributes(file);
      if (attributes.isEmpty()) {
        continue;
      }
      boolean stalled = stallTime.isZero()
          || attributes.get().lastModifiedTime().toInstant().isBefore(cutoff);
      if (!stalled) {
        continue;
      }
      try {
        if (Files.deleteIfExists(file)) {
          stalledRemoved++;
          bytesRemoved += attributes.get().isRegularFile() ? attributes.get().size() : 0;
        }
      } catch (IOException e) {
        log.warn("clean: could not remove the stalled file {}, leaving it: {}", file, e.toString());
      }
    }
    CleanResult result = new CleanResult(invalidRemoved, stalledRemoved, bytesRemoved);
    log.debug("clean of {} with stall time {}: {}", layout.base(), stallTime, result);
    return result;
  }

  /** Removes every file in {@code invalid/}; a failure propagates. */
  CleanResult removeInvalid() throws IOException {
    int removed = 0;
    long bytes = 0;
    for (Path file : CacheLayout.entries(layout.invalidDirectory())) {
      long size = CacheLayout.sizeOrZero(file);
      // A failure here propagates, as in Glance: invalid files have no excuse to stay.
      if (Files.deleteIfExists(file)) {
        removed++;
        bytes += size;
      }
    }
    return new CleanResult(removed, 0, bytes);
  }

  /** Removes the incomplete files no live writer owns (crash leftovers); returns their ids. */
  List<ImageId> removeIncomplete() throws IOException {
    List<ImageId> removed = new ArrayList<>();
    for (ImageId id : layout.idsIn(layout.incompleteDirectory())) {
      if (!writers.isLive(id) && Files.deleteIfExists(layout.incomplete(id))) {
        removed.add(id);
      }
    }
    return removed;
  }
}
