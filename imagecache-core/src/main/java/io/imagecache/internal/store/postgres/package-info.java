/**
 * The {@code postgres} driver's metadata: Glance's {@code centralized_db} tables in a PostgreSQL
 * database shared by the nodes of a fleet. The front door is
 * {@link io.imagecache.internal.store.postgres.PostgresIndex}; the rest is package-private.
 */
package io.imagecache.internal.store.postgres;
