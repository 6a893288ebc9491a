package io.imagecache.internal.origin;

import io.imagecache.ImageId;
import java.util.Collection;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Peers that sent bytes of an image that did not match its digests: never asked for that image
 * again by this node. At most {@link #LIMIT} images are remembered (the oldest entries go first,
 * roughly). Thread-safe (a concurrent map of concurrent sets).
 */
final class DistrustedPeers {
  static final int LIMIT = 1024;

  private final Map<ImageId, Set<String>> peers = new ConcurrentHashMap<>();

  void distrust(ImageId id, Collection<String> nodes) {
    if (peers.size() >= LIMIT) {
      Iterator<ImageId> oldest = peers.keySet().iterator();
      if (oldest.hasNext()) {
        peers.remove(oldest.next());
      }
    }
    peers.computeIfAbsent(id, key -> ConcurrentHashMap.newKeySet()).addAll(nodes);
  }

  boolean distrusted(ImageId id, String node) {
    Set<String> nodes = peers.get(id);
    return nodes != null && nodes.contains(node);
  }
}
