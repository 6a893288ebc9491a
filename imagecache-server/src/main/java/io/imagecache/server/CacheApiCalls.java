package io.imagecache.server;

import io.imagecache.CachedImage;
import io.imagecache.ImageCache;
import io.imagecache.ImageId;
import io.imagecache.ImageNotFoundException;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.io.IOException;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What each cache-API endpoint does with the cache once the request has been authenticated and
 * parsed. Every call may block (metadata store, origin): run them off the event loop. Failures
 * are thrown as they are and answered through {@link Failures#cacheApiAnswer}.
 */
final class CacheApiCalls {
  private final ImageCache cache;
  private final CacheJson json;

  CacheApiCalls(ImageCache cache, CacheJson json) {
    this.cache = cache;
    this.json = json;
  }

  /**
   * {@code GET /v2/cache}. The queue is read before the cached images, so that an image committed
   * in between is listed as cached (and dropped from the queue) rather than nowhere.
   */
  FullHttpResponse list() throws IOException {
    List<ImageId> queued = cache.queuedImages();
    List<CachedImage> cached = cache.cachedImages();
    Set<ImageId> cachedIds = new HashSet<>();
    cached.forEach(image -> cachedIds.add(image.imageId()));
    Set<ImageId> pinned = Set.copyOf(cache.pinnedImages());
    List<ImageId> stillQueued = queued.stream().filter(id -> !cachedIds.contains(id)).toList();
    return Responses.json(HttpResponseStatus.OK, json.listing(cached, pinned, stillQueued));
  }

  /**
   * {@code PUT /v2/cache/{id}}: queue and prefetch. An image already cached or being filled is
   * accepted without a second download. The admin token is never forwarded to the origin.
   */
  FullHttpResponse queue(ImageId id) throws IOException {
    cache.prefetch(id, Optional.empty());
    return Responses.empty(HttpResponseStatus.ACCEPTED);
  }

  /**
   * {@code DELETE /v2/cache/{id}}: out of the queue, then out of the cache (a fill in progress is
   * cancelled). 404 only when neither the cache nor the origin knows the image.
   */
  FullHttpResponse delete(ImageId id) throws IOException {
    if (!isKnown(id)) {
      throw new ImageNotFoundException(id);
    }
    cache.deleteQueued(id);
    cache.delete(id);
    return Responses.empty(HttpResponseStatus.NO_CONTENT);
  }

  /**
   * {@code DELETE /v2/cache/{id}?scope=fleet}: as {@link #delete} here, then on every other node
   * of the fleet. Never 404: other nodes may hold an image this node and the origin do not know.
   */
  FullHttpResponse deleteFleetWide(ImageId id) throws IOException {
    cache.deleteFleetWide(id);
    return Responses.empty(HttpResponseStatus.NO_CONTENT);
  }

  /** {@code DELETE /v2/cache}: the queue first, so that no prefetch refills what is cleared. */
  FullHttpResponse clear(ClearTarget target) throws IOException {
    if (target.clearsQueue()) {
      cache.deleteAllQueued();
    }
    if (target.clearsCache()) {
      cache.deleteAll();
    }
    return Responses.empty(HttpResponseStatus.NO_CONTENT);
  }

  /** {@code POST /v2/cache/clean} with the configured stall time. */
  FullHttpResponse clean() throws IOException {
    return Responses.json(HttpResponseStatus.OK, json.clean(cache.clean()));
  }

  /** {@code POST /v2/cache/prune} down to the configured max size. */
  FullHttpResponse prune() throws IOException {
    return Responses.json(HttpResponseStatus.OK, json.prune(cache.prune()));
  }

  /** {@code GET /v2/cache/nodes/{id}}: 409 unless the driver tracks nodes, then 404 or the URLs. */
  FullHttpResponse nodes(ImageId id) throws IOException {
    if (!cache.tracksNodes()) {
      return Responses.glanceError(HttpResponseStatus.CONFLICT, "Centralized caching is not enabled"
          + " (only the postgres driver knows which nodes hold an image)");
    }
    List<String> urls = cache.cachedNodes(id);
    if (urls.isEmpty() && !isKnown(id)) {
      throw new ImageNotFoundException(id);
    }
    return Responses.json(HttpResponseStatus.OK, json.nodes(urls));
  }

  /** {@code PUT /v2/cache/{id}/pin}: idempotent; the image need not be cached yet. */
  FullHttpResponse pin(ImageId id) throws IOException {
    cache.pin(id);
    return Responses.empty(HttpResponseStatus.NO_CONTENT);
  }

  /** {@code DELETE /v2/cache/{id}/pin}: idempotent. */
  FullHttpResponse unpin(ImageId id) throws IOException {
    cache.unpin(id);
    return Responses.empty(HttpResponseStatus.NO_CONTENT);
  }

  /** {@code GET /v2/cache/status}: fills in progress and the prefetch queue's states. */
  FullHttpResponse status() throws IOException {
    return Responses.json(HttpResponseStatus.OK,
        json.status(cache.activeFills(), cache.prefetchStates()));
  }

  /**
   * Whether the cache knows the image (cached, queued, pinned, being filled, or in the prefetch
   * queue's states), else whether the origin does. An image the origin has but not active counts
   * as known; an origin that cannot be asked is a failure, not an answer.
   */
  private boolean isKnown(ImageId id) throws IOException {
    if (cache.isCached(id) || cache.isQueued(id) || cache.isPinned(id)
        || cache.isBeingCached(id)
        || cache.activeFills().stream().anyMatch(fill -> fill.imageId().equals(id))
        || cache.prefetchStates().stream().anyMatch(state -> state.imageId().equals(id))) {
      return true;
    }
    return cache.originHas(id);
  }
}
