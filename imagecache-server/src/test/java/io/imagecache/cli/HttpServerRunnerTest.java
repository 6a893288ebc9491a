package io.imagecache.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.imagecache.ImageCache;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The training run the launcher records its class-data-sharing archive with. */
class HttpServerRunnerTest {
  @TempDir Path dir;

  @Test
  void aTrainingRunStopsAsSoonAsTheServerListensAndReleasesTheCache() throws Exception {
    ServeSettings settings = SettingsResolver.resolve(
            Map.of("cache-dir", dir.resolve("cache").toString(), "listen", "127.0.0.1:0"),
            Map.of(), Optional.empty())
        .withAdminToken("training");

    int exit = assertTimeoutPreemptively(Duration.ofSeconds(60),
        () -> new HttpServerRunner(true).run(settings));

    assertThat(exit).isZero();
    try (ImageCache reopened = ImageCache.open(settings.cache())) {
      assertThat(reopened.cachedImages()).isEmpty();
    }
  }
}
