/**
 * The {@code postgres} driver's metadata: Glance's {@code centralized_db} tables in a PostgreSQL
 * database shared by the nodes of a fleet. The front doors are
 * {@link io.imagecache.internal.store.postgres.PostgresIndex} and, for a fleet,
 * {@link io.imagecache.internal.store.postgres.PostgresFleet}; the rest is package-private.
 */
package io.imagecache.internal.store.postgres;
