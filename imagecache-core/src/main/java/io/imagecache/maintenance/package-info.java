/**
 * Keeping the cache within bounds: {@link io.imagecache.maintenance.PrunePolicy} (which images
 * go, a pure function), {@link io.imagecache.maintenance.Pruner} (applies it through a driver)
 * and {@link io.imagecache.PruneResult}. Filling it ahead of demand:
 * {@link io.imagecache.maintenance.Prefetcher} (Glance's {@code PUT /v2/cache/{id}}) hands images
 * to a {@link io.imagecache.maintenance.PrefetchQueue} (bounded workers, retries with back-off,
 * failures kept visible) run by a {@link io.imagecache.maintenance.PrefetchPolicy}.
 */
package io.imagecache.maintenance;
