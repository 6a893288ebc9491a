package io.imagecache.cli;

import io.imagecache.Sizes;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Where one image stands while {@code queue --wait} follows it, put together from the listing
 * and the status.
 *
 * @param bytes bytes written so far (the size, once cached)
 * @param expected the size when known
 * @param attempts prefetch attempts so far
 * @param detail the last error, when retrying or failed
 * @param rate how fast the fill goes, while fetching
 */
record ImageProgress(String imageId, Phase phase, long bytes, OptionalLong expected,
    long attempts, Optional<String> detail, Optional<TransferRate> rate) {

  private static final int MAX_DETAIL = 60;

  /** The stages an image goes through; {@link #WAITING} when the server shows it nowhere. */
  enum Phase { WAITING, QUEUED, FETCHING, RETRYING, CACHED, FAILED }

  ImageProgress {
    Objects.requireNonNull(imageId, "imageId");
    Objects.requireNonNull(phase, "phase");
    Objects.requireNonNull(expected, "expected");
    Objects.requireNonNull(detail, "detail");
    Objects.requireNonNull(rate, "rate");
  }

  /**
   * The progress of {@code imageId}: cached beats a failed prefetch, which beats a fill in
   * progress, which beats the prefetch state, which beats the queue listing. A fill's rate is
   * its average since it started, as seen at {@code now}.
   */
  static ImageProgress of(
      String imageId, CacheListing listing, CacheStatus status, Instant now) {
    Optional<CacheListing.Entry> cached = listing.cached(imageId);
    if (cached.isPresent()) {
      long size = cached.get().size();
      return new ImageProgress(imageId, Phase.CACHED, size, OptionalLong.of(size), 0,
          Optional.empty(), Optional.empty());
    }
    Optional<CacheStatus.Prefetch> prefetch = status.prefetch(imageId);
    long attempts = prefetch.map(CacheStatus.Prefetch::attempts).orElse(0L);
    Optional<String> error = prefetch.flatMap(CacheStatus.Prefetch::lastError);
    if (prefetch.isPresent() && prefetch.get().state().equals("failed")) {
      return new ImageProgress(imageId, Phase.FAILED, 0, OptionalLong.empty(), attempts,
          Optional.of(error.orElse("the server gave no reason")), Optional.empty());
    }
    Optional<CacheStatus.Fill> fill = status.activeFill(imageId);
    if (fill.isPresent()) {
      return new ImageProgress(imageId, Phase.FETCHING, fill.get().bytesWritten(),
          fill.get().expectedSize(), attempts, Optional.empty(), fill.get().rate(now));
    }
    Phase phase = prefetch.map(entry -> switch (entry.state()) {
      case "fetching" -> Phase.FETCHING;
      case "retrying" -> Phase.RETRYING;
      default -> Phase.QUEUED;
    }).orElse(listing.isQueued(imageId) ? Phase.QUEUED : Phase.WAITING);
    return new ImageProgress(imageId, phase, 0, OptionalLong.empty(), attempts,
        phase == Phase.RETRYING ? error : Optional.empty(), Optional.empty());
  }

  /** Whether the image has reached the cache. */
  boolean isCached() {
    return phase == Phase.CACHED;
  }

  /** The display line, with the id padded to {@code idWidth}. */
  String line(int idWidth) {
    String id = imageId + " ".repeat(Math.max(0, idWidth - imageId.length()));
    return id + "  " + switch (phase) {
      case CACHED -> ProgressBar.render(bytes, bytes) + "  " + Sizes.format(bytes) + "  cached";
      case FETCHING -> amount() + "  fetching";
      case QUEUED -> "queued";
      case WAITING -> "waiting for the server to list it";
      case RETRYING -> "retrying after attempt " + attempts
          + detail.map(text -> " failed: " + shorten(text)).orElse(" failed");
      case FAILED -> "failed: " + shorten(detail.orElse(""));
    };
  }

  /**
   * What has to change for a line-per-change display to print again: the phase, the attempt,
   * or the tenth of the size reached.
   */
  Object milestone() {
    long tenth = phase == Phase.FETCHING && expected.isPresent() && expected.getAsLong() > 0
        ? (long) Math.min(10, Math.floor(10.0 * bytes / expected.getAsLong())) : -1;
    return List.of(phase, attempts, tenth);
  }

  /** The bar, the bytes, and the rate and time left when known. */
  private String amount() {
    String pace = rate.map(r -> "  " + r.text()).orElse("");
    if (expected.isEmpty()) {
      return Sizes.format(bytes) + pace;
    }
    String left = rate.filter(r -> bytes < expected.getAsLong())
        .map(r -> "  " + TransferRate.text(r.timeFor(expected.getAsLong() - bytes)) + " left")
        .orElse("");
    return ProgressBar.render(bytes, expected.getAsLong()) + "  " + Sizes.format(bytes) + " / "
        + Sizes.format(expected.getAsLong()) + pace + left;
  }

  private static String shorten(String text) {
    String line = ApiClient.firstLine(text);
    return line.length() > MAX_DETAIL ? line.substring(0, MAX_DETAIL) + "…" : line;
  }
}
