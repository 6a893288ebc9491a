package io.imagecache.internal.store;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * The file-system calls by which a writer creates, fills and commits its file, in one place so
 * that a test can make a chosen one fail (a subclass overrides it); this class makes the real
 * calls.
 */
class WriterFiles {
  /**
   * Creates {@code file} exclusively (FileAlreadyExistsException when it exists) and opens it for
   * writing as a RandomAccessFile: the one JDK handle whose {@link #setLength} extends a file
   * without writing to it. The writer owns the new name, so reopening it finds the same file.
   */
  RandomAccessFile create(Path file) throws IOException {
    FileModes.createFile(file);
    return new RandomAccessFile(file.toFile(), "rw");
  }

  /** Writes all of {@code src} at file offset {@code position}. */
  void write(FileChannel channel, ByteBuffer src, long position) throws IOException {
    long at = position;
    while (src.hasRemaining()) {
      at += channel.write(src, at);
    }
  }

  /** ftruncate: extends the file to {@code length} bytes, the new ones a hole (read as zeros). */
  void setLength(RandomAccessFile file, long length) throws IOException {
    file.setLength(length);
  }

  /** fdatasync: the file's bytes reach the disk. */
  void force(FileChannel channel) throws IOException {
    channel.force(false);
  }

  /** rename(2) of {@code source} over {@code target}, all or nothing. */
  void move(Path source, Path target) throws IOException {
    Files.move(source, target, StandardCopyOption.ATOMIC_MOVE);
  }

  /** fsync on a directory, so that a rename in it survives a crash. */
  void forceDirectory(Path directory) throws IOException {
    try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
      channel.force(true);
    }
  }
}
