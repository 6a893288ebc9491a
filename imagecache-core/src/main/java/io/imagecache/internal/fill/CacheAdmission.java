package io.imagecache.internal.fill;

import io.imagecache.CacheConfig;
import io.imagecache.Durations;
import io.imagecache.ImageId;
import io.imagecache.Sizes;
import io.imagecache.internal.maintenance.SizeBound;
import io.imagecache.internal.store.CacheDriver;
import io.imagecache.internal.store.ExpectedContent;
import java.io.IOException;
import java.time.Duration;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fills a cache lets in, with space reserved for each: the reservation-aware half of the
 * automatic size bound. Refused images are streamed through from the origin instead.
 *
 * <pre>
 * Design
 * ======
 * Reservations.  A fill whose size S is known is admitted only when
 *     committed + reserved + S &lt;= maxSize                       (the bound)
 *     usable disk - S - unwritten &gt;= minFreeDisk × total disk   (the free-disk guard)
 *   where committed is the cache size, reserved the sum of the live fills' reservations and
 *   unwritten the part of those reservations their fills have not written yet (what they have
 *   written is gone from the usable disk already). S is then added to reserved until the fill
 *   ends (Fill releases it in its finally, committed or not). So the committed bytes plus the
 *   reservations never exceed maxSize, however many fills run at once. When either test fails,
 *   the admission first removes the files of invalid/ when the disk is short (failed writes kept
 *   as evidence: the space is worth more now), then asks the SizeBound to prune down to the size
 *   at which both tests would pass (never pinned images, never images with a live fill) and
 *   tries again; when even the evictable bytes are not enough, or a few prunes did not make
 *   room, the image is refused (NotCacheableException) and served pass-through. An image larger
 *   than maxSize is refused at once.
 *
 * Unknown sizes.  A fill that does not announce its size reserves in steps, through the same two
 *   tests, reclaiming and pruning: MIN_STEP (8 MiB) when admitted, then, whenever less than
 *   HEADROOM (1 MiB, the most Fill writes per chunk) of its reservation is left unwritten,
 *   another step of an eighth of what it holds, between MIN_STEP and MAX_STEP (64 MiB), and
 *   never beyond maxSize in all; it fails as soon as it has written more than maxSize. A fill
 *   whose first step does not fit is refused before it writes anything. When a later step does
 *   not fit, the NEWEST fill of unknown size gives way: if that is the asking fill, it fails;
 *   otherwise the newest one is marked to fail at its next chunk (or step) and the asking fill
 *   waits until it has ended, and so given back its reservation and deleted its bytes, then
 *   asks again (another newer fill may give way next). While some fill is giving way already,
 *   a fill short of room waits for it before it prunes or makes another one give way: one at a
 *   time, so that no more images or fills are lost than the room needs. So the older fills, which have written
 *   the most, finish, and the ones that fail leave nothing behind (Fill deletes the bytes of a
 *   fill refused room). A fill that waits longer than the give-way wait (a newer fill's origin
 *   stalls) fails. A fill only ever waits for one that is giving way, and such a fill never
 *   waits (it fails at its next check, and one that was waiting wakes and fails), so waits
 *   cannot cycle.
 *
 * Locking.  lock guards reserved, unwritten, released, written, the live fills of unknown size
 *   and every reservation's fields, and is held only to read or change them (a give-way waits
 *   on it, which releases it): never for the cache size (a directory listing), the disk query,
 *   the removal of invalid files or a prune. So an admission reads the committed size and the
 *   disk outside the lock, and fills may commit, write and release meanwhile. Hence released
 *   (bytes every ended fill gave back or wrote, never decreasing) and written (bytes every fill
 *   wrote, never decreasing): an admission notes both before it reads the cache size and the
 *   disk, and adds what was released since to that size, and what was written since to the
 *   unwritten bytes, when it decides; so a commit or a write it might have missed is counted
 *   (twice at worst: the estimate errs on the safe side).
 * </pre>
 */
public final class CacheAdmission implements FillAdmission {
  private static final Logger LOG = LoggerFactory.getLogger(CacheAdmission.class);
  /** How many prunes one reservation may ask for before it gives up. */
  private static final int MAX_PRUNES = 3;
  private static final long MIB = 1L << 20;
  /** The first step of a fill of unknown size, and the smallest. */
  static final long MIN_STEP = 8 * MIB;
  /** The largest step of a fill of unknown size. */
  static final long MAX_STEP = 64 * MIB;
  /**
   * A fill of unknown size asks for its next step once less than this is left of its
   * reservation: Fill writes at most 1 MiB per chunk, so every chunk stays within it.
   */
  static final long HEADROOM = MIB;
  /** How long a fill short of room waits for a fill of unknown size to give way. */
  static final Duration GIVE_WAY_WAIT = Duration.ofSeconds(60);

