package io.imagecache;

/** What {@code CacheDriver.clean} removed: invalid files, stalled incomplete files, and their bytes. */
public record CleanResult(int invalidFilesRemoved, int stalledFilesRemoved, long bytesRemoved) {
  public static final CleanResult NOTHING = new CleanResult(0, 0, 0);
}
