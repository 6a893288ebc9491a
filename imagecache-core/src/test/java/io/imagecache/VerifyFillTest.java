package io.imagecache;

import static io.imagecache.CacheHarness.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

import io.imagecache.internal.fill.Fill;
import io.imagecache.internal.origin.OriginSettings;
import io.imagecache.internal.origin.Origins;
import io.imagecache.internal.origin.VerifyingOrigin;
import io.imagecache.internal.store.ContentMismatchException;
import io.imagecache.testing.GeneratedImage;
import io.imagecache.testing.TestOrigin;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
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
 * {@code verify strongest|all} on real fills from an HTTP origin on loopback that offers MD5,
 * sha-256 and sha-512: strongest checks sha-512 alone yet still catches any corrupted byte and
 * records the origin's MD5; all also catches an MD5 that disagrees with a matching sha-512.
 */
class VerifyFillTest {
  private static final int SIZE = 300_000;
  private static final GeneratedImage IMAGE = new GeneratedImage(11, SIZE);

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
  @ValueSource(longs = {0, SIZE / 2, SIZE - 1})
  void strongestCatchesACorruptedByteAtFixedOffsets(long offset) throws Exception {
    assertCorruptionCaught("fixed-" + offset, offset);
  }

  @Test
  void strongestCatchesACorruptedByteAnywhere() {
    AtomicInteger run = new AtomicInteger();
    qt().withExamples(8).withShrinkCycles(0).forAll(longs().between(0, SIZE - 1))
        .checkAssert(offset -> {
          try {
            assertCorruptionCaught("any-" + run.incrementAndGet(), offset);
          } catch (Exception e) {
            throw new AssertionError(e);
          }
        });
  }

  @Test
  void strongestRecordsTheOfferedMd5WithoutComputingIt() throws Exception {
    origin.put("img", IMAGE);

    CachedImage committed = fill("img", OriginConfig.Verify.STRONGEST).completion()
        .get(WAIT.toSeconds(), TimeUnit.SECONDS);

    assertThat(committed.checksum()).contains(IMAGE.md5());
    assertThat(cache.cachedImage(ImageId.of("img")).orElseThrow().checksum()).contains(IMAGE.md5());
    // The origin's word, not recomputed: an MD5 that contradicts the matching sha-512 is kept.
    origin.put("liar", IMAGE).wrongMd5();
    CachedImage liar = fill("liar", OriginConfig.Verify.STRONGEST).completion()
        .get(WAIT.toSeconds(), TimeUnit.SECONDS);
    assertThat(liar.checksum()).isPresent().get().isNotEqualTo(IMAGE.md5());
  }

  @Test
  void strongestComputesTheMd5WhenTheOriginOffersNone() throws Exception {
    origin.put("plain", IMAGE).omitDigests();

    CachedImage committed = fill("plain", OriginConfig.Verify.STRONGEST).completion()
        .get(WAIT.toSeconds(), TimeUnit.SECONDS);

    assertThat(committed.checksum()).contains(IMAGE.md5());
  }

  @Test
  void allCatchesAWrongMd5EvenWhenSha512Matches() throws Exception {
    origin.put("img", IMAGE).wrongMd5();

    Fill fill = fill("img", OriginConfig.Verify.ALL);

    assertThatThrownBy(() -> fill.completion().get(WAIT.toSeconds(), TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .hasRootCauseInstanceOf(ContentMismatchException.class)
        .hasStackTraceContaining("md5 mismatch");
    assertThat(cache.isCached(ImageId.of("img"))).isFalse();
  }

  private void assertCorruptionCaught(String id, long offset) throws Exception {
    origin.put(id, IMAGE).corruptByteAt(offset);

    Fill fill = fill(id, OriginConfig.Verify.STRONGEST);

    assertThatThrownBy(() -> fill.completion().get(WAIT.toSeconds(), TimeUnit.SECONDS))
        .as("corrupted byte at %d", offset)
        .isInstanceOf(ExecutionException.class)
        .hasRootCauseInstanceOf(ContentMismatchException.class)
        .hasStackTraceContaining("sha512 mismatch");
    assertThat(cache.isCached(ImageId.of(id))).isFalse();
    assertThat(Files.exists(dir.resolve(id))).isFalse();
  }

  private Fill fill(String id, OriginConfig.Verify policy) {
    VerifyingOrigin verifying =
        new VerifyingOrigin(Origins.parse(origin.httpTemplate(), OriginSettings.defaults()), policy);
    return cache.fill(ImageId.of(id), verifying.source(ImageId.of(id), Optional.empty()));
  }
}