  private volatile long maxSize;
  private final double minFreeDisk;
  private final CacheDriver driver;
  private final SizeBound bound;
  private final DiskSpace disk;
  private final long giveWayNanos;
  /** Guards the fields marked "lock"; see the design note. Never held for I/O. */
  private final Object lock = new Object();
  /** lock. The sum of the reservations of live fills. */
  private long reserved;
  /** lock. The part of {@link #reserved} the live fills have not written yet. */
  private long unwritten;
  /** lock. Bytes given back (or written, if more) by ended fills since the cache opened. */
  private long released;
  /** lock. Bytes written by all fills since the cache opened; only grows. */
  private long written;
  /** lock. The sequence number of the next fill of unknown size. */
  private long nextSequence;
  /** lock. The live fills of unknown size, oldest first. */
  private final TreeMap<Long, Unsized> unsized = new TreeMap<>();
  /** lock. How many fills wait for another to give way. */
  private int waiting;

  /**
   * Admits fills into the cache {@code config} describes, whose committed size {@code driver}
   * reports and whose room {@code bound} makes.
   */
  public CacheAdmission(CacheConfig config, CacheDriver driver, SizeBound bound) {
    this(config, driver, bound, DiskSpace.of(config.dir()), GIVE_WAY_WAIT);
  }

  /** As above, with the cache's file system seen through {@code disk}. */
  public CacheAdmission(CacheConfig config, CacheDriver driver, SizeBound bound, DiskSpace disk,
      Duration giveWayWait) {
    this.maxSize = config.maxSize();
    this.minFreeDisk = config.minFreeDisk();
    this.driver = Objects.requireNonNull(driver, "driver");
    this.bound = Objects.requireNonNull(bound, "bound");
    this.disk = Objects.requireNonNull(disk, "disk");
    this.giveWayNanos = giveWayWait.toNanos();
  }

  /** Admits against {@code maxSize} from now on (a reload); admitted fills keep their room. */
  public void maxSize(long maxSize) {
    this.maxSize = maxSize;
  }

  /** The sum of the reservations of live fills. */
  public long reservedBytes() {
    synchronized (lock) {
      return reserved;
    }
  }

  /** How many fills of unknown size wait for one giving way to give its room back. */
  int fillsWaitingForRoom() {
    synchronized (lock) {
      return waiting;
    }
  }

  @Override
  public Reservation admit(ImageId id, ExpectedContent expected) throws NotCacheableException {
    if (expected.size().isEmpty()) {
      Unsized fill;
      synchronized (lock) {
        fill = new Unsized(id, nextSequence++);
        unsized.put(fill.sequence, fill);
      }
      long step = Math.min(MIN_STEP, maxSize);
      try {
        reserve(id, step, fill, "the first " + Sizes.format(step) + " of its unannounced size");
      } catch (NotCacheableException | RuntimeException e) {
        fill.release();
        throw e;
      }
      return fill;
    }
    long size = expected.size().getAsLong();
    if (size > maxSize) {
      throw new NotCacheableException(id, "its " + Sizes.format(size)
          + " exceed the cache's max size of " + Sizes.format(maxSize));
    }
    Sized fill = new Sized(id);
    reserve(id, size, fill, "its " + Sizes.format(size));
    return fill;
  }

  /**
   * Adds {@code bytes} to {@code holder}'s reservation once both tests pass, reclaiming invalid
   * files and pruning to make them pass; throws the refusal when they cannot.
   */
  private void reserve(ImageId id, long bytes, Held holder, String what)
      throws NotCacheableException {
    reserve(id, bytes, holder, what, true);
  }

  /** {@link #reserve}, pruning only when {@code mayPrune} (else refusing at once). */
  private void reserve(ImageId id, long bytes, Held holder, String what, boolean mayPrune)
      throws NotCacheableException {
    boolean invalidReclaimed = false;
    for (int prunes = 0; ; ) {
      long releasedBefore;
      long writtenBefore;
      synchronized (lock) {
        releasedBefore = released;
        writtenBefore = written;
      }
      long cached = cacheSize(id);
      Disk now = disk(id);
      Shortage shortage;
      synchronized (lock) {
        holder.throwIfGivingWay();
        long committed = cached + (released - releasedBefore);
        long pending = unwritten + (written - writtenBefore);
        long sizeRoom = maxSize - reserved - bytes;
        long diskRoom = committed + now.usable() - bytes - pending - now.minFree();
        if (committed <= sizeRoom && committed <= diskRoom) {
          holder.add(bytes);
          return;
        }
        shortage = new Shortage(committed, sizeRoom, diskRoom, reserved, pending, now);
      }
      if (!invalidReclaimed && shortage.committed() > shortage.diskRoom()) {
        invalidReclaimed = true;
        if (reclaimInvalid() > 0) {
          continue;
        }
      }
      if (!mayPrune) {
        throw refusal(id, what, shortage, "not pruning while another fill gives room back");
      }
      makeRoom(id, what, shortage, prunes++);
    }
  }

