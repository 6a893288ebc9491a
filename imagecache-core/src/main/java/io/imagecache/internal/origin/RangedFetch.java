package io.imagecache.internal.origin;

import io.imagecache.internal.store.ExpectedContent;
import java.io.IOException;
import java.net.http.HttpHeaders;
import java.net.http.HttpResponse;
import java.nio.channels.ReadableByteChannel;
import java.util.Optional;

/**
 * How an HTTP origin's image body is read once the first response is in: resumed from where it
 * breaks ({@link ResumingBody}); for an image of at least {@link #SEGMENTED_MIN_SIZE} bytes and
 * more than one connection allowed, in segments over several connections ({@link SegmentedBody});
 * or as sent. The first two need the size and a validator ({@link RangeValidator}), since every
 * range request is sent with {@code If-Range}.
 */
final class RangedFetch {
  /** Smaller images come over one connection: a few segments gain little over one request. */
  static final long SEGMENTED_MIN_SIZE = 64L << 20;

  /** One range request: bytes {@code [from, to)} of an image of {@code size} bytes. */
  record Range(long from, long to, long size, String validator) {
    /** {@code bytes=from-last}, or {@code bytes=from-} for a range that runs to the end. */
    String header() {
      return "bytes=" + from + "-" + (to == size ? "" : Long.toString(to - 1));
    }
  }

  /** Sends a range request with {@code Range: range.header()} and {@code If-Range: range.validator()}. */
  @FunctionalInterface
  interface Sender {
    ReadableByteChannel send(Range range) throws IOException;
  }

  private RangedFetch() {}

  /** The body of {@code response}, announced as {@code expected}, read as {@code settings} allow. */
  static ReadableByteChannel body(String description, HttpResponse<BodyChannel> response,
      ExpectedContent expected, OriginSettings settings, Sender sender) {
    Optional<String> validator = RangeValidator.of(response.headers());
    if (expected.size().isEmpty() || validator.isEmpty()) {
      return response.body();
    }
    long size = expected.size().getAsLong();
    String ifRange = validator.get();
    if (segmented(settings, size)) {
      return new SegmentedBody(description, Optional.of(response.body()), size,
          SegmentedBody.SEGMENT_SIZE, settings.connections(), settings.resumeAttempts(),
          (from, to) -> sender.send(new Range(from, to, size, ifRange)), SegmentMemory.PROCESS);
    }
    if (settings.resumeAttempts() == 0) {
      return response.body();
    }
    return new ResumingBody(description, response.body(), settings.resumeAttempts(),
        offset -> sender.send(new Range(offset, size, size, ifRange)));
  }

  /**
   * The image announced by a {@code HEAD} response with {@code headers} as {@code expected},
   * fetched wholly in range requests over several connections, if it is to be segmented: then no
   * byte is fetched in vain, as none of a whole body's is.
   */
  static Optional<ReadableByteChannel> segmentedBody(String description, HttpHeaders headers,
      ExpectedContent expected, OriginSettings settings, Sender sender) {
    Optional<String> validator = RangeValidator.of(headers);
    if (expected.size().isEmpty() || validator.isEmpty()
        || !segmented(settings, expected.size().getAsLong())) {
      return Optional.empty();
    }
    long size = expected.size().getAsLong();
    return Optional.of(new SegmentedBody(description, Optional.empty(), size,
        SegmentedBody.SEGMENT_SIZE, settings.connections(), settings.resumeAttempts(),
        (from, to) -> sender.send(new Range(from, to, size, validator.get())), SegmentMemory.PROCESS));
  }

  private static boolean segmented(OriginSettings settings, long size) {
    return settings.connections() > 1 && size >= SEGMENTED_MIN_SIZE;
  }
}
