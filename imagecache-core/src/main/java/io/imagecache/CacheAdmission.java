package io.imagecache;

import io.imagecache.driver.CacheDriver;
import io.imagecache.fill.FillAdmission;
import io.imagecache.fill.NotCacheableException;
import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The fills a cache lets in, with space reserved for each: the reservation-aware half of the
 * automatic size bound. Refused images are streamed through from the origin instead.
 *
 * <pre>
 * Design
 * ======
 * Reservations.  A fill whose size S is known is admitted only when
 *     committed + reserved + S &lt;= maxSize                       (the bound)
 *     usable disk - S - reserved &gt;= minFreeDisk × total disk    (the free-disk guard)
 *   where committed is the cache size and reserved the sum of the live fills' reservations; S
 *   is then added to reserved until the fill ends (Fill releases it in its finally, committed or
 *   not). So, fills of unknown size aside, the committed bytes plus the reservations never
 *   exceed maxSize, however many fills run at once. When either test fails, the admission asks the SizeBound to prune down to the
 *   size at which both would pass (never pinned images, never images with a live fill) and
 *   tries again; when even the evictable bytes are not enough, or a few prunes did not make
 *   room, the image is refused (NotCacheableException) and served pass-through. An image larger
 *   than maxSize is refused at once.
 *
 * Unknown sizes.  A fill that does not announce its size reserves nothing; it fails, with a
 *   NotCacheableException, as soon as it has written more than maxSize bytes (checked after every
 *   chunk). So each such fill can take the cache above the bound by at most maxSize, until the
 *   automatic prune after its commit brings it back under the high-water mark.
 *
 * Locking.  lock guards reserved and released and is held only to read or change them: never
 *   for the cache size (a directory listing), the disk query or a prune. So an admission reads
 *   the committed size outside the lock, and a fill may commit and release its reservation
 *   meanwhile, which would make that reading miss the commit while the reservations no longer
 *   hold it. Hence released: the bytes every ended fill gave back (or wrote, for unknown sizes),
 *   never decreasing. An admission notes it before it reads the cache size and adds what was
 *   released since to that size when it decides, so a commit it might have missed is counted
 *   (twice at worst: the estimate errs on the safe side).
 * </pre>
 */
final class CacheAdmission implements FillAdmission {
  /** How many prunes one admission may ask for before it gives up. */
  private static final int MAX_PRUNES = 3;

  private final Path dir;
  private final long maxSize;
  private final double minFreeDisk;
  private final CacheDriver driver;
  private final SizeBound bound;
  /** Guards {@link #reserved} and {@link #released}; see the design note. Never held for I/O. */
  private final Object lock = new Object();
  /** lock. The sum of the reservations of live fills. */
  private long reserved;
  /** lock. Bytes given back by ended fills since the cache opened; only grows. */
  private long released;

  /**
   * Admits fills into the cache {@code config} describes, whose committed size {@code driver}
   * reports and whose room {@code bound} makes.
   */
  CacheAdmission(CacheConfig config, CacheDriver driver, SizeBound bound) {
    this.dir = config.dir();
    this.maxSize = config.maxSize();
    this.minFreeDisk = config.minFreeDisk();
    this.driver = Objects.requireNonNull(driver, "driver");
    this.bound = Objects.requireNonNull(bound, "bound");
  }

  /** The sum of the reservations of live fills. */
  long reservedBytes() {
    synchronized (lock) {
      return reserved;
    }
  }

  @Override
  public Reservation admit(ImageId id, ExpectedContent expected) throws NotCacheableException {
    if (expected.size().isEmpty()) {
      return new Unsized(id);
    }
    long size = expected.size().getAsLong();
    if (size > maxSize) {
      throw new NotCacheableException(id, "its " + Sizes.format(size)
          + " exceed the cache's max size of " + Sizes.format(maxSize));
    }
    for (int prunes = 0; ; prunes++) {
      long releasedBefore;
      synchronized (lock) {
        releasedBefore = released;
      }
      long cached = cacheSize(id);
      Disk disk = disk(id);
      Shortage shortage;
      synchronized (lock) {
        long committed = cached + (released - releasedBefore);
        long sizeRoom = maxSize - reserved - size;
        long diskRoom = committed + disk.usable() - size - reserved - disk.minFree();
        if (committed <= sizeRoom && committed <= diskRoom) {
          reserved += size;
          return new Sized(size);
        }
        shortage = new Shortage(committed, sizeRoom, diskRoom, reserved, disk);
      }
      makeRoom(id, size, shortage, prunes);
    }
  }

