/**
 * Keeping the cache within bounds: {@link io.imagecache.internal.maintenance.SizeBound} (every
 * prune, one at a time), {@link io.imagecache.internal.maintenance.Housekeeping} (the automatic
 * prune and clean), {@link io.imagecache.internal.maintenance.PrunePolicy} (which images go, a
 * pure function) and {@link io.imagecache.internal.maintenance.Pruner} (applies it through a
 * driver). Filling it ahead of demand:
 * {@link io.imagecache.internal.maintenance.Prefetcher} (Glance's {@code PUT /v2/cache/{id}}) hands images
 * to a {@link io.imagecache.internal.maintenance.PrefetchQueue} (bounded workers, retries with back-off,
 * failures kept visible) run by a {@link io.imagecache.internal.maintenance.PrefetchPolicy}.
 */
package io.imagecache.internal.maintenance;
