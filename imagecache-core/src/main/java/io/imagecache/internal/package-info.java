/**
 * The runtime that opens and starts a cache ({@link io.imagecache.internal.CacheRuntime}: the
 * directory lock, the driver, start-up work, the hit flush schedule; the one place that creates
 * threads and reads the clock) and the mechanisms under it, one package per concept:
 * {@code store} (the driver contract, the file store, writers and digests, the hit log,
 * reconciliation; {@code sqlite}, {@code xattr}, {@code postgres}), {@code fill} (single flight,
 * the download planner, admission, verified pass-through), {@code origin} (where bytes come from,
 * the Glance reader check) and {@code maintenance} (size bound, housekeeping, prune, prefetch).
 * Nothing here is API: types are public only where another {@code internal} package or the facade
 * needs them.
 */
package io.imagecache.internal;
