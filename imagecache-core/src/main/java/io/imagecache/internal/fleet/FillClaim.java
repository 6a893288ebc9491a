package io.imagecache.internal.fleet;

/**
 * This node's right to fetch one image from the origin for the whole fleet, until closed. Closing
 * twice is harmless.
 */
public interface FillClaim extends AutoCloseable {

  /** False when the database did not answer and the claim holds for this node only. */
  boolean shared();

  @Override
  void close();
}
