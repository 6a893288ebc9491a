package io.imagecache.internal.fill;

import io.imagecache.internal.store.CacheDriver;
import io.imagecache.internal.store.CacheLayout;
import java.time.Clock;
import java.util.Objects;

/**
 * What every fill of one cache shares.
 *
 * @param driver the driver whose writers the fills use
 * @param layout the cache directory's layout, which {@link CacheDriver} documents
 * @param clock the source of fill start times
 * @param durable whether commits force files to disk (the fill then forces before committing)
 * @param admission decides whether an answered source may be cached
 * @param listener told about origin fetches, commits and failures
 */
record FillEnvironment(
    CacheDriver driver, CacheLayout layout, Clock clock, boolean durable, FillAdmission admission,
    FillListener listener) {
  FillEnvironment {
    Objects.requireNonNull(driver, "driver");
    Objects.requireNonNull(layout, "layout");
    Objects.requireNonNull(clock, "clock");
    Objects.requireNonNull(admission, "admission");
    Objects.requireNonNull(listener, "listener");
  }
}
