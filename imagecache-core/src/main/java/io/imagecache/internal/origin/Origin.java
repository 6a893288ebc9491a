package io.imagecache.internal.origin;

import io.imagecache.ImageId;
import io.imagecache.ImageNotActiveException;
import io.imagecache.ImageNotFoundException;
import io.imagecache.OriginAccessDeniedException;
import io.imagecache.OriginUnavailableException;
import io.imagecache.internal.fill.ImageSource;
import java.io.IOException;
import java.net.URI;
import java.nio.channels.ReadableByteChannel;
import java.util.Optional;

/**
 * Where image bytes come from: a directory, any HTTP store ({@code …/{id}}) or a Glance API. Made
 * by {@link Origins#parse}; safe for concurrent use; {@link #close} releases its threads.
 *
 * <p>Failures are typed: {@link ImageNotFoundException} (absent or invisible to the caller),
 * {@link OriginAccessDeniedException} (401/403), {@link ImageNotActiveException} (Glance status other
 * than {@code active}, only from {@link ImageSource#open}) and {@link OriginUnavailableException}
 * (unreachable, timed out, error status, malformed answer). A body that ends or breaks before its
 * expected size fails with an {@link java.io.EOFException} from the body channel, never a clean end.
 */
public interface Origin extends AutoCloseable {
  /**
   * What the origin says about image {@code id}, asked with the caller's {@code authToken} (only a
   * Glance origin uses it, as {@code X-Auth-Token}). Also answers for images that are not active, so
   * that callers can tell "not visible" from "not downloadable".
   *
   * @throws IllegalArgumentException if the token cannot be sent in an HTTP header
   */
  ImageMetadata metadata(ImageId id, Optional<String> authToken) throws IOException;

  /**
   * The bytes of image {@code id} as a source for a fill: nothing happens until {@link ImageSource#open}
   * asks the origin, and each {@code open} is one download. The response's expected content is what
   * the origin announced (size and digests); a Glance origin refuses images that are not active.
   *
   * @throws IllegalArgumentException if the token cannot be sent in an HTTP header
   */
  ImageSource source(ImageId id, Optional<String> authToken);

  /**
   * The bytes of image {@code id} for a prefetch, which the cache fetches on its own behalf: with
   * the cache's own credential when one is configured (a Glance origin sends it as
   * {@code X-Auth-Token}), else with {@code callerToken}, the token of the request that queued
   * the image (empty for prefetches resumed at start-up). A client's download never uses the
   * cache's credential: it goes through {@link #source}.
   *
   * @throws IllegalArgumentException if the token cannot be sent in an HTTP header
   */
  default ImageSource prefetchSource(ImageId id, Optional<String> callerToken) {
    return source(id, callerToken);
  }

  /**
   * {@link #metadata} as the cache itself asks it for management calls (prefetch, delete): with
   * the cache's own token where the origin has one, else with {@code callerToken}.
   */
  default ImageMetadata managementMetadata(ImageId id, Optional<String> callerToken)
      throws IOException {
    return metadata(id, callerToken);
  }

  /**
   * Whether the origin decides who may read which image (a Glance origin does): then a cached
   * image is served to a caller only after {@link #metadata} answered for that caller.
   */
  default boolean authorizesReaders() {
    return false;
  }

  /**
   * The base URL of the API behind this origin ({@code http(s)://host:port}) when the cache can
   * stand in for it and pass its other paths through (a Glance origin); empty otherwise.
   */
  default Optional<URI> apiEndpoint() {
    return Optional.empty();
  }

  /**
   * Asks the origin whether it answers at all (for readiness), as cheaply as it can: returns what
   * it saw, throws {@link io.imagecache.OriginUnavailableException} naming the cause when it does
   * not answer. Blocks, for at most about {@link OriginHttp#PROBE_TIMEOUT} plus the connect
   * timeout. By default an origin is not asked.
   */
  default String check() throws IOException {
    return "not asked";
  }

  /**
   * The rest of image {@code id}, {@code size} bytes in all, from byte {@code offset} on, for a
   * fill that got the bytes before it elsewhere (a peer that broke off): a {@code Range} request
   * where the origin answers one, else the whole image with its first {@code offset} bytes read
   * and dropped. The channel fails with an {@link java.io.EOFException} when it ends short.
   */
  default ReadableByteChannel rest(ImageId id, Optional<String> token, long offset, long size)
      throws IOException {
    return SkippedPrefix.skip(source(id, token).open().body(), offset);
  }

  /** Releases the origin's threads and connections; downloads in progress may fail afterwards. */
  @Override
  void close();
}
