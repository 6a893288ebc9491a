package io.imagecache.internal.store;

import io.imagecache.ImageId;
import java.io.Closeable;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/*
 * Design
 * ======
 * What it is for.  A hit of a small image costs more in open(2) and the hop to a blocking thread
 *   that opens it than in sending it. Like nginx's open_file_cache, the driver keeps the files of
 *   recently read images open here, so that the next hit is a map lookup: no system call, nothing
 *   that could block, so it may run on an event loop.
 *
 * Sharing.  A Held file counts its users in `refs`: one for the table while it is in `held`, one
 *   per reader. The last release closes the channel. A retain that finds 0 fails, so a closed
 *   channel is never handed out. Readers use positional reads only (sendfile, read(dst, pos)), so
 *   they do not disturb one another.
 *
 * Staleness.  The file held for an id must be the one committed now. Every change of a committed
 *   file (commit, delete, delete all, recovery) reaches invalidate/invalidateAll after the file
 *   changed; those bump `generation` and then drop what is held. A reader that opened a file reads
 *   the generation before its open(2) and hands it to hold(), which inserts and then compares: if
 *   an invalidation ran since, the insert is undone. Either the invalidation's removal comes after
 *   the insert (and removes it), or its bump comes before the comparison (which undoes it), so a
 *   file replaced or deleted meanwhile never stays held. A reader that got the old file in that
 *   window reads the image as it was, like any reader that opened it just before a delete.
 *
 * Owners and locking (no locks):
 *   held        a concurrent map; inserts by hold(), removals by invalidate, eviction and undo.
 *   generation  an atomic counter, bumped by every invalidation.
 *   Held.refs   an atomic count, see Sharing. Held.lastUsed: a volatile stamp written by acquire;
 *               only eviction reads it, and a racing stamp just picks a different victim.
 */

/**
 * The files of recently read committed images, held open so that a hit needs no {@code open(2)}
 * (the driver's hot path); bounded, invalidated by every change of a committed file.
 */
final class HeldFiles implements Closeable {
  private static final Logger log = LoggerFactory.getLogger(HeldFiles.class);

  private final int capacity;
  /** The held file of each id; see the design note. */
  private final Map<ImageId, Held> held = new ConcurrentHashMap<>();
  /** Bumped by every invalidation, before it drops anything. */
  private final AtomicLong generation = new AtomicLong();

  /** A table holding at most {@code capacity} files open. */
  HeldFiles(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be at least 1: " + capacity);
    }
    this.capacity = capacity;
  }

  /** Read before opening a file that will be offered to {@link #hold}. */
  long generation() {
    return generation.get();
  }

  /**
   * The held file of {@code id}, retained for the caller, who closes the returned handle; empty
   * when none is held. Never blocks and makes no system call.
   */
  Optional<Handle> acquire(ImageId id) {
    Held file = held.get(id);
    if (file == null || !file.retain()) {
      return Optional.empty();
    }
    if (!file.channel.isOpen()) {
      // Closed under its users (an interrupted positional read closes a FileChannel): forget it.
      file.release();
      drop(id, file);
      return Optional.empty();
    }
    file.lastUsed = System.nanoTime();
    return Optional.of(new Handle(file));
  }

  /**
   * Offers {@code channel}, the committed file of {@code id} opened after {@link #generation()}
   * returned {@code generationSeen}, to be held. Returns what the caller closes when it is done
   * reading: a release of the shared file when it is now held, else the channel itself.
   */
  Closeable hold(ImageId id, FileChannel channel, long size, long generationSeen) {
    Held file = new Held(channel, size);
    if (held.putIfAbsent(id, file) != null) {
      return channel;
    }
    if (generation.get() != generationSeen) {
      drop(id, file);
    } else if (held.size() > capacity) {
      evictOldestBut(id);
    }
    return new Handle(file);
  }

  /** Stops holding the file of {@code id}: it changed or is gone. Readers keep what they have. */
  void invalidate(ImageId id) {
    generation.incrementAndGet();
    Held file = held.get(id);
    if (file != null) {
      drop(id, file);
    }
  }

  /** Stops holding every file. */
  void invalidateAll() {
    generation.incrementAndGet();
    held.forEach(this::drop);
  }

  /** Ids whose files are held now, for tests and diagnostics. */
  int size() {
    return held.size();
  }

  @Override
  public void close() {
    invalidateAll();
  }

  /** Removes {@code file} if it is still the one held for {@code id}, releasing the table's share. */
  private void drop(ImageId id, Held file) {
    if (held.remove(id, file)) {
      file.release();
    }
  }

  private void evictOldestBut(ImageId keep) {
    while (held.size() > capacity) {
      Map.Entry<ImageId, Held> oldest = null;
      for (Map.Entry<ImageId, Held> entry : held.entrySet()) {
        if (!entry.getKey().equals(keep)
            && (oldest == null || entry.getValue().lastUsed < oldest.getValue().lastUsed)) {
          oldest = entry;
        }
      }
      if (oldest == null) {
        return;
      }
      drop(oldest.getKey(), oldest.getValue());
    }
  }

  /** A reader's share of a held file; closing it releases the share (once). */
  static final class Handle implements Closeable {
    private final Held file;
    private final AtomicBoolean closed = new AtomicBoolean();

    private Handle(Held file) {
      this.file = file;
    }

    FileChannel channel() {
      return file.channel;
    }

    long size() {
      return file.size;
    }

    @Override
    public void close() {
      if (closed.compareAndSet(false, true)) {
        file.release();
      }
    }
  }

  /** One open committed file and the count of its users (the table and each reader). */
  private static final class Held {
    final FileChannel channel;
    final long size;
    /** Users; starts at 2 (the table and the reader who opened it). */
    final AtomicInteger refs = new AtomicInteger(2);
    /** When a reader last acquired it (System.nanoTime); see the design note. */
    volatile long lastUsed = System.nanoTime();

    Held(FileChannel channel, long size) {
      this.channel = channel;
      this.size = size;
    }

    boolean retain() {
      for (;;) {
        int n = refs.get();
        if (n == 0) {
          return false;
        }
        if (refs.compareAndSet(n, n + 1)) {
          return true;
        }
      }
    }

    void release() {
      if (refs.decrementAndGet() == 0) {
        try {
          channel.close();
        } catch (IOException e) {
          log.debug("closing a held file failed", e);
        }
      }
    }
  }
}
