package io.imagecache.internal.fleet;

import java.util.Objects;

/**
 * A live peer that can send an image: its URL and whether it holds the image committed or is
 * still filling it (then {@code bytes} is how far it had got when last reported).
 */
public record PeerSource(String nodeUrl, boolean complete, long bytes) {
  public PeerSource {
    Objects.requireNonNull(nodeUrl, "nodeUrl");
  }
}
