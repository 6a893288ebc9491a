package io.imagecache.testing;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Objects;

/** A clock that stands still until a test moves it; safe to read from any thread. */
public final class MutableClock extends Clock {
  private final ZoneId zone;
  /** The current instant; written by the test, read by any thread (volatile). */
  private volatile Instant now;

  public MutableClock(Instant start) {
    this(start, ZoneOffset.UTC);
  }

  private MutableClock(Instant start, ZoneId zone) {
    this.now = Objects.requireNonNull(start, "start");
    this.zone = Objects.requireNonNull(zone, "zone");
  }

  /** Moves the clock forward by {@code step}, which must not be negative; returns the new time. */
  public Instant advance(Duration step) {
    if (step.isNegative()) {
      throw new IllegalArgumentException("a clock only moves forward, step was " + step);
    }
    synchronized (this) {
      now = now.plus(step);
      return now;
    }
  }

  /** Sets the clock to {@code instant}, forwards or backwards. */
  public void set(Instant instant) {
    now = Objects.requireNonNull(instant, "instant");
  }

  @Override
  public Instant instant() {
    return now;
  }

  @Override
  public ZoneId getZone() {
    return zone;
  }

  /** A clock in {@code zone} that shares nothing with this one but its current instant. */
  @Override
  public Clock withZone(ZoneId zone) {
    return new MutableClock(now, zone);
  }

  @Override
  public String toString() {
    return "MutableClock[" + now + "]";
  }
}
