package io.imagecache.internal.fleet;

import io.imagecache.ImageId;
import java.io.Closeable;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * What this node knows about the other cache nodes on its database: which live peers hold or are
 * filling an image, and the one claim per image that lets a single node of the fleet fetch it from
 * the origin. Safe for concurrent use. No method blocks for more than about a second: while the
 * database does not answer, a node behaves as if it were alone (no sources, local claims).
 */
public interface Fleet extends Closeable {

  /** This node's URL, as peers reach it (its {@code node-url}). */
  String self();

  /**
   * Live nodes other than this one that hold {@code id} committed or are filling it, best first:
   * holders, then fillers with the most bytes. Empty when there are none or the database does not
   * answer.
   */
  List<PeerSource> sources(ImageId id);

  /**
   * Tries to become the one node of the fleet that fetches {@code id} from the origin. Empty when
   * another live node holds the claim. While the database does not answer, returns a claim that
   * is only local ({@link FillClaim#shared()} false). A claim ends when it is closed or when this
   * node's database session ends (a crash, a lost connection), so a dead claimant never blocks
   * the fleet for longer than the session takes to die.
   */
  Optional<FillClaim> tryClaim(ImageId id);

  /**
   * Announces that this node is filling {@code id} (from the origin or from a peer), so that
   * other nodes may stream the growing file from it; the returned handle reports progress and
   * withdraws the announcement when closed.
   */
  FillAnnouncement announceFill(ImageId id, OptionalLong size);

  /** Every live node's state for {@code id} (cached, or filling with its bytes so far). */
  List<NodeState> nodes(ImageId id) throws IOException;

  /** Stops heartbeats and releases every claim and announcement of this node. */
  @Override
  void close();
}
