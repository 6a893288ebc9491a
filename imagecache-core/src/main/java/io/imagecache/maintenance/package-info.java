/**
 * Keeping the cache within bounds: {@link io.imagecache.maintenance.PrunePolicy} (which images
 * go, a pure function), {@link io.imagecache.maintenance.Pruner} (applies it through a driver)
 * and {@link io.imagecache.PruneResult}.
 */
package io.imagecache.maintenance;
