package io.imagecache.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The answer to {@code GET /v2/cache/status}: fills in progress and what the prefetch queue knows.
 *
 * @param fills the {@code fills} entries
 * @param prefetch the {@code prefetch} entries
 */
record CacheStatus(List<Fill> fills, List<Prefetch> prefetch) {

  /** A status with nothing going on. */
  static final CacheStatus IDLE = new CacheStatus(List.of(), List.of());

  CacheStatus {
    fills = List.copyOf(fills);
    prefetch = List.copyOf(prefetch);
  }

  /**
   * One fill: its state ({@code opening|running|committed|failed}), the bytes written so far,
   * the expected size when known and when it started (absent from older servers).
   */
  record Fill(String imageId, String state, long bytesWritten, OptionalLong expectedSize,
      Optional<Instant> startedAt) {

    Fill {
      Objects.requireNonNull(imageId, "imageId");
      Objects.requireNonNull(state, "state");
      Objects.requireNonNull(expectedSize, "expectedSize");
      Objects.requireNonNull(startedAt, "startedAt");
    }

    /** The average rate since the fill started, as seen at {@code now}, if there is one. */
    Optional<TransferRate> rate(Instant now) {
      return startedAt.flatMap(start -> TransferRate.since(bytesWritten, start, now));
    }

    /** Whether the fill is still going or has just committed. */
    boolean isActive() {
      return !state.equals("failed");
    }

    static Fill from(JsonNode node) {
      String what = "a fills entry";
      JsonFields.object(node, what);
      return new Fill(
          JsonFields.text(node, "image_id", what),
          JsonFields.text(node, "state", what),
          JsonFields.optionalCount(node, "bytes_written", what).orElse(0),
          JsonFields.optionalCount(node, "expected_size", what),
          instant(JsonFields.seconds(node, "started_at", what)));
    }

    private static Optional<Instant> instant(double epochSeconds) {
      if (epochSeconds <= 0) {
        return Optional.empty();
      }
      long whole = (long) Math.floor(epochSeconds);
      return Optional.of(Instant.ofEpochSecond(whole, Math.round((epochSeconds - whole) * 1e9)));
    }
  }

  /**
   * One id the prefetch queue knows: its state ({@code queued|fetching|retrying|failed}), the
   * attempts so far and the last attempt's error.
   */
  record Prefetch(String imageId, String state, long attempts, Optional<String> lastError) {

    Prefetch {
      Objects.requireNonNull(imageId, "imageId");
      Objects.requireNonNull(state, "state");
      Objects.requireNonNull(lastError, "lastError");
    }

    static Prefetch from(JsonNode node) {
      String what = "a prefetch entry";
      JsonFields.object(node, what);
      return new Prefetch(
          JsonFields.text(node, "image_id", what),
          JsonFields.text(node, "state", what),
          JsonFields.optionalCount(node, "attempts", what).orElse(0),
          JsonFields.optionalText(node, "last_error", what));
    }
  }

  /** Reads the documented shape, throwing {@link IllegalArgumentException} for another one. */
  static CacheStatus from(JsonNode tree) {
    JsonFields.object(tree, "the status");
    return new CacheStatus(
        JsonFields.array(tree, "fills").stream().map(Fill::from).toList(),
        JsonFields.array(tree, "prefetch").stream().map(Prefetch::from).toList());
  }

  /** The fill of {@code imageId} that is still going (or just committed), if any. */
  Optional<Fill> activeFill(String imageId) {
    return fills.stream()
        .filter(fill -> fill.imageId().equals(imageId) && fill.isActive())
        .findFirst();
  }

  /** What the prefetch queue knows about {@code imageId}, if anything. */
  Optional<Prefetch> prefetch(String imageId) {
    return prefetch.stream().filter(entry -> entry.imageId().equals(imageId)).findFirst();
  }
}
