package io.imagecache;

import static io.imagecache.CacheHarness.WAIT;
import static io.imagecache.CacheHarness.follow;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.imagecache.internal.fill.Fill;
import io.imagecache.internal.origin.OriginSettings;
import io.imagecache.internal.origin.Origins;
import io.imagecache.testing.AllocatedBytes;
import io.imagecache.testing.GeneratedImage;
import io.imagecache.testing.RecordedRequest;
import io.imagecache.testing.TestOrigin;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Fills of a large image from an origin that supports ranges, with {@code connections} above 1,
 * fetch 4 MiB segments over several connections at once ({@code Range: bytes=a-b} +
 * {@code If-Range}) and still give readers and digests the image's bytes in order; against a real
 * HTTP origin on loopback. An HTTP store is asked with {@code HEAD} first and then only by ranges;
 * a Glance download's first response serves the first segment.
 */
class SegmentedFillTest {
  private static final int SEGMENT = 4 << 20;
  /** 64 MiB (the smallest segmented size) + a short last segment: 17 segments. */
  private static final int SIZE = 16 * SEGMENT + (1 << 20) + 7;
  private static final GeneratedImage IMAGE = new GeneratedImage(41, SIZE);
  private static final String ETAG = "\"v1\"";
  private static final OriginSettings SETTINGS = OriginSettings.defaults()
      .withTimeouts(Duration.ofSeconds(5), Duration.ofSeconds(5), Duration.ofSeconds(2));

  @TempDir Path dir;
  private final CacheHarness harness = new CacheHarness();
  private TestOrigin origin;
  private ImageCache cache;

  @BeforeEach
  void start() throws Exception {
    origin = TestOrigin.start();
    cache = harness.open(dir);
  }

