package io.imagecache;

import static io.imagecache.CacheHarness.WAIT;
import static io.imagecache.CacheHarness.follow;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

import io.imagecache.internal.fill.Fill;
import io.imagecache.internal.origin.OriginSettings;
import io.imagecache.internal.origin.Origins;
import io.imagecache.testing.Gate;
import io.imagecache.testing.GeneratedImage;
import io.imagecache.testing.RecordedRequest;
import io.imagecache.testing.ResettingOrigin;
import io.imagecache.testing.TestOrigin;
import java.io.EOFException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Fills whose origin body breaks, stalls or ends short resume with {@code Range} + {@code If-Range}
 * from the byte they reached, against a real HTTP origin on loopback that supports ranges; they
 * fail as before without a validator, with resume attempts 0, or when the image changed.
 */
class ResumedFillTest {
  private static final int SIZE = 1_000_000;
  private static final GeneratedImage IMAGE = new GeneratedImage(23, SIZE);
  private static final String ETAG = "\"v1\"";
  private static final OriginSettings SETTINGS = OriginSettings.defaults()
      .withTimeouts(Duration.ofSeconds(5), Duration.ofSeconds(5), Duration.ofMillis(500));

  @TempDir Path dir;
  private final CacheHarness harness = new CacheHarness();
  private final List<Gate> gates = new ArrayList<>();
  private TestOrigin origin;
  private ImageCache cache;

  @BeforeEach
  void start() throws Exception {
    origin = TestOrigin.start();
    cache = harness.open(dir);
  }

  @AfterEach
  void stop() throws Exception {
    gates.forEach(Gate::release);
    harness.close();
    origin.close();
  }

  @ParameterizedTest
  @ValueSource(longs = {1, 65_536, SIZE / 2, SIZE - 1})
  void aTruncatedBodyIsResumedWhereItBroke(long offset) throws Exception {
    assertResumedAfterTruncation("fixed-" + offset, offset);
  }

  @Test
  void aBodyTruncatedAnywhereIsResumed() {
    AtomicInteger run = new AtomicInteger();
    qt().withExamples(5).withShrinkCycles(0).forAll(longs().between(1, SIZE - 1))
        .checkAssert(offset -> {
          try {
            assertResumedAfterTruncation("any-" + run.incrementAndGet(), offset);
          } catch (Exception e) {
            throw new AssertionError(e);
          }
        });
  }

