/**
 * The {@code sqlite} driver's metadata: Glance's {@code cache.db} in the cache directory. The
 * front door is {@link io.imagecache.internal.store.sqlite.SqliteIndex}; the rest is package-private.
 */
package io.imagecache.internal.store.sqlite;