  @AfterEach
  void stop() throws Exception {
    harness.close();
    origin.close();
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 2, 4})
  void aReaderGetsTheOriginsBytesWithAnyNumberOfConnections(int connections) throws Exception {
    TestOrigin.Image image = origin.put("img", IMAGE);
    image.ranges(Optional.empty(), ETAG);
    Fill fill = fill("img", SETTINGS.withConnections(connections));
    CompletableFuture<byte[]> reader = CompletableFuture.supplyAsync(() -> followQuietly(fill));

    CachedImage committed = fill.completion().get(WAIT.toSeconds(), TimeUnit.SECONDS);

    assertThat(md5(reader.get(WAIT.toSeconds(), TimeUnit.SECONDS))).isEqualTo(IMAGE.md5());
    assertThat(md5(Files.readAllBytes(dir.resolve("img")))).isEqualTo(IMAGE.md5());
    assertThat(committed.checksum()).contains(IMAGE.md5());
    List<RecordedRequest> gets = gets("/images/img");
    if (connections == 1) {
      assertThat(origin.requests("/images/img")).hasSize(1);
      assertThat(gets.get(0).header("Range")).isEmpty();
    } else {
      assertThat(origin.requests("/images/img").get(0).method()).isEqualTo("HEAD");
      assertThat(ranges(gets)).containsExactlyInAnyOrderElementsOf(segmentRanges(0));
      assertThat(gets).allSatisfy(request -> assertThat(request.header("If-Range")).contains(ETAG));
    }
    assertThat(image.bytesSent()).isLessThanOrEqualTo((long) (SIZE * 1.01));
  }

  @Test
  void aSegmentWhoseConnectionIsCutResumesFromItsOwnOffset() throws Exception {
    long cut = 5L * SEGMENT + SEGMENT / 2;
    TestOrigin.Image image = origin.put("img", IMAGE);
    image.ranges(Optional.empty(), ETAG).truncateAfter(cut);
    Fill fill = fill("img", SETTINGS.withConnections(4));
    CompletableFuture<byte[]> reader = CompletableFuture.supplyAsync(() -> followQuietly(fill));

    CachedImage committed = fill.completion().get(WAIT.toSeconds(), TimeUnit.SECONDS);

    assertThat(md5(reader.get(WAIT.toSeconds(), TimeUnit.SECONDS))).isEqualTo(IMAGE.md5());
    assertThat(committed.checksum()).contains(IMAGE.md5());
    List<String> expected = new ArrayList<>(segmentRanges(0));
    expected.add("bytes=" + cut + "-" + (6L * SEGMENT - 1));
    assertThat(ranges(gets("/images/img"))).containsExactlyInAnyOrderElementsOf(expected);
    assertThat(image.bytesSent()).isLessThanOrEqualTo((long) (SIZE * 1.01));
  }

  @Test
  void aValidatorThatChangesBetweenSegmentsFailsTheFillAndCachesNothing() throws Exception {
    origin.put("img", IMAGE).ranges(Optional.empty(), ETAG, ETAG, "\"v2\"");
    Fill fill = fill("img", SETTINGS.withConnections(4));
    CompletableFuture<byte[]> reader = CompletableFuture.supplyAsync(() -> followQuietly(fill));

    assertThatThrownBy(() -> fill.completion().get(WAIT.toSeconds(), TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .hasCauseInstanceOf(OriginUnavailableException.class)
        .hasMessageContaining("answered 200, not 206");
    assertThat(reader).failsWithin(WAIT);
    assertThat(cache.isCached(ImageId.of("img"))).isFalse();
    assertThat(Files.exists(dir.resolve("img"))).isFalse();
  }

  @Test
  void anOriginWithoutRangesIsReadOverOneConnection() throws Exception {
    origin.put("img", IMAGE);

    CachedImage committed = fill("img", SETTINGS.withConnections(4)).completion()
        .get(WAIT.toSeconds(), TimeUnit.SECONDS);

    assertThat(committed.checksum()).contains(IMAGE.md5());
    assertThat(gets("/images/img")).singleElement()
        .satisfies(get -> assertThat(get.header("Range")).isEmpty());
  }

  @Test
  void anOriginThatRefusesHeadIsSegmentedAfterItsFirstGet() throws Exception {
    origin.put("img", IMAGE).ranges(Optional.empty(), ETAG).refuseHead();

    CachedImage committed = fill("img", SETTINGS.withConnections(4)).completion()
        .get(WAIT.toSeconds(), TimeUnit.SECONDS);

    assertThat(committed.checksum()).contains(IMAGE.md5());
    List<RecordedRequest> gets = gets("/images/img");
    assertThat(gets.get(0).header("Range")).isEmpty();
    assertThat(ranges(gets.subList(1, gets.size())))
        .containsExactlyInAnyOrderElementsOf(segmentRanges(1));
  }

  @Test
  void aSmallImageIsReadOverOneConnection() throws Exception {
    GeneratedImage small = new GeneratedImage(42, 3 * SEGMENT);
    origin.put("small", small).ranges(Optional.empty(), ETAG);

    CachedImage committed = fill("small", SETTINGS.withConnections(4)).completion()
        .get(WAIT.toSeconds(), TimeUnit.SECONDS);

    assertThat(committed.checksum()).contains(small.md5());
    assertThat(gets("/images/small")).singleElement()
        .satisfies(get -> assertThat(get.header("Range")).isEmpty());
  }

  @Test
  void aGlanceDownloadWithAValidatorIsSegmented() throws Exception {
    origin.put("img", IMAGE).ranges(Optional.empty(), ETAG);
    Fill fill = cache.fill(ImageId.of("img"),
        Origins.parse(origin.glanceSpec(), SETTINGS.withConnections(3))
            .source(ImageId.of("img"), Optional.empty()));

    CachedImage committed = fill.completion().get(WAIT.toSeconds(), TimeUnit.SECONDS);

    assertThat(committed.checksum()).contains(IMAGE.md5());
    List<RecordedRequest> gets = origin.requests("/v2/images/img/file");
    assertThat(gets.get(0).header("Range")).isEmpty();
    assertThat(ranges(gets.subList(1, gets.size())))
        .containsExactlyInAnyOrderElementsOf(segmentRanges(1));
  }

  @Test
  void aSparseImageFetchedInSegmentsIsTheOriginsBytes_inLessDiskThanItsSize() throws Exception {
    byte[] sparse = new byte[SIZE];
    new Random(43).nextBytes(sparse);
    // Segments 3 to 10 are zeros, and so is everything after the middle of segment 14: the
    // prefix is published over holes while later segments are written beyond it.
    Arrays.fill(sparse, 3 * SEGMENT, 11 * SEGMENT, (byte) 0);
    Arrays.fill(sparse, 14 * SEGMENT + SEGMENT / 2, SIZE, (byte) 0);
    origin.put("sparse", sparse).ranges(Optional.empty(), ETAG);
    Fill fill = fill("sparse", SETTINGS.withConnections(4));
    CompletableFuture<byte[]> reader = CompletableFuture.supplyAsync(() -> followQuietly(fill));

    CachedImage committed = fill.completion().get(WAIT.toSeconds(), TimeUnit.SECONDS);

    Path file = dir.resolve("sparse");
    assertThat(committed.size()).isEqualTo(SIZE);
    assertThat(Files.size(file)).isEqualTo(SIZE);
    assertThat(md5(Files.readAllBytes(file))).isEqualTo(md5(sparse));
    assertThat(md5(reader.get(WAIT.toSeconds(), TimeUnit.SECONDS))).isEqualTo(md5(sparse));
    assertThat(committed.checksum()).contains(md5(sparse));
    // 6.5 segments of data (26 MiB) in 68 MiB.
    assertThat(AllocatedBytes.of(file)).isLessThan(8L * SEGMENT);
    assertThat(ranges(gets("/images/sparse"))).containsExactlyInAnyOrderElementsOf(segmentRanges(0));
  }

  private List<RecordedRequest> gets(String path) {
    return origin.requests(path).stream().filter(request -> request.method().equals("GET")).toList();
  }

  /** The Range headers of {@code requests}. */
  private static List<String> ranges(List<RecordedRequest> requests) {
    return requests.stream().map(request -> request.header("Range").orElse("(none)")).toList();
  }

  /** The range of every segment from segment {@code first} on. */
  private static List<String> segmentRanges(int first) {
    List<String> ranges = new ArrayList<>();
    for (long start = (long) first * SEGMENT; start < SIZE; start += SEGMENT) {
      ranges.add("bytes=" + start + "-" + (start + SEGMENT >= SIZE ? "" : start + SEGMENT - 1));
    }
    return ranges;
  }

  private Fill fill(String id, OriginSettings settings) {
    return cache.fill(ImageId.of(id),
        Origins.parse(origin.httpTemplate(), settings).source(ImageId.of(id), Optional.empty()));
  }

  private static String md5(byte[] bytes) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(bytes));
  }

  private static byte[] followQuietly(Fill fill) {
    try {
      return follow(fill);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
