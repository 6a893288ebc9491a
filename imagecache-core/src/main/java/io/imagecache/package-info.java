/**
 * The cache library's front door: {@link io.imagecache.ImageCache}, opened from a
 * {@link io.imagecache.CacheConfig} (with {@link io.imagecache.DriverKind}, and
 * {@link io.imagecache.Sizes} and {@link io.imagecache.Durations} for parsing settings), the
 * values it speaks in ({@link io.imagecache.ImageId}, {@link io.imagecache.CachedImage},
 * {@link io.imagecache.ExpectedContent}, {@link io.imagecache.ContentDigest},
 * {@link io.imagecache.DigestAlgorithm}), its metrics snapshot ({@link io.imagecache.CacheStats}
 * with {@link io.imagecache.FillFailureReason}) and the failures it reports when opening
 * ({@link io.imagecache.CacheDirectoryLockedException},
 * {@link io.imagecache.BadCacheConfigurationException}). The rest is package-private.
 */
package io.imagecache;
