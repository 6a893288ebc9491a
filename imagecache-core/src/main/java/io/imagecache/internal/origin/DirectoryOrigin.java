package io.imagecache.internal.origin;

import io.imagecache.ImageId;
import io.imagecache.ImageNotFoundException;
import io.imagecache.OriginUnavailableException;
import io.imagecache.internal.fill.ImageSource;
import io.imagecache.internal.fill.SourceResponse;
import io.imagecache.internal.store.ExpectedContent;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Images as files in one directory: the file name is the image id. Only regular files whose real
 * path lies inside the directory are served; a symbolic link that leads outside it is treated as
 * absent, so the origin can never be used to read other files. Sizes come from the file; no digests.
 */
final class DirectoryOrigin implements Origin {
  private static final Logger log = LoggerFactory.getLogger(DirectoryOrigin.class);

  /** The directory's real path (symbolic links resolved once, at start). */
  private final Path directory;

  DirectoryOrigin(Path directory) throws IOException {
    this.directory = directory.toRealPath();
  }

  /** The directory is still there and can be listed. */
  @Override
  public String check() throws IOException {
    if (!Files.isDirectory(directory)) {
      throw new OriginUnavailableException("origin directory " + directory + " is gone");
    }
    try (var entries = Files.newDirectoryStream(directory)) {
      entries.iterator().hasNext();
    } catch (IOException e) {
      throw new OriginUnavailableException(
          "origin directory " + directory + " cannot be read: " + e, e);
    }
    return "origin directory " + directory + " can be read";
  }

  @Override
  public ImageMetadata metadata(ImageId id, Optional<String> authToken) throws IOException {
    Path file = locate(id);
    long size = readFailure(id, () -> Files.size(file));
    return new ImageMetadata(id, ImageMetadata.ACTIVE, new ExpectedContent(OptionalLong.of(size), List.of()));
  }

  @Override
  public ImageSource source(ImageId id, Optional<String> authToken) {
    return () -> {
      Path file = locate(id);
      FileChannel channel = readFailure(id, () -> FileChannel.open(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS));
      try {
        long size = channel.size();
        return SourceResponse.of(new ExpectedContent(OptionalLong.of(size), List.of()),
            new LengthCheckedChannel(channel, size, "origin file " + file));
      } catch (IOException | RuntimeException e) {
        channel.close();
        throw e;
      }
    };
  }

  /** The real path of image {@code id}'s file, if it is a regular file inside the directory. */
  private Path locate(ImageId id) throws IOException {
    Path real;
    try {
      real = directory.resolve(id.value()).toRealPath();
    } catch (NoSuchFileException e) {
      throw new ImageNotFoundException(id);
    } catch (IOException e) {
      throw unreadable(id, e);
    }
    if (!real.startsWith(directory)) {
      log.warn("refusing image {}: its symbolic link leads outside the origin directory {}", id, directory);
      throw new ImageNotFoundException(id);
    }
    if (!Files.isRegularFile(real, LinkOption.NOFOLLOW_LINKS)) {
      throw new ImageNotFoundException(id);
    }
    return real;
  }

  /** Runs a file operation, turning a vanished file into not-found and other failures into unavailable. */
  private <T> T readFailure(ImageId id, FileOperation<T> operation) throws IOException {
    try {
      return operation.run();
    } catch (NoSuchFileException e) {
      throw new ImageNotFoundException(id);
    } catch (IOException e) {
      throw unreadable(id, e);
    }
  }

  private OriginUnavailableException unreadable(ImageId id, IOException e) {
    return new OriginUnavailableException(
        "cannot read image " + id + " from origin directory " + directory + ": " + e, e);
  }

  @Override
  public void close() {
    // nothing to release: files are opened per download and closed with it
  }

  @Override
  public String toString() {
    return "directory origin " + directory;
  }

  /** A file-system call that may fail. */
  @FunctionalInterface
  private interface FileOperation<T> {
    T run() throws IOException;
  }
}
