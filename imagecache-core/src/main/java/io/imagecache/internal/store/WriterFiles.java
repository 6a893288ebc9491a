package io.imagecache.internal.store;

import java.io.IOException;
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
  /** Creates {@code file} exclusively for writing (FileAlreadyExistsException when it exists). */
  FileChannel create(Path file) throws IOException {
    return FileModes.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
  }

  /** Writes all of {@code src} at the channel's position. */
  void write(FileChannel channel, ByteBuffer src) throws IOException {
    while (src.hasRemaining()) {
      channel.write(src);
    }
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