  /** Removes the files of invalid/; returns the bytes freed (0 when that failed). */
  private long reclaimInvalid() {
    try {
      long freed = driver.removeInvalid().bytesRemoved();
      if (freed > 0) {
        LOG.info("the disk is short of room: removed {} of failed writes from invalid/",
            Sizes.format(freed));
      }
      return freed;
    } catch (IOException | RuntimeException e) {
      LOG.warn("the disk is short of room, but removing invalid/ failed: {}", e.toString());
      return 0;
    }
  }

  /** Prunes so that {@code shortage} would be gone, or refuses the fill when it cannot. */
  private void makeRoom(ImageId id, String what, Shortage shortage, int prunesSoFar)
      throws NotCacheableException {
    long target = Math.min(shortage.sizeRoom(), shortage.diskRoom());
    if (prunesSoFar >= MAX_PRUNES) {
      throw refusal(id, what, shortage, MAX_PRUNES + " prunes did not make room");
    }
    long evictable;
    try {
      evictable = bound.evictableBytes();
    } catch (IOException | RuntimeException e) {
      throw refusal(id, what, shortage, "the evictable images are unknown: " + e);
    }
    if (target < 0 || shortage.committed() - evictable > target) {
      throw refusal(id, what, shortage,
          "only " + Sizes.format(evictable)
              + " can be pruned (the rest is pinned or being filled)");
    }
    try {
      bound.prune(target);
    } catch (IOException | RuntimeException e) {
      throw refusal(id, what, shortage, "pruning failed: " + e);
    }
  }