  @Test
  void everyDroppedConnectionIsResumedAndOriginBytesStayNearTheSize() throws Exception {
    TestOrigin.Image image = origin.put("img", IMAGE);
    image.ranges(Optional.empty(), ETAG).cutEachResponseAfter(SIZE / 4 + 1);
    Fill fill = fill("img", SETTINGS);
    CompletableFuture<byte[]> reader = CompletableFuture.supplyAsync(() -> followQuietly(fill));

    CachedImage committed = fill.completion().get(WAIT.toSeconds(), TimeUnit.SECONDS);

    assertThat(reader.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(IMAGE.bytes(0, SIZE));
    assertThat(committed.checksum()).contains(IMAGE.md5());
    assertThat(origin.requests("/images/img")).hasSize(4);
    assertThat(image.bytesSent()).isLessThanOrEqualTo((long) (SIZE * 1.01));
  }

  @Test
  void aResetConnectionIsResumed() throws Exception {
    byte[] bytes = IMAGE.bytes(0, SIZE);
    try (ResettingOrigin resetting = new ResettingOrigin(bytes, SIZE / 3)) {
      Fill fill = cache.fill(ImageId.of("img"), Origins.parse(resetting.httpTemplate(), SETTINGS)
          .source(ImageId.of("img"), Optional.empty()));
      fill.awaitBytes(0).get(WAIT.toSeconds(), TimeUnit.SECONDS);
      resetting.reset();

      CachedImage committed = fill.completion().get(WAIT.toSeconds(), TimeUnit.SECONDS);

      assertThat(Files.readAllBytes(dir.resolve("img"))).isEqualTo(bytes);
      assertThat(committed.checksum()).contains(IMAGE.md5());
      assertThat(resetting.heads()).hasSize(2);
      assertThat(resetting.heads().get(1)).contains("If-Range: \"r1\"");
      // A reset discards what was still in flight, so the resume starts at or before the reset
      // point (past the bytes already written), and only the rest is sent again.
      java.util.regex.Matcher range = java.util.regex.Pattern.compile("Range: bytes=(\\d+)-")
          .matcher(resetting.heads().get(1));
      assertThat(range.find()).isTrue();
      long resumedAt = Long.parseLong(range.group(1));
      assertThat(resumedAt).isBetween(1L, SIZE / 3L);
      assertThat(resetting.bytesSent()).isEqualTo(SIZE / 3 + (SIZE - resumedAt));
    }
  }

  @Test
  void aStalledBodyIsResumedAfterTheIdleTimeout() throws Exception {
    TestOrigin.Image image = origin.put("img", IMAGE);
    image.ranges(Optional.empty(), ETAG);
    Gate stall = image.pauseAfter(SIZE / 3);
    gates.add(stall);
    Fill fill = fill("img", SETTINGS);
    CompletableFuture<byte[]> reader = CompletableFuture.supplyAsync(() -> followQuietly(fill));

    fill.completion().get(WAIT.toSeconds(), TimeUnit.SECONDS);

    assertThat(reader.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(IMAGE.bytes(0, SIZE));
    List<RecordedRequest> requests = origin.requests("/images/img");
    assertThat(requests).hasSize(2);
    assertThat(requests.get(1).header("Range")).contains("bytes=" + (SIZE / 3) + "-");
  }

  @Test
  void lastModifiedServesAsTheValidatorWithoutAnEtag() throws Exception {
    String date = "Tue, 01 Dec 2026 10:00:00 GMT";
    origin.put("img", IMAGE).ranges(Optional.of(date)).truncateAfter(SIZE / 2);

    fill("img", SETTINGS).completion().get(WAIT.toSeconds(), TimeUnit.SECONDS);

    assertThat(Files.readAllBytes(dir.resolve("img"))).isEqualTo(IMAGE.bytes(0, SIZE));
    assertThat(origin.requests("/images/img").get(1).header("If-Range")).contains(date);
  }

  @Test
  void withoutAValidatorABrokenBodyFailsAsBefore() throws Exception {
    origin.put("img", IMAGE).ranges(Optional.empty()).truncateAfter(SIZE / 2);

    assertFails(fill("img", SETTINGS), EOFException.class);

    assertThat(origin.requests("/images/img")).hasSize(1);
  }

  @Test
  void withoutRangeSupportABrokenBodyFailsAsBefore() throws Exception {
    origin.put("img", IMAGE).truncateAfter(SIZE / 2);

    assertFails(fill("img", SETTINGS), EOFException.class);

    assertThat(origin.requests("/images/img")).hasSize(1);
  }

  @Test
  void zeroResumeAttemptsDisableResuming() throws Exception {
    origin.put("img", IMAGE).ranges(Optional.empty(), ETAG).truncateAfter(SIZE / 2);

    assertFails(fill("img", SETTINGS.withResumeAttempts(0)), EOFException.class);

    assertThat(origin.requests("/images/img")).hasSize(1);
  }

  @Test
  void aFillGivesUpWhenItsResumeAttemptsAreSpent() throws Exception {
    origin.put("img", IMAGE).ranges(Optional.empty(), ETAG).cutEachResponseAfter(SIZE / 10);

    assertFails(fill("img", SETTINGS.withResumeAttempts(2)), EOFException.class);

    assertThat(origin.requests("/images/img")).hasSize(3);
  }

  @Test
  void aChangedValidatorFailsTheFillWithoutMixingBytes() throws Exception {
    origin.put("img", IMAGE).ranges(Optional.empty(), ETAG, "\"v2\"").truncateAfter(SIZE / 2);
    Fill fill = fill("img", SETTINGS);
    CompletableFuture<byte[]> reader = CompletableFuture.supplyAsync(() -> followQuietly(fill));

    assertFails(fill, OriginUnavailableException.class);

    List<RecordedRequest> requests = origin.requests("/images/img");
    assertThat(requests).hasSize(2);
    assertThat(requests.get(1).header("If-Range")).contains(ETAG);
    assertThat(reader).failsWithin(WAIT);
  }

  @Test
  void aGlanceDownloadWithAValidatorIsResumed() throws Exception {
    TestOrigin.Image image = origin.put("img", IMAGE);
    image.ranges(Optional.empty(), ETAG).truncateAfter(SIZE / 2);
    Fill fill = cache.fill(ImageId.of("img"), Origins.parse(origin.glanceSpec(), SETTINGS)
        .source(ImageId.of("img"), Optional.empty()));

    CachedImage committed = fill.completion().get(WAIT.toSeconds(), TimeUnit.SECONDS);

    assertThat(Files.readAllBytes(dir.resolve("img"))).isEqualTo(IMAGE.bytes(0, SIZE));
    assertThat(committed.checksum()).contains(IMAGE.md5());
    List<RecordedRequest> requests = origin.requests("/v2/images/img/file");
    assertThat(requests).hasSize(2);
    assertThat(requests.get(1).header("Range")).contains("bytes=" + (SIZE / 2) + "-");
    assertThat(requests.get(1).header("If-Range")).contains(ETAG);
    assertThat(image.bytesSent()).isLessThanOrEqualTo((long) (SIZE * 1.01));
  }

  @Test
  void aGlanceDownloadWithoutAValidatorIsNotResumed() throws Exception {
    origin.put("img", IMAGE).truncateAfter(SIZE / 2);

    assertFails(cache.fill(ImageId.of("img"), Origins.parse(origin.glanceSpec(), SETTINGS)
        .source(ImageId.of("img"), Optional.empty())), EOFException.class);

    assertThat(origin.requests("/v2/images/img/file")).hasSize(1);
  }

  private void assertResumedAfterTruncation(String id, long offset) throws Exception {
    TestOrigin.Image image = origin.put(id, IMAGE);
    image.ranges(Optional.empty(), ETAG).truncateAfter(offset);
    Fill fill = fill(id, SETTINGS);
    CompletableFuture<byte[]> reader = CompletableFuture.supplyAsync(() -> followQuietly(fill));

    CachedImage committed = fill.completion().get(WAIT.toSeconds(), TimeUnit.SECONDS);

    assertThat(reader.get(WAIT.toSeconds(), TimeUnit.SECONDS)).as("read across the resume at %d", offset)
        .isEqualTo(IMAGE.bytes(0, SIZE));
    assertThat(Files.readAllBytes(dir.resolve(id))).isEqualTo(IMAGE.bytes(0, SIZE));
    assertThat(committed.checksum()).contains(IMAGE.md5());
    List<RecordedRequest> requests = origin.requests("/images/" + id);
    assertThat(requests).hasSize(2);
    assertThat(requests.get(0).header("Range")).isEmpty();
    assertThat(requests.get(1).header("Range")).contains("bytes=" + offset + "-");
    assertThat(requests.get(1).header("If-Range")).contains(ETAG);
    assertThat(image.bytesSent()).isLessThanOrEqualTo((long) (SIZE * 1.01));
  }

  private void assertFails(Fill fill, Class<? extends Throwable> cause) {
    assertThatThrownBy(() -> fill.completion().get(WAIT.toSeconds(), TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .hasCauseInstanceOf(cause);
    assertThat(cache.isCached(fill.imageId())).isFalse();
    assertThat(Files.exists(dir.resolve(fill.imageId().value()))).isFalse();
  }

  private Fill fill(String id, OriginSettings settings) {
    return cache.fill(ImageId.of(id),
        Origins.parse(origin.httpTemplate(), settings).source(ImageId.of(id), Optional.empty()));
  }

  private static byte[] followQuietly(Fill fill) {
    try {
      return follow(fill);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
