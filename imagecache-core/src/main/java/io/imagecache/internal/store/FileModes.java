package io.imagecache.internal.store;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * The modes the cache creates its directories ({@code rwxr-x---}) and files ({@code rw-r-----})
 * with, so that no umask, not even {@code 000}, makes them writable by other users: anyone who can
 * write into the cache directory could plant the bytes it serves. A umask can still take bits away.
 */
public final class FileModes {
  private static final FileAttribute<Set<PosixFilePermission>> DIRECTORY =
      PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-x---"));
  private static final FileAttribute<Set<PosixFilePermission>> FILE =
      PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-r-----"));

  private FileModes() {}

  /** {@code mkdir -p} whose new directories get {@code rwxr-x---}; existing ones are left as they are. */
  public static void createDirectories(Path directory) throws IOException {
    Files.createDirectories(directory, DIRECTORY);
  }

  /** Creates {@code file} with {@code rw-r-----}; fails if anything, a link too, is there already. */
  public static void createFile(Path file) throws IOException {
    Files.createFile(file, FILE);
  }

  /**
   * Opens {@code file} with {@code options}; when they create it, it gets {@code rw-r-----}.
   * {@code CREATE_NEW} never follows a symbolic link.
   */
  public static FileChannel open(Path file, OpenOption... options) throws IOException {
    return FileChannel.open(file, Set.of(options), FILE);
  }

  /** Creates {@code file} empty with {@code rw-r-----} unless it exists already. */
  public static void createIfAbsent(Path file) throws IOException {
    try {
      createFile(file);
    } catch (FileAlreadyExistsException e) {
      // Its owner chose its mode.
    }
  }

  /** Whether users other than the owner's group may write into {@code directory}. */
  static boolean writableByOthers(Path directory) throws IOException {
    return Files.getPosixFilePermissions(directory).contains(PosixFilePermission.OTHERS_WRITE);
  }
}