  /** Prunes so that {@code shortage} would be gone, or refuses the fill when it cannot. */
  private void makeRoom(ImageId id, long size, Shortage shortage, int prunesSoFar)
      throws NotCacheableException {
    long target = Math.min(shortage.sizeRoom(), shortage.diskRoom());
    if (prunesSoFar >= MAX_PRUNES) {
      throw refusal(id, size, shortage, MAX_PRUNES + " prunes did not make room");
    }
    long evictable;
    try {
      evictable = bound.evictableBytes();
    } catch (IOException | RuntimeException e) {
      throw refusal(id, size, shortage, "the evictable images are unknown: " + e);
    }
    if (target < 0 || shortage.committed() - evictable > target) {
      throw refusal(id, size, shortage,
          "only " + Sizes.format(evictable)
              + " can be pruned (the rest is pinned or being filled)");
    }
    try {
      bound.prune(target);
    } catch (IOException | RuntimeException e) {
      throw refusal(id, size, shortage, "pruning failed: " + e);
    }
  }

  private NotCacheableException refusal(ImageId id, long size, Shortage shortage, String why) {
    String what = shortage.committed() > shortage.sizeRoom()
        ? "with " + Sizes.format(shortage.committed()) + " cached and "
            + Sizes.format(shortage.reserved()) + " reserved by other fills, its "
            + Sizes.format(size) + " do not fit in the max size of " + Sizes.format(maxSize)
        : "its " + Sizes.format(size) + " and the " + Sizes.format(shortage.reserved())
            + " reserved by other fills would leave less than "
            + Sizes.format(shortage.disk().minFree()) + " free on the cache's file system ("
            + Sizes.format(shortage.disk().usable()) + " free now)";
    return new NotCacheableException(id, what + "; " + why);
  }

  private long cacheSize(ImageId id) throws NotCacheableException {
    try {
      return driver.cacheSize();
    } catch (IOException | RuntimeException e) {
      throw new NotCacheableException(id, "the size of the cache is unknown: " + e);
    }
  }

  private Disk disk(ImageId id) throws NotCacheableException {
    try {
      FileStore store = Files.getFileStore(dir);
      return new Disk(store.getUsableSpace(), (long) (store.getTotalSpace() * minFreeDisk));
    } catch (IOException | RuntimeException e) {
      throw new NotCacheableException(id, "the free space of " + dir + " is unknown: " + e);
    }
  }

  /** The file system's usable bytes and the free bytes the guard keeps. */
  private record Disk(long usable, long minFree) {}

  /**
   * Why a fill did not fit: the estimated committed bytes must come down to {@code sizeRoom}
   * for the bound and to {@code diskRoom} for the free-disk guard.
   */
  private record Shortage(
      long committed, long sizeRoom, long diskRoom, long reserved, Disk disk) {}

  /** The reservation of a fill of known size; released once. */
  private final class Sized implements Reservation {
    private final long bytes;
    private final AtomicBoolean done = new AtomicBoolean();

    Sized(long bytes) {
      this.bytes = bytes;
    }

    @Override
    public void release() {
      if (done.compareAndSet(false, true)) {
        synchronized (lock) {
          reserved -= bytes;
          released += bytes;
        }
      }
    }
  }

  /** A fill of unknown size: reserves nothing, fails once it outgrows the cache. */
  private final class Unsized implements Reservation {
    private final ImageId id;
    private final AtomicBoolean done = new AtomicBoolean();
    /** The fill's size so far; written and read by the fill thread only. */
    private long written;

    Unsized(ImageId id) {
      this.id = id;
    }

    @Override
    public void grown(long bytesWritten) throws NotCacheableException {
      written = bytesWritten;
      if (bytesWritten > maxSize) {
        throw new NotCacheableException(id, "its size was not announced and it grew past the"
            + " cache's max size of " + Sizes.format(maxSize));
      }
    }

    @Override
    public void release() {
      if (done.compareAndSet(false, true)) {
        synchronized (lock) {
          released += written;
        }
      }
    }
  }
}
