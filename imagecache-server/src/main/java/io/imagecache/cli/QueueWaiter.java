package io.imagecache.cli;

import static io.imagecache.cli.ClientCommand.counted;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * Follows queued images until all are cached: polls {@code GET /v2/cache} and
 * {@code GET /v2/cache/status}, reports each round's progress, and fails as soon as a prefetch
 * has given up, an image has vanished from the server's view, or the timeout has passed.
 */
final class QueueWaiter {

  /** Rounds an image may be missing from listing and status before it counts as gone. */
  static final int ROUNDS_BEFORE_GONE = 4;

  private final ApiClient api;
  private final ClientRuntime runtime;
  private final Consumer<List<ImageProgress>> listener;

  QueueWaiter(ApiClient api, ClientRuntime runtime, Consumer<List<ImageProgress>> listener) {
    this.api = Objects.requireNonNull(api, "api");
    this.runtime = Objects.requireNonNull(runtime, "runtime");
    this.listener = Objects.requireNonNull(listener, "listener");
  }

  /**
   * Waits until every one of {@code imageIds} is cached; the last listing's JSON.
   *
   * @param timeout how long to wait at most, with the text the user gave for it
   */
  JsonNode await(List<String> imageIds, Optional<Duration> timeout, String timeoutText)
      throws ClientFailure {
    Optional<Instant> deadline = timeout.map(runtime.clock().instant()::plus);
    Map<String, Integer> missingRounds = new HashMap<>();
    while (true) {
      JsonAnswer listingAnswer = api.sendForJson("GET", "/v2/cache");
      CacheListing listing = listingAnswer.as(CacheListing::from);
      boolean allCached = imageIds.stream().allMatch(id -> listing.cached(id).isPresent());
      CacheStatus status = allCached ? CacheStatus.IDLE
          : api.sendForJson("GET", "/v2/cache/status").as(CacheStatus::from);
      List<ImageProgress> progress = imageIds.stream()
          .map(id -> ImageProgress.of(id, listing, status, runtime.clock().instant()))
          .toList();
      listener.accept(progress);
      if (allCached) {
        return listingAnswer.tree();
      }
      for (ImageProgress image : progress) {
        if (image.phase() == ImageProgress.Phase.FAILED) {
          long attempts = image.attempts();
          String after = attempts == 0 ? "" : " after " + counted(attempts, "attempt");
          throw ClientFailure.failed(
              image.imageId() + " failed" + after + ": " + image.detail().orElse(""));
        }
        if (image.phase() != ImageProgress.Phase.WAITING) {
          missingRounds.remove(image.imageId());
        } else if (missingRounds.merge(image.imageId(), 1, Integer::sum) >= ROUNDS_BEFORE_GONE) {
          throw ClientFailure.failed(image.imageId() + " is no longer queued, being fetched or"
              + " cached on " + api.server() + " (deleted from the queue, or evicted?)");
        }
      }
      if (deadline.isPresent() && !runtime.clock().instant().isBefore(deadline.get())) {
        throw ClientFailure.failed("timed out after " + timeoutText + " waiting for "
            + progress.stream().filter(image -> !image.isCached())
                .map(ImageProgress::imageId).collect(Collectors.joining(", ")));
      }
      pause(deadline);
    }
  }

  private void pause(Optional<Instant> deadline) throws ClientFailure {
    Duration pause = runtime.pollInterval();
    if (deadline.isPresent()) {
      Duration left = Duration.between(runtime.clock().instant(), deadline.get());
      pause = left.compareTo(pause) < 0 ? left : pause;
    }
    try {
      Thread.sleep(Math.max(1, pause.toMillis()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw ClientFailure.failed("interrupted while waiting");
    }
  }
}
