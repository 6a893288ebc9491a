package io.imagecache.internal.store;

import io.imagecache.CacheStoreException;
import io.imagecache.CachedImage;
import io.imagecache.ImageId;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Where a driver keeps the metadata of committed images: the part of a Glance driver that differs
 * between {@code sqlite}, {@code xattr} and {@code postgres}. The files themselves are handled by
 * {@link FileCacheDriver}, the same for every index.
 *
 * <p>Implementations are thread-safe. Every failure of the store is a {@link CacheStoreException}.
 */
public interface ImageIndex extends Closeable {

  /** Creates the schema, probes the file system or registers the node. */
  void open() throws BadDriverConfigurationException;

  /**
   * Records a commit: the entry for {@code id} is created or replaced with {@code hits = 0} and
   * both timestamps {@code now}. {@code file} is the committed file.
   */
  void put(ImageId id, Path file, long size, Instant now, Optional<String> checksum)
      throws IOException;

  /**
   * Records an adopted file found on disk without an entry; {@code hits} comes from whatever the
   * file carries (Glance's {@code user.hits}) or 0. Never replaces an entry that exists (a commit
   * recorded meanwhile wins).
   */
  void adopt(ImageId id, Path file, long size, Instant modified) throws IOException;

  /**
   * Records every file of {@code files} as {@link #adopt} does, in as few store round trips as the
   * store allows (one transaction for SQL stores).
   */
  default void adoptAll(List<Adoption> files) throws IOException {
    for (Adoption file : files) {
      adopt(file.id(), file.file(), file.size(), file.modified());
    }
  }

  /** Removes the entry of {@code id}, if any. */
  void remove(ImageId id) throws IOException;

  /** Removes every entry (of this node). */
  void removeAll() throws IOException;

  /** The entry of {@code id}, if any. */
  Optional<CachedImage> get(ImageId id) throws IOException;

  /** Every entry (of this node), ordered by id. */
  List<CachedImage> list() throws IOException;

  /**
   * The ids that have an entry (of this node), in no particular order: what start-up
   * reconciliation compares with the files on disk. Cheaper than {@link #list()}, which stores
   * override it with an id-only read.
   */
  default Set<ImageId> ids() throws IOException {
    Set<ImageId> ids = new HashSet<>();
    for (CachedImage image : list()) {
      ids.add(image.imageId());
    }
    return ids;
  }

  /** The entry with the oldest access (ties: lowest id), if any. */
  Optional<ImageId> leastRecentlyAccessed() throws IOException;

  /** Adds the given hits and sets the last-access times, in one batch. Unknown ids are skipped. */
  void recordAccesses(Map<ImageId, Access> accesses) throws IOException;

  /**
   * One cheap round trip to the store (a {@code SELECT 1}, a stat): returns when it answers,
   * throws when it does not. For readiness probes.
   */
  void check() throws IOException;

  /** Whether the store is shared by nodes and knows which node has which image. */
  default boolean tracksNodes() {
    return false;
  }

  /** Node URLs of every node that has {@code id}; only when {@link #tracksNodes()}. */
  default List<String> nodes(ImageId id) throws IOException {
    throw new UnsupportedOperationException("this driver does not track the nodes of a fleet");
  }

  /** A committed file to adopt: its id, path, size and mtime. */
  record Adoption(ImageId id, Path file, long size, Instant modified) {
    public Adoption {
      Objects.requireNonNull(id, "id");
      Objects.requireNonNull(file, "file");
      Objects.requireNonNull(modified, "modified");
      if (size < 0) {
        throw new IllegalArgumentException("size must not be negative: " + size);
      }
    }
  }

  /** Hits and the newest access time collected for one image since the last flush. */
  record Access(long hits, Instant lastAccessed) {
    /** Both accesses as one: the hits added (capped, see {@link #addHits}), the later time. */
    public Access merge(Access other) {
      return new Access(addHits(hits, other.hits), later(lastAccessed, other.lastAccessed));
    }

    /** {@code image} once this access is recorded: hits added (capped), the later access time. */
    public CachedImage appliedTo(CachedImage image) {
      return new CachedImage(image.imageId(), image.size(), addHits(image.hits(), hits),
          later(image.lastAccessed(), lastAccessed), image.lastModified(), image.checksum());
    }

    /** {@code a + b} for hit counts (never negative), capped at {@link Long#MAX_VALUE}. */
    public static long addHits(long a, long b) {
      long sum = a + b;
      return sum < 0 ? Long.MAX_VALUE : sum;
    }

    private static Instant later(Instant a, Instant b) {
      return a.isAfter(b) ? a : b;
    }
  }
}
