package io.imagecache.internal;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.nio.file.StandardOpenOption.CREATE;
import static java.nio.file.StandardOpenOption.READ;
import static java.nio.file.StandardOpenOption.WRITE;

import io.imagecache.CacheDirectoryLockedException;
import io.imagecache.internal.store.FileModes;
import java.io.Closeable;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The exclusive lock of one cache directory: {@code <dir>/imagecache.lock}, locked with
 * {@link FileChannel#tryLock()} and holding {@code pid@hostname} of the holder. The kernel drops
 * the lock when the holder dies, however it dies, so a crash never leaves a stale lock behind.
 * The file itself is never deleted (deleting lock files races with the next locker).
 */
public final class DirectoryLock implements Closeable {
  public static final String FILE_NAME = "imagecache.lock";

  /**
   * Lock files this JVM holds, keyed by real path, with the holder text. A POSIX record lock
   * belongs to the process, and closing <em>any</em> descriptor of the file in the process releases
   * it; a second attempt from this JVM must therefore be refused before it opens the file, or its
   * failure clean-up would unlock the first holder. This JVM-wide table mirrors that per-process
   * kernel state, which is why it is static. Guarded by being a concurrent map: an entry is
   * claimed with putIfAbsent before the file is opened and removed after the lock is released.
   */
  private static final ConcurrentHashMap<Path, String> HELD_BY_THIS_PROCESS =
      new ConcurrentHashMap<>();

  private final Path key;
  private final String holder;
  private final FileChannel channel;
  private final FileLock lock;
  /** Whether {@link #close()} ran; guarded by this. */
  private boolean released;

  private DirectoryLock(Path key, String holder, FileChannel channel, FileLock lock) {
    this.key = key;
    this.holder = holder;
    this.channel = channel;
    this.lock = lock;
  }

  /**
   * Locks {@code dir}, creating it if needed.
   *
   * @throws CacheDirectoryLockedException when another cache in this or another process holds it
   */
  static DirectoryLock acquire(Path dir) throws IOException {
    FileModes.createDirectories(dir);
    Path key = dir.toRealPath().resolve(FILE_NAME);
    String holder = ProcessHandle.current().pid() + "@" + hostName();
    String sameProcessHolder = HELD_BY_THIS_PROCESS.putIfAbsent(key, holder);
    if (sameProcessHolder != null) {
      throw new CacheDirectoryLockedException(dir, sameProcessHolder + " (this process)");
    }
    FileChannel channel = null;
    boolean locked = false;
    try {
      channel = FileModes.open(key, CREATE, READ, WRITE);
      FileLock lock;
      try {
        lock = channel.tryLock();
      } catch (OverlappingFileLockException e) {
        lock = null; // locked in this JVM by code other than DirectoryLock
      }
      if (lock == null) {
        throw new CacheDirectoryLockedException(dir, readHolder(channel));
      }
      channel.truncate(0);
      channel.write(ByteBuffer.wrap((holder + "\n").getBytes(UTF_8)), 0);
      locked = true;
      return new DirectoryLock(key, holder, channel, lock);
    } finally {
      if (!locked) {
        if (channel != null) {
          channel.close();
        }
        HELD_BY_THIS_PROCESS.remove(key, holder);
      }
    }
  }

  /** The holder text written into the lock file: {@code pid@hostname}. */
  String holder() {
    return holder;
  }

  /** Releases the lock; the next {@link #acquire} of the directory succeeds. Idempotent. */
  @Override
  public synchronized void close() throws IOException {
    if (released) {
      return;
    }
    released = true;
    try {
      lock.release();
    } finally {
      channel.close();
      HELD_BY_THIS_PROCESS.remove(key, holder);
    }
  }

  private static String readHolder(FileChannel channel) throws IOException {
    ByteBuffer buffer = ByteBuffer.allocate(256);
    while (buffer.hasRemaining() && channel.read(buffer, buffer.position()) > 0) {
      // keep reading until the small holder text is in
    }
    String text = new String(buffer.array(), 0, buffer.position(), UTF_8).strip();
    return text.isEmpty() ? "an unknown process (the lock file names no holder)" : text;
  }

  private static String hostName() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      return "unknown-host";
    }
  }
}