  private NotCacheableException refusal(ImageId id, String what, Shortage shortage, String why) {
    String problem = shortage.committed() > shortage.sizeRoom()
        ? "with " + Sizes.format(shortage.committed()) + " cached and "
            + Sizes.format(shortage.reserved()) + " reserved by other fills, " + what
            + " do not fit in the max size of " + Sizes.format(maxSize)
        : what + " and the " + Sizes.format(shortage.unwritten())
            + " reserved but not yet written by other fills would leave less than "
            + Sizes.format(shortage.disk().minFree()) + " free on the cache's file system ("
            + Sizes.format(shortage.disk().usable()) + " free now)";
    return new NotCacheableException(id, problem + "; " + why);
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
      return new Disk(disk.usableBytes(), (long) (disk.totalBytes() * minFreeDisk));
    } catch (IOException | RuntimeException e) {
      throw new NotCacheableException(id, "the free space of " + disk + " is unknown: " + e);
    }
  }

  /** The file system's usable bytes and the free bytes the guard keeps. */
  private record Disk(long usable, long minFree) {}

  /**
   * Why a fill did not fit: the estimated committed bytes must come down to {@code sizeRoom}
   * for the bound and to {@code diskRoom} for the free-disk guard.
   */
  private record Shortage(
      long committed, long sizeRoom, long diskRoom, long reserved, long unwritten, Disk disk) {}

  /** What one fill holds: its reservation and how much of it it wrote; released once. */
  private abstract class Held implements Reservation {
    final ImageId id;
    private final AtomicBoolean done = new AtomicBoolean();
    /** lock. The bytes reserved for this fill. */
    long mine;
    /** lock. The bytes this fill wrote, as last told. */
    long wrote;
    /** lock. Set once released. */
    boolean ended;

    Held(ImageId id) {
      this.id = id;
    }

    /** Under lock: what is reserved and not written yet. */
    private long unwrittenPart() {
      return Math.max(0, mine - wrote);
    }

    /** Under lock: reserves {@code bytes} more for this fill. */
    final void add(long bytes) {
      long before = unwrittenPart();
      mine += bytes;
      reserved += bytes;
      unwritten += unwrittenPart() - before;
    }

    /** Under lock: notes that this fill has written {@code total} bytes. */
    final void wrote(long total) {
      if (total <= wrote) {
        return;
      }
      long before = unwrittenPart();
      written += total - wrote;
      wrote = total;
      unwritten += unwrittenPart() - before;
    }

    /** Under lock: throws when this fill must give way (fills of unknown size only). */
    void throwIfGivingWay() throws NotCacheableException {}

    /** Under lock: this fill has ended. */
    void ended() {}

    @Override
    public void grown(long bytesWritten) throws NotCacheableException {
      synchronized (lock) {
        wrote(bytesWritten);
      }
    }

    @Override
    public final void release() {
      if (done.compareAndSet(false, true)) {
        synchronized (lock) {
          reserved -= mine;
          unwritten -= unwrittenPart();
          released += Math.max(mine, wrote);
          ended = true;
          ended();
          lock.notifyAll();
        }
      }
    }
  }

  /** The reservation of a fill of known size, all of it at once. */
  private final class Sized extends Held {
    Sized(ImageId id) {
      super(id);
    }
  }

  /** A fill of unknown size: reserves step by step, gives way when it is the newest. */
  private final class Unsized extends Held {
    /** Admission order: the higher, the newer. */
    final long sequence;
    /** lock. The fill this one gives way to, once marked; null before. */
    private ImageId givingWayTo;

    Unsized(ImageId id, long sequence) {
      super(id);
      this.sequence = sequence;
    }

    @Override
    void throwIfGivingWay() throws NotCacheableException {
      if (givingWayTo != null) {
        throw new NotCacheableException(id, "its size was not announced and the cache's disk"
            + " has no room for it: it gave way to the older fill of " + givingWayTo
            + " (the newest fill of unknown size gives way first)");
      }
    }

    @Override
    void ended() {
      unsized.remove(sequence);
    }

    @Override
    public void grown(long bytesWritten) throws NotCacheableException {
      long step;
      long held;
      synchronized (lock) {
        wrote(bytesWritten);
        throwIfGivingWay();
        if (bytesWritten > maxSize) {
          throw new NotCacheableException(id, "its size was not announced and it grew past the"
              + " cache's max size of " + Sizes.format(maxSize));
        }
        if (mine - bytesWritten >= HEADROOM || mine >= maxSize) {
          return;
        }
        long next = Math.max(Math.min(MAX_STEP, Math.max(MIN_STEP, mine / 8)),
            bytesWritten + HEADROOM - mine);
        step = Math.min(next, maxSize - mine);
        held = mine;
      }
      reserveStep(step, held);
    }

    /** Reserves {@code step} more, letting newer fills of unknown size give way for it. */
    private void reserveStep(long step, long held) throws NotCacheableException {
      String what = "another " + Sizes.format(step) + " of its unannounced size (after "
          + Sizes.format(held) + ")";
      while (true) {
        // Cheap first: the room may be there. If not and a fill is giving its room back, wait
        // for that room before pruning images or making another fill give way.
        try {
          reserve(id, step, this, what, false);
          return;
        } catch (NotCacheableException e) {
          // no room without pruning
        }
        Unsized giving;
        synchronized (lock) {
          throwIfGivingWay();
          giving = givingWay();
        }
        if (giving != null) {
          awaitEnd(giving);
          continue;
        }
        NotCacheableException refused;
        try {
          reserve(id, step, this, what, true);
          return;
        } catch (NotCacheableException e) {
          refused = e;
        }
        boolean marked = false;
        synchronized (lock) {
          throwIfGivingWay();
          giving = givingWay();
          if (giving == null) {
            giving = newestNotGivingWay();
            if (giving == this) {
              NotCacheableException failure = new NotCacheableException(id, "it is the newest"
                  + " fill of unknown size, which gives way first, and there is no room for "
                  + what);
              failure.addSuppressed(refused);
              throw failure;
            }
            giving.givingWayTo = id;
            marked = true;
            lock.notifyAll();
          }
        }
        if (marked) {
          LOG.info("no room for {} of {}: the newer fill of {} (size unknown) gives way", what,
              id, giving.id);
        }
        awaitEnd(giving);
      }
    }

    /**
     * Under lock: a live fill that is giving way already, if any: its room is coming back, so
     * it is waited for before another fill is made to give way (one at a time, so that no more
     * fills fail than the room needs). Such a fill never waits itself, so waiting is safe.
     */
    private Unsized givingWay() {
      for (Unsized fill : unsized.values()) {
        if (fill.givingWayTo != null) {
          return fill;
        }
      }
      return null;
    }

    /** Under lock: the newest live fill of unknown size that is not giving way already. */
    private Unsized newestNotGivingWay() {
      for (Unsized fill : unsized.descendingMap().values()) {
        if (fill.givingWayTo == null) {
          return fill;
        }
      }
      return this;
    }

    /** Waits until {@code giving} (a fill giving way) has ended; fails when this one must. */
    private void awaitEnd(Unsized giving) throws NotCacheableException {
      long deadline = System.nanoTime() + giveWayNanos;
      synchronized (lock) {
        waiting++;
        try {
          while (!giving.ended) {
            throwIfGivingWay();
            long left = deadline - System.nanoTime();
            if (left <= 0) {
              throw new NotCacheableException(id, "its size was not announced, the disk has no"
                  + " room for more, and the fill of " + giving.id + " did not give way within "
                  + Durations.format(Duration.ofNanos(giveWayNanos)));
            }
            try {
              TimeUnit.NANOSECONDS.timedWait(lock, left);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
              throw new NotCacheableException(id, "interrupted while waiting for room");
            }
          }
        } finally {
          waiting--;
        }
      }
    }
  }
}
