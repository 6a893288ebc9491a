package io.imagecache.internal.store;

import java.util.Locale;

/**
 * Whether a failure came from a lack of space: a full file system ({@code ENOSPC}), an exhausted
 * quota ({@code EDQUOT}) or a full store ({@code SQLITE_FULL}). The JDK reports these only in the
 * message of an {@link java.io.IOException}, so the messages of the cause chain are looked at.
 */
public final class NoSpaceLeft {
  private static final String[] MARKERS = {
      "no space left on device", "disk quota exceeded", "sqlite_full", "database or disk is full"};

  private NoSpaceLeft() {}

  /** Whether {@code failure} or one of its causes says that space ran out. */
  public static boolean causedBy(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      String message = t.getMessage();
      if (message == null) {
        continue;
      }
      String lower = message.toLowerCase(Locale.ROOT);
      for (String marker : MARKERS) {
        if (lower.contains(marker)) {
          return true;
        }
      }
    }
    return false;
  }
}
