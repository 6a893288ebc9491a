package io.imagecache.cli;

import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;

/** The one way the CLI words an exception in a message: its text, or its class when it has none. */
final class ErrorText {
  private ErrorText() {}

  /**
   * The exception's message, or its class's simple name when it has none. A file system failure
   * whose message is only the path ({@link AccessDeniedException}) gets its reason added:
   * {@code /srv/cache: permission denied}.
   */
  static String of(Throwable e) {
    if (e instanceof FileSystemException file && file.getReason() == null) {
      String reason = e instanceof AccessDeniedException ? "permission denied"
          : e instanceof FileAlreadyExistsException ? "a file is in the way"
          : e instanceof NoSuchFileException ? "does not exist"
          : e instanceof NotDirectoryException ? "not a directory"
          : e.getClass().getSimpleName();
      return (file.getOtherFile() == null ? file.getFile()
          : file.getFile() + " -> " + file.getOtherFile()) + ": " + reason;
    }
    String message = e.getMessage();
    return message == null || message.isBlank() ? e.getClass().getSimpleName() : message;
  }
}
