package io.imagecache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CacheDirectoryLockTest {
  @TempDir Path dir;
  private final CacheHarness harness = new CacheHarness();

  @AfterEach
  void tearDown() throws Exception {
    harness.close();
  }

  @Test
  void aSecondCacheOnTheSameDirectoryIsRefusedNamingTheHolder() throws Exception {
    ImageCache first = harness.open(dir);
    String holder = ProcessHandle.current().pid() + "@";
    assertThat(Files.readString(dir.resolve("imagecache.lock"), StandardCharsets.UTF_8))
        .startsWith(holder);

    assertThatThrownBy(() -> harness.open(dir))
        .isInstanceOf(CacheDirectoryLockedException.class)
        .hasMessageStartingWith("cache directory " + dir + " is in use by " + holder)
        .hasMessageContaining("(this process)")
        .hasMessageEndingWith("(lock file " + dir.resolve("imagecache.lock") + ")");
    assertThat(first.isCached(ImageId.of("anything"))).isFalse();

    first.close();
    try (ImageCache second = harness.open(dir)) {
      assertThat(second.cachedImages()).isEmpty();
    }
  }

  @Test
  void aRefusedOpenDoesNotReleaseTheHoldersLock() throws Exception {
    // Closing any descriptor of a locked file drops a POSIX lock for the whole process; a refused
    // second open must not do that. Another process must still be locked out afterwards.
    try (ImageCache first = harness.open(dir)) {
      assertThatThrownBy(() -> harness.open(dir))
          .isInstanceOf(CacheDirectoryLockedException.class);

      try (ChildJvm probe = ChildJvm.start(dir, "probe-lock")) {
        assertThat(probe.awaitExit()).isEqualTo(ChildJvm.EXIT_LOCKED);
        assertThat(probe.output()).contains("is in use by " + ProcessHandle.current().pid() + "@");
      }
      assertThat(first.cachedImages()).isEmpty();
    }
  }

  @Test
  void closingTwiceIsHarmlessAndAClosedCacheRefusesWork() throws Exception {
    ImageCache cache = harness.open(dir);
    cache.close();
    cache.close();

    assertThatThrownBy(() -> cache.isCached(ImageId.of("x")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("the image cache on " + dir + " is closed");
  }
}
