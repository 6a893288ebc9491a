package io.imagecache.server;

import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * A readiness probe whose answer (a detail, or the failure) is kept for a while, so that frequent
 * probes and scrapes ask the thing probed (the origin) at most once per {@code ttl}.
 */
final class CachedProbe implements ReadinessCheck.Probe {
  private final ReadinessCheck.Probe probe;
  private final long ttlNanos;
  private final LongSupplier nanoTime;
  /** Guarded by this: when the last answer was taken, and the answer. */
  private long askedAt;
  private boolean asked;
  private String detail;
  private Exception failure;

  CachedProbe(ReadinessCheck.Probe probe, Duration ttl, LongSupplier nanoTime) {
    this.probe = probe;
    this.ttlNanos = ttl.toNanos();
    this.nanoTime = nanoTime;
  }

  @Override
  public synchronized String run() throws Exception {
    long now = nanoTime.getAsLong();
    if (!asked || now - askedAt >= ttlNanos) {
      try {
        detail = probe.run();
        failure = null;
      } catch (Exception e) {
        detail = null;
        failure = e;
      }
      askedAt = now;
      asked = true;
    }
    if (failure != null) {
      throw failure;
    }
    return detail;
  }
}
