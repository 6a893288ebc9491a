package io.imagecache.internal.origin;

import io.imagecache.ImageId;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The fleet holds of fills whose body was read or closed, until their fill ended: a fill closes
 * its body before it commits, and its claim must outlive that commit, or another node could claim
 * the image in between and fetch it from the origin again. {@link #fillEnded} releases them; so
 * does a timer after {@link #LONGEST}, for bodies read outside a fill (a pass-through). The map
 * is owned here; entries are added by body threads and removed by fill threads and the timer.
 */
final class FleetHolds {
  /** The longest a hold outlives its body. */
  static final Duration LONGEST = Duration.ofSeconds(10);

  private final Map<ImageId, List<FleetHold>> ending = new ConcurrentHashMap<>();
  private final ScheduledExecutorService timer;

  FleetHolds(ScheduledExecutorService timer) {
    this.timer = timer;
  }

  /** {@code hold}'s body is done: release it when its fill ends, or after {@link #LONGEST}. */
  void bodyDone(FleetHold hold) {
    ending.computeIfAbsent(hold.imageId(), id -> new CopyOnWriteArrayList<>()).add(hold);
    try {
      timer.schedule(() -> release(hold), LONGEST.toMillis(), TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      release(hold);
    }
  }

  /** A fill of {@code id} ended: every hold whose body was done is released. */
  void fillEnded(ImageId id) {
    List<FleetHold> holds = ending.remove(id);
    if (holds != null) {
      holds.forEach(FleetHold::release);
    }
  }

  private void release(FleetHold hold) {
    ending.computeIfPresent(hold.imageId(), (id, holds) -> {
      holds.remove(hold);
      return holds.isEmpty() ? null : holds;
    });
    hold.release();
  }
}
