/**
 * The fleet: cache nodes sharing one PostgreSQL database, which tells each node who is alive,
 * who holds or is filling which image, and which one node may fetch an image from the origin.
 * {@link io.imagecache.internal.fleet.Fleet} is the contract; the PostgreSQL implementation lives
 * beside the {@code postgres} driver, the peer transfers in {@code origin}.
 */
package io.imagecache.internal.fleet;
