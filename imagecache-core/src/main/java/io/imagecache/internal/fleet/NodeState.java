package io.imagecache.internal.fleet;

import java.time.Instant;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * One live node's state for one image, as {@code GET /v2/cache/nodes/{id}?detail=true} shows it:
 * cached, or filling with {@code bytes} so far of {@code size} (when known).
 */
public record NodeState(String nodeUrl, boolean cached, long bytes, OptionalLong size,
    Instant lastHeartbeat) {
  public NodeState {
    Objects.requireNonNull(nodeUrl, "nodeUrl");
    Objects.requireNonNull(size, "size");
    Objects.requireNonNull(lastHeartbeat, "lastHeartbeat");
  }
}
