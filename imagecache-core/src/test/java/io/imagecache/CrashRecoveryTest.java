package io.imagecache;

import static io.imagecache.CacheHarness.WAIT;
import static io.imagecache.CacheHarness.namesIn;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.imagecache.internal.store.CacheReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** kill -9 of a cache process at the worst moments, then a restart on the same directory. */
class CrashRecoveryTest {
  @TempDir Path dir;
  private final CacheHarness harness = new CacheHarness();

  @AfterEach
  void tearDown() throws Exception {
    harness.close();
  }

  @Test
  void aFillKilledMidwayLeavesNothingServedAndNothingThatBlocksCaching() throws Exception {
    ImageId id = ImageId.of(CrashingFillMain.PARTIAL_ID);
    try (ChildJvm child = ChildJvm.start(dir, "fill")) {
      child.awaitLine("BYTES_ON_DISK");
      assertThat(Files.size(dir.resolve("incomplete").resolve(id.value())))
          .isGreaterThanOrEqualTo(CrashingFillMain.PARTIAL_BYTES);
      assertThatThrownBy(() -> harness.open(dir))
          .isInstanceOf(CacheDirectoryLockedException.class)
          .hasMessageContaining("is in use by " + child.pid() + "@");

      child.kill();
    }

    ImageCache cache = harness.open(dir);

    assertThat(cache.isCached(id)).isFalse();
    assertThat(cache.openCached(id)).isEmpty();
    assertThat(cache.cachedImages()).isEmpty();
    assertThat(namesIn(dir.resolve("incomplete"))).isEmpty();
    assertThat(cache.isCacheable(id)).isTrue();
    byte[] content = CrashingFillMain.partialContent();
    assertThat(cache.fill(id, ScriptedSource.of(content)).completion()
        .get(WAIT.toSeconds(), TimeUnit.SECONDS).size()).isEqualTo(content.length);
    assertThat(Files.readAllBytes(dir.resolve(id.value()))).isEqualTo(content);
  }

  @Test
  void aCommittedImageIsStillServedAfterItsHolderWasKilled() throws Exception {
    ImageId id = ImageId.of(CrashingFillMain.KEPT_ID);
    try (ChildJvm child = ChildJvm.start(dir, "commit")) {
      child.awaitLine("COMMITTED");
      child.kill();
    }

    ImageCache cache = harness.open(dir);

    byte[] content = CrashingFillMain.keptContent();
    try (CacheReader reader = cache.openCached(id).orElseThrow()) {
      assertThat(reader.size()).isEqualTo(content.length);
      assertThat(CacheHarness.read(reader.channel(), 0, content.length)).isEqualTo(content);
    }
    assertThat(cache.cachedImages()).extracting(CachedImage::imageId).containsExactly(id);
    assertThat(cache.hitCount(id)).isEqualTo(1);
    assertThat(namesIn(dir.resolve("incomplete"))).isEmpty();
  }
}
