package io.imagecache.internal.store;

import io.imagecache.ImageId;
import java.util.List;

/**
 * What start-up reconciliation did.
 *
 * @param incompleteRemoved incomplete files left by a crash, removed
 * @param adopted committed files the store did not know, now indexed with their size
 * @param dropped store entries whose file was gone, removed
 * @param unknownFiles names in the base directory that are neither images nor the cache's own files
 */
public record RecoveryReport(
    List<ImageId> incompleteRemoved, List<ImageId> adopted, List<ImageId> dropped,
    List<String> unknownFiles) {
  public RecoveryReport {
    incompleteRemoved = List.copyOf(incompleteRemoved);
    adopted = List.copyOf(adopted);
    dropped = List.copyOf(dropped);
    unknownFiles = List.copyOf(unknownFiles);
  }
}
