/**
 * The store: the driver contract {@link io.imagecache.internal.store.CacheDriver} (Glance's
 * driver operations), its one implementation over the cache directory
 * ({@link io.imagecache.internal.store.FileCacheDriver} with {@link
 * io.imagecache.internal.store.CacheLayout}), writers that verify sizes and digests before the
 * commit ({@link io.imagecache.internal.store.FileWriter},
 * {@link io.imagecache.internal.store.FileDigests}), the hit log
 * ({@link io.imagecache.internal.store.AccessLog}, {@link io.imagecache.internal.store.HeldFiles}),
 * reconciliation ({@link io.imagecache.internal.store.Reconciliation}) and the metadata index
 * contract {@link io.imagecache.internal.store.ImageIndex}, implemented in {@code sqlite},
 * {@code xattr} and {@code postgres}.
 */
package io.imagecache.internal.store;
