package io.imagecache.internal.fill;

import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;

/** The size and the free space of the file system a cache lives on, as it is now. */
interface DiskSpace {

  /** Bytes this process may still write. */
  long usableBytes() throws IOException;

  /** The file system's size in bytes. */
  long totalBytes() throws IOException;

  /** The file system of {@code dir}, asked on every call (statvfs). */
  static DiskSpace of(Path dir) {
    return new DiskSpace() {
      @Override
      public long usableBytes() throws IOException {
        return store().getUsableSpace();
      }

      @Override
      public long totalBytes() throws IOException {
        return store().getTotalSpace();
      }

      private FileStore store() throws IOException {
        return Files.getFileStore(dir);
      }

      @Override
      public String toString() {
        return dir.toString();
      }
    };
  }
}
