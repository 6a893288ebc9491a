package io.imagecache.internal.origin;

import io.imagecache.ImageId;
import io.imagecache.internal.fleet.FillAnnouncement;
import io.imagecache.internal.fleet.FillClaim;
import java.util.Objects;
import java.util.Optional;

/**
 * What one fill holds in the fleet: its announcement and, once it fetches from the origin, the
 * claim. Both are given up together by {@link #release}, which {@link FleetHolds} calls when the
 * fill has ended (so that the image is a holder's before anyone may claim it again). Thread-safe:
 * every field is guarded by {@code this}.
 */
final class FleetHold {
  private final ImageId imageId;
  private final FillAnnouncement announcement;
  private Optional<FillClaim> claim;
  private boolean released;

  FleetHold(ImageId imageId, FillAnnouncement announcement, Optional<FillClaim> claim) {
    this.imageId = Objects.requireNonNull(imageId, "imageId");
    this.announcement = Objects.requireNonNull(announcement, "announcement");
    this.claim = Objects.requireNonNull(claim, "claim");
  }

  ImageId imageId() {
    return imageId;
  }

  /** Reports the bytes written so far (cheap). */
  void progress(long bytes) {
    announcement.progress(bytes);
  }

  /** Whether this fill holds the image's claim. */
  synchronized boolean claimed() {
    return claim.isPresent();
  }

  /** Keeps {@code granted} until the release; released at once if that came already. */
  void claimed(FillClaim granted) {
    synchronized (this) {
      if (!released && claim.isEmpty()) {
        claim = Optional.of(granted);
        return;
      }
    }
    granted.close();
  }

  /** Withdraws the announcement and gives up the claim; later calls do nothing. */
  void release() {
    Optional<FillClaim> held;
    synchronized (this) {
      if (released) {
        return;
      }
      released = true;
      held = claim;
    }
    try {
      announcement.close();
    } finally {
      held.ifPresent(FillClaim::close);
    }
  }
}
