/**
 * The cache library's API, and nothing else: the facade {@link io.imagecache.ImageCache}, opened
 * from a {@link io.imagecache.CacheConfig} and an {@link io.imagecache.OriginConfig} (with
 * {@link io.imagecache.DriverKind}, and {@link io.imagecache.Sizes} and
 * {@link io.imagecache.Durations} for parsing settings), the values it speaks in
 * ({@link io.imagecache.ImageId}, {@link io.imagecache.CachedImage},
 * {@link io.imagecache.Download}, {@link io.imagecache.ImageInfo},
 * {@link io.imagecache.FillProgress}, {@link io.imagecache.PrefetchState}), its results and
 * metrics snapshot ({@link io.imagecache.PruneResult}, {@link io.imagecache.CleanResult},
 * {@link io.imagecache.CacheStats} with {@link io.imagecache.FillFailureReason}) and the failures
 * it reports. Every mechanism lives under {@code io.imagecache.internal}, which the server and
 * the bench never import.
 */
package io.imagecache;
