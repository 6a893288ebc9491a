package io.imagecache;

import static io.imagecache.CacheHarness.WAIT;
import static io.imagecache.CacheHarness.namesIn;
import static io.imagecache.CacheHarness.randomBytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.imagecache.internal.fill.Fill;
import io.imagecache.internal.fill.NotCacheableException;
import io.imagecache.internal.store.ContentDigest;
import io.imagecache.internal.store.DigestAlgorithm;
import io.imagecache.internal.store.ExpectedContent;
import io.imagecache.testing.Tmpfs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A cache on a real, small file system (a 64 MiB tmpfs) that runs full: bytes that failed for
 * lack of space are freed at once, invalid files give way to new fills, and fills of unknown
 * size share the room so that some finish. Skipped where a tmpfs cannot be mounted (not root);
 * CacheAdmissionTest covers the same decisions on a simulated file system.
 */
class DiskPressureTest {
  private static final int MIB = 1 << 20;

  @TempDir Path mountPoint;
  private Tmpfs tmpfs;
  private Path dir;
  private CacheHarness harness;

  @BeforeEach
  void mount() throws Exception {
    Tmpfs.Mounted mounted = Tmpfs.mount(mountPoint, 64);
    Assumptions.assumeTrue(mounted.tmpfs().isPresent(), mounted.whyNot());
    tmpfs = mounted.tmpfs().get();
    dir = tmpfs.path().resolve("cache");
    harness = new CacheHarness();
  }

  @AfterEach
  void unmount() throws Exception {
    try {
      if (harness != null) {
        harness.close();
      }
    } finally {
      if (tmpfs != null) {
        tmpfs.close();
      }
    }
  }

  @Test
  void aFillThatRunsOutOfDiskFreesItsBytesAtOnce() throws Exception {
    ImageCache cache = harness.open(CacheHarness.config(dir).maxSize(1024L * MIB)
        .minFreeDisk(0).build());
    ScriptedSource source = ScriptedSource.of(randomBytes(1, 20 * MIB)).pauseAfter(4 * MIB);
    Fill fill = cache.fill(ImageId.of("too-big"), source);
    assertThat(source.awaitPaused(WAIT)).isTrue();
    // Someone else takes the disk while the fill is under way.
    Path filler = tmpfs.fillLeaving("filler", 2 * MIB);

    source.resume();

    assertThatThrownBy(() -> fill.completion().get(WAIT.toSeconds(), TimeUnit.SECONDS))
        .hasMessageContaining("No space left on device");
    assertThat(namesIn(dir.resolve("invalid"))).isEmpty();
    assertThat(namesIn(dir.resolve("incomplete"))).isEmpty();
    // Its 4 + 2 MiB are free again (within a page or so of tmpfs bookkeeping).
    assertThat(tmpfs.usable()).isGreaterThan(5L * MIB);
    Files.delete(filler);
  }

  @Test
  void aFillRemovesFailedWritesFromInvalidWhenItNeedsTheirSpace() throws Exception {
    ImageCache cache = harness.open(CacheHarness.config(dir).maxSize(1024L * MIB)
        .minFreeDisk(0).build());
    byte[] bad = randomBytes(2, 40 * MIB);
    ExpectedContent wrongDigest = new ExpectedContent(OptionalLong.of(bad.length),
        List.of(new ContentDigest(DigestAlgorithm.MD5, md5(randomBytes(3, 16)))));
    Fill mismatch = cache.fill(ImageId.of("bad"), new ScriptedSource(bad, wrongDigest));
    assertThatThrownBy(() -> mismatch.completion().get(WAIT.toSeconds(), TimeUnit.SECONDS))
        .hasMessageContaining("mismatch");
    // A verification failure is evidence: kept in invalid/ ...
    assertThat(namesIn(dir.resolve("invalid"))).containsExactly("bad");
    assertThat(tmpfs.usable()).isLessThan(30L * MIB);

    // ... until a fill needs its space: then it goes, before anything is pruned or refused.
    byte[] good = randomBytes(4, 30 * MIB);
    CacheHarness.cache(cache, "good", good);

    assertThat(Files.readAllBytes(dir.resolve("good"))).isEqualTo(good);
    assertThat(namesIn(dir.resolve("invalid"))).isEmpty();
  }

  @Test
  void sixFillsOfUnknownSizeShareSixtyOneMebibytesSoThatSomeFinish() throws Exception {
    ImageCache cache = harness.open(CacheHarness.config(dir).maxSize(1024L * MIB).build());
    Path filler = tmpfs.fillLeaving("filler", 61L * MIB);
    List<byte[]> contents = new ArrayList<>();
    List<ScriptedSource> sources = new ArrayList<>();
    List<Fill> fills = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      contents.add(randomBytes(10 + i, 15 * MIB));
      sources.add(new ScriptedSource(contents.get(i), ExpectedContent.unknown())
          .pauseAfter(MIB));
      fills.add(cache.fill(ImageId.of("u" + i), sources.get(i)));
    }
    // All six are under way at once before any goes on.
    for (ScriptedSource source : sources) {
      assertThat(source.awaitPaused(WAIT)).isTrue();
    }
    sources.forEach(ScriptedSource::resume);

    List<Throwable> failures = new ArrayList<>();
    for (Fill fill : fills) {
      try {
        fill.completion().get(WAIT.toSeconds(), TimeUnit.SECONDS);
      } catch (ExecutionException e) {
        failures.add(e.getCause());
      }
    }

    int cached = 0;
    for (int i = 0; i < 6; i++) {
      if (cache.isCached(ImageId.of("u" + i))) {
        assertThat(Files.readAllBytes(dir.resolve("u" + i))).isEqualTo(contents.get(i));
        cached++;
      }
    }
    assertThat(cached).isGreaterThanOrEqualTo(3);
    // The others gave way (refused room), none ran into a full disk.
    assertThat(failures).allMatch(NotCacheableException.class::isInstance);
    assertThat(namesIn(dir.resolve("incomplete"))).isEmpty();
    assertThat(namesIn(dir.resolve("invalid"))).isEmpty();
    assertThat(cache.stats().reservedBytes()).isZero();
    Files.delete(filler);
  }

  private static String md5(byte[] bytes) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(bytes));
  }
}
