package io.imagecache;

/** What a prune removed: Glance's {@code (files_pruned, bytes_pruned)}. */
public record PruneResult(int filesPruned, long bytesPruned) {
  public static final PruneResult NOTHING = new PruneResult(0, 0);

  public PruneResult {
    if (filesPruned < 0) {
      throw new IllegalArgumentException("filesPruned must be >= 0: " + filesPruned);
    }
    if (bytesPruned < 0) {
      throw new IllegalArgumentException("bytesPruned must be >= 0: " + bytesPruned);
    }
  }
}
