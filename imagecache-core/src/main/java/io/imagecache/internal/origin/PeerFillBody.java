package io.imagecache.internal.origin;

import io.imagecache.ImageId;
import io.imagecache.internal.Throwables;
import io.imagecache.internal.fill.PeerAwareBody;
import io.imagecache.internal.fleet.FillClaim;
import io.imagecache.internal.fleet.PeerSource;
import io.imagecache.internal.store.ContentCheck;
import io.imagecache.internal.store.ContentDigest;
import io.imagecache.internal.store.ContentMismatchException;
import io.imagecache.internal.store.DigestAlgorithm;
import io.imagecache.internal.store.ExpectedContent;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ReadableByteChannel;
import java.security.MessageDigest;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The body of a fill in a fleet: the bytes of one source, and when a peer breaks off (dies, stalls,
 * ends short) the rest from another, asked with {@code Range: bytes=N-}: a holder or a filler that
 * is further along, else the origin once this node holds the claim. The reader sees one stream.
 * Bytes that came from peers are digested on the way and checked at the end against what the
 * first peer announced: a mismatch fails the read with {@link ContentMismatchException} and those
 * peers are not asked for this image again. An origin body is read as it comes (it resumes by
 * itself where the origin allows).
 *
 * <p>One reader thread; {@link #close} may come from any thread and ends a wait at once.
 */
final class PeerFillBody implements ReadableByteChannel, PeerAwareBody {
  private static final Logger LOG = LoggerFactory.getLogger(PeerFillBody.class);

  private final PeerFillOrigin.Parts parts;
  private final ImageId id;
  private final Optional<String> token;
  private final FleetHold hold;
  private final ExpectedContent expected;
  /** Guards {@link #current} and {@link #closed}; waited on between polls. */
  private final Object lock = new Object();
  private ReadableByteChannel current;
  private boolean closed;
  // Reader-thread state.
  /** The peer {@link #current} comes from; empty: the origin. */
  private Optional<String> peer;
  /** Every peer whose bytes this body gave out. */
  private final Set<String> contributors = new LinkedHashSet<>();
  /** Digests of the whole stream; empty when it started at the origin (nothing to check). */
  private final Map<DigestAlgorithm, MessageDigest> digests = new EnumMap<>(DigestAlgorithm.class);
  private long offset;
  /** {@link System#nanoTime()} of the last byte read (or of the start). */
  private long lastProgress = System.nanoTime();

  PeerFillBody(PeerFillOrigin.Parts parts, ImageId id, Optional<String> token, FleetHold hold,
      ExpectedContent expected, ReadableByteChannel first, Optional<String> peer) {
    this.parts = parts;
    this.id = id;
    this.token = token;
    this.hold = hold;
    this.expected = expected;
    this.current = first;
    this.peer = peer;
    if (peer.isPresent()) {
      contributors.add(peer.get());
      for (ContentDigest digest : expected.digests()) {
        digests.put(digest.algorithm(), digest.algorithm().newMessageDigest());
      }
    }
  }

  /** Reader-thread state, asked by the reader right after a read: its bytes' source. */
  @Override
  public boolean lastReadFromPeer() {
    return peer.isPresent();
  }

  @Override
  public int read(ByteBuffer dst) throws IOException {
    while (true) {
      ReadableByteChannel body;
      synchronized (lock) {
        if (closed) {
          throw new AsynchronousCloseException();
        }
        body = current;
      }
      int start = dst.position();
      int n;
      try {
        n = body.read(dst);
      } catch (IOException e) {
        dst.position(start); // bytes a failed read left in dst are asked for again from offset
        if (peer.isEmpty() || !mayFailOver(e) || !isOpen()) {
          throw e;
        }
        failOver(e);
        continue;
      }
      if (n > 0) {
        ByteBuffer read = dst.duplicate().position(start).limit(start + n);
        for (MessageDigest digest : digests.values()) {
          digest.update(read.duplicate());
        }
        offset += n;
        lastProgress = System.nanoTime();
        hold.progress(offset);
      } else if (n < 0) {
        checkPeerBytes();
      }
      return n;
    }
  }

  /**
   * At the end: the peers' bytes must match what the first peer announced; when they do not,
   * those peers are distrusted for the image and it is filled again once this fill has ended.
   */
  private void checkPeerBytes() throws ContentMismatchException {
    if (contributors.isEmpty() || digests.isEmpty()) {
      return;
    }
    Map<DigestAlgorithm, byte[]> computed = new EnumMap<>(DigestAlgorithm.class);
    digests.forEach((algorithm, digest) -> computed.put(algorithm, digest.digest()));
    digests.clear();
    try {
      ContentCheck.verify(id, expected, offset, computed);
    } catch (ContentMismatchException e) {
      LOG.warn("image {}: the bytes from {} do not match ({}); not asking them for it again",
          id, contributors, e.reason());
      parts.distrusted().distrust(id, contributors);
      parts.refills().put(id, token);
      throw e;
    }
  }

  /** A break of the transfer, which another source may mend; not a verdict on the bytes. */
  private static boolean mayFailOver(IOException e) {
    return !(e instanceof ClosedChannelException || e instanceof InterruptedIOException
        || e instanceof BodyTooLongException || e instanceof ContentMismatchException);
  }

  /**
   * Replaces the broken peer body by the rest from another source: a holder, or a filler further
   * along than this body (never one behind it, which might be fed by this node: no cycles); else
   * the origin once this node holds the claim; else, from the second round of polling on, the
   * peer that broke off again (it was this body's source, so it is not fed by this node, and a
   * source that stalls because its own origin does is best waited for). After
   * {@link PeerFill#SOURCE_WAIT} without a byte the origin is asked without the claim.
   */
  private void failOver(IOException broken) throws IOException {
    String failed = peer.orElseThrow();
    QuietClose.close(current, "a source body");
    if (expected.size().isEmpty()) {
      throw broken; // a rest cannot be asked for without the size
    }
    long size = expected.size().getAsLong();
    LOG.info("image {}: peer {} broke off at byte {} ({}); resuming from another source", id,
        failed, offset, Throwables.describe(broken));
    for (int round = 1; ; round++) {
      for (PeerSource source : parts.fleet().sources(id)) {
        String node = source.nodeUrl();
        boolean usable = node.equals(failed)
            ? round > 1
            : source.complete() || source.bytes() > offset;
        if (!usable || node.equals(parts.fleet().self())
            || parts.distrusted().distrusted(id, node)) {
          continue;
        }
        try {
          switchTo(parts.peers().rest(node, id, offset, size), Optional.of(node));
          contributors.add(node);
          LOG.info("image {}: resumed at byte {} from peer {}", id, offset, node);
          return;
        } catch (IOException e) {
          LOG.debug("image {}: peer {} cannot send from byte {}: {}", id, node, offset,
              Throwables.describe(e));
        }
      }
      if (!hold.claimed()) {
        Optional<FillClaim> claim = parts.fleet().tryClaim(id);
        claim.ifPresent(hold::claimed);
      }
      boolean starved = System.nanoTime() - lastProgress > PeerFill.SOURCE_WAIT.toNanos();
      if (hold.claimed() || starved) {
        if (!hold.claimed()) {
          LOG.warn("image {}: no byte from any peer for {} s while another node holds the claim;"
              + " fetching the rest from the origin", id, PeerFill.SOURCE_WAIT.toSeconds());
        }
        try {
          switchTo(parts.origin().rest(id, token, offset, size), Optional.empty());
        } catch (IOException e) {
          e.addSuppressed(broken);
          throw e;
        }
        LOG.info("image {}: resumed at byte {} from the origin", id, offset);
        return;
      }
      pause();
    }
  }

  private void switchTo(ReadableByteChannel rest, Optional<String> source) throws IOException {
    synchronized (lock) {
      if (!closed) {
        current = rest;
        peer = source;
        return;
      }
    }
    QuietClose.close(rest, "a source body");
    throw new AsynchronousCloseException();
  }

  /** Waits {@link PeerFill#POLL_INTERVAL}, or until closed (then throws). */
  private void pause() throws IOException {
    ClosableWait.pause(lock, () -> closed, PeerFill.POLL_INTERVAL.toMillis(),
        "looking for a source of " + id);
  }

  @Override
  public boolean isOpen() {
    synchronized (lock) {
      return !closed;
    }
  }

  /** Closes the body in use and ends a wait; the fleet hold is released once the fill ended. */
  @Override
  public void close() throws IOException {
    ReadableByteChannel body;
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
      body = current;
      lock.notifyAll();
    }
    try {
      body.close();
    } finally {
      parts.holds().bodyDone(hold);
    }
  }
}
