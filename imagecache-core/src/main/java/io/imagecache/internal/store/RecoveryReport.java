package io.imagecache.internal.store;

import io.imagecache.ImageId;
import java.util.List;

/**
 * What the reconciliation of files and metadata store did ({@link CacheDriver#reconcile()}).
 *
 * @param adopted committed files the store did not know, now indexed with their size
 * @param dropped store entries whose file was gone, removed
 * @param unknownFiles names in the base directory that are neither images nor the cache's own files
 */
public record RecoveryReport(
    List<ImageId> adopted, List<ImageId> dropped, List<String> unknownFiles) {
  public RecoveryReport {
    adopted = List.copyOf(adopted);
    dropped = List.copyOf(dropped);
    unknownFiles = List.copyOf(unknownFiles);
  }
}
