package io.imagecache;

/** Why a fill ended without caching its image: the keys fill failures are counted under. */
public enum FillFailureReason {
  /** The origin failed to answer: not found, refused, unreachable, an error status. */
  ORIGIN("origin"),
  /** The body broke off or ended before the expected size. */
  TRUNCATED("truncated"),
  /** The bytes did not match a digest the origin announced. */
  DIGEST("digest"),
  /** The body was longer than the origin announced. */
  SIZE("size"),
  /** The fill was cancelled: the image deleted, the cache closing. */
  CANCELLED("cancelled"),
  /** The cache's own storage failed: creating, writing, forcing or committing the file. */
  DISK("disk"),
  /** The image may not be cached (too large, no room, the free-disk guard): streamed through. */
  REFUSED("refused");

  private final String key;

  FillFailureReason(String key) {
    this.key = key;
  }

  /** The short lower-case name, e.g. {@code "truncated"}, for metric labels and listings. */
  public String key() {
    return key;
  }
}
