package io.imagecache.internal.maintenance;

import static org.assertj.core.api.Assertions.assertThat;

import io.imagecache.CacheConfig;
import io.imagecache.CacheHarness;
import io.imagecache.internal.CacheCounters;
import io.imagecache.internal.store.FileCacheDriver;
import io.imagecache.internal.store.sqlite.SqliteIndex;
import io.imagecache.testing.ManualScheduler;
import io.imagecache.testing.MutableClock;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HousekeepingTest {
  @TempDir Path dir;
  private final MutableClock clock = new MutableClock(Instant.parse("2026-03-01T10:00:00Z"));
  private final ManualScheduler scheduler = new ManualScheduler(clock);
  private FileCacheDriver driver;
  private SizeBound bound;

  @BeforeEach
  void openDriver() throws Exception {
    driver = new FileCacheDriver(
        dir, new SqliteIndex(dir), clock, false);
    driver.configure();
    bound = new SizeBound(driver, new Pruner(driver, id -> false),
        CacheConfig.builder(dir).build(), new CacheCounters());
  }

  @AfterEach
  void closeDriver() throws Exception {
    scheduler.shutdownNow();
    driver.close();
  }

  @Test
  void aCleanThatThrowsRunsAgainOnSchedule() {
    AtomicInteger runs = new AtomicInteger();
    Housekeeping housekeeping = new Housekeeping(scheduler, bound, () -> {
      if (runs.incrementAndGet() <= 2) {
        throw new AssertionError("clean failure number " + runs.get());
      }
    });

    housekeeping.start(Duration.ofHours(1), Duration.ofMinutes(1));

    scheduler.advance(Duration.ofMinutes(4));

    assertThat(runs.get()).isEqualTo(4);
    housekeeping.stop();
    scheduler.advance(Duration.ofMinutes(2));
    assertThat(runs.get()).as("after stop").isEqualTo(4);
  }
}
