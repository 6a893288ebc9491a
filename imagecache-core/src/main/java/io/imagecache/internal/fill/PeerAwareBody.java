package io.imagecache.internal.fill;

/**
 * A fill body that may read from peers of the fleet instead of the origin, and says which its
 * latest read came from, so that peer bytes are not counted as origin bytes. Asked by the thread
 * that reads, right after each read.
 */
public interface PeerAwareBody {

  /** Whether the bytes of the latest read came from a peer (false: from the origin). */
  boolean lastReadFromPeer();
}
