package io.imagecache.internal.origin;

import io.imagecache.ImageId;
import io.imagecache.internal.fill.ImageSource;
import io.imagecache.internal.fleet.Fleet;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import java.util.concurrent.ScheduledExecutorService;
import javax.net.ssl.SSLContext;

/**
 * An origin for a node of a fleet: a fill takes the image from a live peer that holds or is
 * filling it, and only the one node holding the fleet's claim on an image fetches it from the
 * real origin ({@link PeerFill}, {@link PeerFillBody}). Metadata, the reader check and everything
 * else go to the real origin as before: a peer fill never skips this node's own check of its
 * caller. Owns the fleet and closes it. Thread-safe.
 */
public final class PeerFillOrigin extends ForwardingOrigin {
  /** What the fills share: the fleet, the peers, the real origin and what they remember. */
  record Parts(Fleet fleet, PeerClient peers, Origin origin, DistrustedPeers distrusted,
      FleetHolds holds, Map<ImageId, Optional<String>> refills) {}

  private final Fleet fleet;
  private final Parts parts;
  private final ScheduledExecutorService timer;
  /** Starts a fill of an image with a caller's token; set once by the runtime. */
  private volatile BiConsumer<ImageId, Optional<String>> refill = (id, token) -> {};

  /**
   * Fills through {@code fleet}'s peers (asked with {@code fleetToken}, {@code https} ones with
   * {@code peerTls} when given) before {@code origin}; its timers run on {@code fleetThread} (quick tasks only), which {@link #close} shuts down.
   */
  public PeerFillOrigin(Origin origin, Fleet fleet, String fleetToken,
      Optional<SSLContext> peerTls, ScheduledExecutorService fleetThread) {
    super(origin);
    this.fleet = Objects.requireNonNull(fleet, "fleet");
    this.timer = Objects.requireNonNull(fleetThread, "fleetThread");
    this.parts = new Parts(fleet, new PeerClient(fleetToken, peerTls), origin, new DistrustedPeers(),
        new FleetHolds(timer), new ConcurrentHashMap<>());
  }

  /** The fleet this origin fills through (owned here: closed by {@link #close}). */
  public Fleet fleet() {
    return fleet;
  }

  /**
   * How to fill an image again (a new fill, quick to start, with the token of the request whose
   * fill got wrong bytes from a peer): the runtime's fill registry.
   */
  public void refillWith(BiConsumer<ImageId, Optional<String>> refill) {
    this.refill = Objects.requireNonNull(refill, "refill");
  }

  /**
   * A fill of {@code id} ended (committed or failed): the claim and announcement it held are
   * given up now that the image is committed, or the fill is gone; a fill that failed on a
   * peer's wrong bytes is started again (from the origin, or a peer not yet distrusted).
   */
  public void fillEnded(ImageId id) {
    parts.holds().fillEnded(id);
    Optional<String> token = parts.refills().remove(id);
    if (token != null) {
      // The peers that sent wrong bytes are distrusted now: the new fill goes to the origin.
      refill.accept(id, token);
    }
  }

  @Override
  public ImageSource source(ImageId id, Optional<String> authToken) {
    return new PeerFill(parts, id, authToken, origin.source(id, authToken));
  }

  @Override
  public ImageSource prefetchSource(ImageId id, Optional<String> callerToken) {
    return new PeerFill(parts, id, callerToken, origin.prefetchSource(id, callerToken));
  }

  @Override
  public void close() {
    try {
      fleet.close();
    } finally {
      timer.shutdownNow();
      parts.peers().close();
      origin.close();
    }
  }

  @Override
  public String toString() {
    return origin + " (filled through the fleet of " + fleet.self() + ")";
  }
}
