package io.imagecache.internal.store;

import io.imagecache.ImageId;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The paths of one cache directory in Glance's layout, and the directory scans over it. Holds no
 * state but the paths; every answer comes from the file system at the time of the call.
 */
public final class CacheLayout {
  /** Sub-directories of the base directory, in the order {@link #create()} makes them. */
  static final List<String> SUBDIRECTORIES = List.of("incomplete", "invalid", "queue", "pinned");

  /**
   * Files the cache directory holds for itself: the SQLite index and its journals
   * (and the directory the server unpacks SQLite's native library into), the lock file,
   * the admin token, the xattr driver's probe file and the writability probe ({@link #PROBE}).
   */
  static final Set<String> OWN_FILES = Set.of(
      "cache.db", "cache.db-wal", "cache.db-shm", "cache.db-journal", "cache.db-native",
      "imagecache.lock", "admin-token", "checkme", CacheLayout.PROBE);
  /** The file {@link #probeWritable()} creates and deletes in the base directory. */
  static final String PROBE = "imagecache.probe";

  private final Path base;
  private final Path incomplete;
  private final Path invalid;
  private final Path queue;
  private final Path pinned;

  public CacheLayout(Path base) {
    this.base = Objects.requireNonNull(base, "base");
    this.incomplete = base.resolve("incomplete");
    this.invalid = base.resolve("invalid");
    this.queue = base.resolve("queue");
    this.pinned = base.resolve("pinned");
  }

  Path base() {
    return base;
  }

  Path incompleteDirectory() {
    return incomplete;
  }

  Path invalidDirectory() {
    return invalid;
  }

  Path queueDirectory() {
    return queue;
  }

  Path pinnedDirectory() {
    return pinned;
  }

  /** {@code <base>/<id>}: the committed image. */
  public Path committed(ImageId id) {
    return base.resolve(id.value());
  }

  /** {@code incomplete/<id>}: the image being written. */
  Path incomplete(ImageId id) {
    return incomplete.resolve(id.value());
  }

  /** {@code invalid/<id>}: a write that failed or was aborted. */
  Path invalid(ImageId id) {
    return invalid.resolve(id.value());
  }

  /** {@code queue/<id>}: the prefetch marker. */
  Path queued(ImageId id) {
    return queue.resolve(id.value());
  }

  /** {@code pinned/<id>}: the pin marker. */
  Path pinned(ImageId id) {
    return pinned.resolve(id.value());
  }

  /** Every directory of the layout, the base first. */
  List<Path> directories() {
    return List.of(base, incomplete, invalid, queue, pinned);
  }

  /**
   * Creates {@code <base>/imagecache.probe} (with the cache's file mode) and deletes it again, one
   * left by a crash first: fails, naming the cause, when the base directory takes no new file.
   */
  void probeWritable() throws IOException {
    Path probe = base.resolve(PROBE);
    Files.deleteIfExists(probe);
    FileModes.createFile(probe);
    Files.delete(probe);
  }

  /** Creates the base directory and its sub-directories, tolerating existing ones (mkdir -p). */
  void create() throws IOException {
    for (Path directory : directories()) {
      FileModes.createDirectories(directory);
    }
  }

  /**
   * The cache files: regular files directly in the base directory whose names are image ids, so
   * that the index, the lock file or any stray file is never taken for an image. Files that vanish
   * during the scan are left out.
   */
  List<CacheFile> cacheFiles() throws IOException {
    List<CacheFile> files = new ArrayList<>();
    for (Path path : entries(base)) {
      String name = path.getFileName().toString();
      if (!ImageId.isValid(name)) {
        continue;
      }
      Optional<BasicFileAttributes> attributes = attributes(path);
      if (attributes.isPresent() && attributes.get().isRegularFile()) {
        files.add(new CacheFile(
            ImageId.of(name), path, attributes.get().size(),
            attributes.get().lastModifiedTime().toInstant()));
      }
    }
    return files;
  }

  /**
   * One pass over the base directory: the {@linkplain #cacheFiles() cache files} and the
   * {@linkplain #unknownNames() unknown names} together, each entry stat-ed once. Unsorted.
   */
  BaseScan scanBase() throws IOException {
    List<CacheFile> files = new ArrayList<>();
    List<String> unknown = new ArrayList<>();
    try (DirectoryStream<Path> stream = Files.newDirectoryStream(base)) {
      for (Path path : stream) {
        String name = path.getFileName().toString();
        if (OWN_FILES.contains(name)) {
          continue;
        }
        Optional<BasicFileAttributes> attributes = attributes(path);
        if (attributes.isEmpty()) {
          continue;
        }
        if (ImageId.isValid(name) && attributes.get().isRegularFile()) {
          files.add(new CacheFile(ImageId.of(name), path, attributes.get().size(),
              attributes.get().lastModifiedTime().toInstant()));
        } else if (!(SUBDIRECTORIES.contains(name) && attributes.get().isDirectory())) {
          unknown.add(name);
        }
      }
    }
    unknown.sort(null);
    return new BaseScan(files, unknown);
  }

  /** What {@link #scanBase()} found: the cache files and the unknown names (sorted). */
  record BaseScan(List<CacheFile> files, List<String> unknownNames) {
    BaseScan {
      files = List.copyOf(files);
      unknownNames = List.copyOf(unknownNames);
    }
  }

  /** Ids named by the entries of {@code directory} (a marker or incomplete directory), sorted. */
  List<ImageId> idsIn(Path directory) throws IOException {
    List<ImageId> ids = new ArrayList<>();
    for (Path path : entries(directory)) {
      String name = path.getFileName().toString();
      if (ImageId.isValid(name)) {
        ids.add(ImageId.of(name));
      }
    }
    ids.sort(null);
    return ids;
  }

  /**
   * Names in the base directory that are neither committed images (regular files named by an id),
   * nor the layout's sub-directories, nor {@linkplain #OWN_FILES own files}; sorted.
   */
  List<String> unknownNames() throws IOException {
    List<String> unknown = new ArrayList<>();
    for (Path path : entries(base)) {
      String name = path.getFileName().toString();
      if (OWN_FILES.contains(name)) {
        continue;
      }
      Optional<BasicFileAttributes> attributes = attributes(path);
      if (attributes.isEmpty()) {
        continue;
      }
      boolean image = ImageId.isValid(name) && attributes.get().isRegularFile();
      boolean subdirectory = SUBDIRECTORIES.contains(name) && attributes.get().isDirectory();
      if (!image && !subdirectory) {
        unknown.add(name);
      }
    }
    return unknown;
  }

  /** Every entry of {@code directory} (files, directories, links), sorted by name. */
  static List<Path> entries(Path directory) throws IOException {
    List<Path> entries = new ArrayList<>();
    try (DirectoryStream<Path> stream = Files.newDirectoryStream(directory)) {
      stream.forEach(entries::add);
    }
    entries.sort(null);
    return entries;
  }

  /** The attributes of {@code path} itself (links not followed); empty when it is gone. */
  static Optional<BasicFileAttributes> attributes(Path path) throws IOException {
    try {
      return Optional.of(
          Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
  }

  /** The size of a regular file, or 0 when it cannot be stat-ed or is something else. */
  static long sizeOrZero(Path file) {
    try {
      return attributes(file)
          .filter(BasicFileAttributes::isRegularFile)
          .map(BasicFileAttributes::size)
          .orElse(0L);
    } catch (IOException e) {
      return 0;
    }
  }
}
