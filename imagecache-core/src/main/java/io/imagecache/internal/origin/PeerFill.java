package io.imagecache.internal.origin;

import io.imagecache.ImageId;
import io.imagecache.ImageNotActiveException;
import io.imagecache.internal.Throwables;
import io.imagecache.internal.fill.ImageSource;
import io.imagecache.internal.fill.SourceResponse;
import io.imagecache.internal.fleet.FillClaim;
import io.imagecache.internal.fleet.PeerSource;
import io.imagecache.internal.store.ContentDigest;
import io.imagecache.internal.store.ExpectedContent;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where one fill in a fleet gets its bytes: the first live peer that holds or is filling the
 * image and answers; else, with the fleet's claim on the image, the origin; else (another node
 * holds the claim and will announce its fill at once) the sources again, every
 * {@link #POLL_INTERVAL}. Either way the fill is announced, so that other nodes may stream from
 * this one in turn (a cold fleet forms a tree). Only when no source has answered for
 * {@link #SOURCE_WAIT} while the claim stays taken does the fill go to the origin without it.
 */
final class PeerFill implements ImageSource {
  private static final Logger LOG = LoggerFactory.getLogger(PeerFill.class);
  static final Duration POLL_INTERVAL = Duration.ofMillis(100);
  static final Duration SOURCE_WAIT = Duration.ofSeconds(30);

  private final PeerFillOrigin.Parts parts;
  private final ImageId id;
  private final Optional<String> token;
  /** The origin's download of the whole image, as the request or prefetch asks it. */
  private final ImageSource origin;

  PeerFill(PeerFillOrigin.Parts parts, ImageId id, Optional<String> token, ImageSource origin) {
    this.parts = parts;
    this.id = id;
    this.token = token;
    this.origin = origin;
  }

  @Override
  public SourceResponse open() throws IOException {
    long deadline = System.nanoTime() + SOURCE_WAIT.toNanos();
    while (true) {
      Optional<SourceResponse> fromPeer = fromPeer();
      if (fromPeer.isPresent()) {
        return fromPeer.get();
      }
      Optional<FillClaim> claim = parts.fleet().tryClaim(id);
      if (claim.isPresent()) {
        return fromOrigin(claim);
      }
      if (System.nanoTime() - deadline > 0) {
        LOG.warn("image {}: another node holds the claim but no source answered within {} s;"
            + " fetching it from the origin", id, SOURCE_WAIT.toSeconds());
        return fromOrigin(Optional.empty());
      }
      try {
        Thread.sleep(POLL_INTERVAL.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("interrupted while looking for a source of " + id);
      }
    }
  }

  /**
   * The first source that answers, announced; empty when none does. With an origin that decides
   * who reads what (Glance), what the bytes must be is the origin's word (its metadata, asked
   * with the caller's token), which the peer's headers must agree with; otherwise it is the
   * peer's headers.
   */
  private Optional<SourceResponse> fromPeer() throws IOException {
    Optional<ExpectedContent> originSays = Optional.empty();
    for (PeerSource source : parts.fleet().sources(id)) {
      String node = source.nodeUrl();
      if (node.equals(parts.fleet().self()) || parts.distrusted().distrusted(id, node)) {
        continue;
      }
      SourceResponse answer;
      try {
        answer = parts.peers().get(node, id);
      } catch (IOException e) {
        LOG.debug("image {}: peer {} does not send it: {}", id, node, Throwables.describe(e));
        continue;
      }
      ExpectedContent expected = answer.expected();
      if (parts.origin().authorizesReaders()) {
        try {
          if (originSays.isEmpty()) {
            ImageMetadata metadata = parts.origin().metadata(id, token);
            if (!metadata.isActive()) {
              throw new ImageNotActiveException(id, metadata.status());
            }
            originSays = Optional.of(metadata.expected());
          }
          expected = agreed(originSays.get(), answer.expected(), node);
        } catch (IOException | RuntimeException e) {
          QuietClose.close(answer, "a peer's answer");
          if (e instanceof PeerDisagreesException) {
            continue;
          }
          throw e;
        }
      }
      LOG.info("image {}: filling from peer {}", id, node);
      FleetHold hold = new FleetHold(id,
          parts.fleet().announceFill(id, expected.size()), Optional.empty());
      return Optional.of(SourceResponse.of(expected, new PeerFillBody(parts, id, token,
          hold, expected, answer.body(), Optional.of(node))));
    }
    return Optional.empty();
  }

  /**
   * The origin's expectation, with the peer's size where the origin gave none; a peer whose size
   * or digests contradict the origin's is distrusted for the image.
   */
  private ExpectedContent agreed(ExpectedContent origin, ExpectedContent peer, String node)
      throws PeerDisagreesException {
    boolean sizesDiffer = origin.size().isPresent() && peer.size().isPresent()
        && origin.size().getAsLong() != peer.size().getAsLong();
    boolean digestsDiffer = peer.digests().stream().anyMatch(digest ->
        origin.digest(digest.algorithm()).filter(known -> !known.equals(digest)).isPresent());
    if (sizesDiffer || digestsDiffer) {
      LOG.warn("image {}: peer {} announces {} but the origin says {}; not asking it for the"
          + " image again", id, node, peer, origin);
      parts.distrusted().distrust(id, List.of(node));
      throw new PeerDisagreesException();
    }
    List<ContentDigest> digests = new ArrayList<>(origin.digests());
    digests.addAll(origin.recorded());
    return new ExpectedContent(origin.size().isPresent() ? origin.size() : peer.size(), digests);
  }

  /** A peer's announcement contradicts the origin's metadata. */
  private static final class PeerDisagreesException extends IOException {
    PeerDisagreesException() {
      super("the peer's announcement contradicts the origin's metadata");
    }
  }

  /** The origin's answer, announced at once (before the origin answers) and holding {@code claim}. */
  private SourceResponse fromOrigin(Optional<FillClaim> claim) throws IOException {
    FleetHold hold = new FleetHold(id, parts.fleet().announceFill(id, OptionalLong.empty()), claim);
    SourceResponse answer;
    try {
      answer = origin.open();
    } catch (IOException | RuntimeException e) {
      hold.release();
      throw e;
    }
    answer.expected().size().ifPresent(hold::size);
    return SourceResponse.of(answer.expected(), new PeerFillBody(parts, id, token, hold,
        answer.expected(), answer.body(), Optional.empty()));
  }
}
