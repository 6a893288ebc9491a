package io.imagecache.internal.store.postgres;

import io.imagecache.CachedImage;
import io.imagecache.ImageId;
import io.imagecache.internal.store.ImageIndex.Access;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The index writes of a {@link PostgresIndex} made while its database was away, kept in memory
 * until it returns: at most one pending write per image (a later write folds into the earlier
 * one, as the database would have applied both), so that an outage of any length costs memory
 * per image touched, not per write, bounded by {@link #LIMIT} images. Not thread-safe: the index
 * guards it with its own monitor.
 */
final class OfflineWrites {
  /** Images with pending writes at most; past it, writes of other images fail as before. */
  static final int LIMIT = 100_000;

  /** What the database should hold for one image once the writes are applied. */
  enum Kind { PUT, ADOPT, REMOVE, ACCESS_ONLY }

  /**
   * The pending write of one image: a row to insert ({@code PUT} replaces, {@code ADOPT} inserts
   * unless present), a removal, or none; then hits to add.
   */
  record Pending(Kind kind, Optional<CachedImage> row, Optional<Access> access) {
    Pending {
      Objects.requireNonNull(kind, "kind");
      Objects.requireNonNull(row, "row");
      Objects.requireNonNull(access, "access");
    }

    /** This write followed by {@code later}, as one. */
    Pending then(Pending later) {
      return switch (later.kind) {
        // A commit starts the row again with 0 hits; a removal ends it.
        case PUT, REMOVE -> later;
        // An adoption never replaces a row: only after a removal (or nothing) does it count.
        case ADOPT -> switch (kind) {
          case PUT, ADOPT -> new Pending(kind, row, merged(access, later.access));
          case REMOVE -> new Pending(Kind.PUT, later.row, later.access);
          case ACCESS_ONLY -> new Pending(Kind.ADOPT, later.row, merged(access, later.access));
        };
        case ACCESS_ONLY -> kind == Kind.REMOVE
            ? this
            : new Pending(kind, row, merged(access, later.access));
      };
    }

    private static Optional<Access> merged(Optional<Access> a, Optional<Access> b) {
      if (a.isEmpty()) {
        return b;
      }
      return b.isEmpty() ? a : Optional.of(a.get().merge(b.get()));
    }
  }

  /** Everything kept, taken out at once to be written. */
  record Batch(boolean removeAllFirst, Map<ImageId, Pending> writes) {
    boolean isEmpty() {
      return !removeAllFirst && writes.isEmpty();
    }
  }

  /** Whether every row of the node is removed before {@link #writes} are applied. */
  private boolean removeAllFirst;
  /** By id, in id order (so a replay takes row locks in the order every batch does). */
  private TreeMap<ImageId, Pending> writes = new TreeMap<>();

  /** Keeps {@code write} of {@code id}; false (nothing kept) when {@link #LIMIT} images wait. */
  boolean keep(ImageId id, Pending write) {
    Pending earlier = writes.get(id);
    if (earlier == null && writes.size() >= LIMIT) {
      return false;
    }
    writes.put(id, earlier == null ? write : earlier.then(write));
    return true;
  }

  /** Keeps the removal of every row of the node: every earlier write is moot. */
  void keepRemoveAll() {
    removeAllFirst = true;
    writes.clear();
  }

  /**
   * The image as the database will hold it once the kept writes are applied, where they decide
   * it: the row of a kept commit or adoption (with its kept hits), or none after a removal.
   * Empty when they do not decide it (nothing kept, or hits only): then only the database knows.
   */
  Optional<Optional<CachedImage>> image(ImageId id) {
    Pending write = writes.get(id);
    if (write == null) {
      return removeAllFirst ? Optional.of(Optional.empty()) : Optional.empty();
    }
    return switch (write.kind()) {
      case REMOVE -> Optional.of(Optional.empty());
      case ACCESS_ONLY -> Optional.empty();
      // An adoption decides only if no row was there; the database may have one: ask it.
      case ADOPT -> removeAllFirst ? Optional.of(withHits(write)) : Optional.empty();
      case PUT -> Optional.of(withHits(write));
    };
  }

  private static Optional<CachedImage> withHits(Pending write) {
    CachedImage row = write.row().orElseThrow();
    return Optional.of(write.access().map(access -> access.appliedTo(row)).orElse(row));
  }

  int size() {
    return writes.size() + (removeAllFirst ? 1 : 0);
  }

  boolean isEmpty() {
    return !removeAllFirst && writes.isEmpty();
  }

  /** Takes every kept write out, to be written; {@link #restore} them if that fails. */
  Batch drain() {
    Batch batch = new Batch(removeAllFirst, writes);
    removeAllFirst = false;
    writes = new TreeMap<>();
    return batch;
  }

  /** Puts back a drained batch that could not be written, before whatever was kept since. */
  void restore(Batch batch) {
    boolean laterRemoveAll = removeAllFirst;
    TreeMap<ImageId, Pending> later = writes;
    removeAllFirst = batch.removeAllFirst() || laterRemoveAll;
    writes = laterRemoveAll ? new TreeMap<>() : new TreeMap<>(batch.writes());
    later.forEach((id, write) -> writes.merge(id, write, Pending::then));
  }
}
