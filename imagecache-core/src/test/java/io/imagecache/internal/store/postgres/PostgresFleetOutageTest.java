package io.imagecache.internal.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.imagecache.ImageId;
import io.imagecache.internal.fleet.FillClaim;
import io.imagecache.internal.fleet.PeerSource;
import io.imagecache.testing.TestPostgres;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two {@link PostgresFleet} nodes whose PostgreSQL server stops and starts again (same data
 * directory, same port): while it is away each answers at once as a lone node; once it is back
 * both register again by themselves, with the fills and claims they kept meanwhile.
 */
class PostgresFleetOutageTest {
  private static final String A = "http://node-a:9292";
  private static final String B = "http://node-b:9292";
  private static final ImageId IMAGE = ImageId.of("image-1");
  private static final ImageId FILLING = ImageId.of("filling-during-outage");

  @TempDir Path dataDir;

  private TestPostgres postgres;
  private final List<AutoCloseable> opened = new ArrayList<>();

  @AfterEach
  void closeEverything() throws Exception {
    for (int i = opened.size() - 1; i >= 0; i--) {
      opened.get(i).close();
    }
    if (postgres != null) {
      postgres.close();
    }
  }

  @Test
  void databaseStopsAndStarts_nodesAnswerAloneMeanwhile_thenRegisterAgain() throws Exception {
    postgres = TestPostgres.startOn(dataDir);
    String url = postgres.jdbcUrl();
    PostgresFleet a = node(url, A);
    PostgresFleet b = node(url, B);
    b.announceFill(ImageId.of("before"), OptionalLong.empty());
    assertThat(a.sources(ImageId.of("before"))).containsExactly(new PeerSource(B, false, 0));

    postgres.stop();

    assertTimeoutPreemptively(Duration.ofSeconds(3), () -> {
      assertThat(a.sources(ImageId.of("before"))).isEmpty();
      FillClaim local = a.tryClaim(IMAGE).orElseThrow();
      assertThat(local.shared()).isFalse();
      a.announceFill(FILLING, OptionalLong.of(10)).progress(7);
    });
    assertThat(a.backendPid()).isEmpty();

    postgres.restart();

    // b did nothing during the outage, so it may still hold its old, dead session for a beat:
    // its pid alone does not say it is back; what it sees of a's fill does.
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      assertThat(a.backendPid()).isPresent();
      assertThat(b.sources(FILLING)).containsExactly(new PeerSource(A, false, 7));
      assertThat(a.sources(ImageId.of("before"))).containsExactly(new PeerSource(B, false, 0));
    });
    assertThat(b.tryClaim(IMAGE)).as("the claim taken alone is the fleet's now").isEmpty();
  }

  private PostgresFleet node(String url, String nodeUrl) throws Exception {
    ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    opened.add(scheduler::shutdownNow);
    PostgresFleet fleet = PostgresFleet.open(url, Optional.empty(), nodeUrl,
        Duration.ofSeconds(15), Clock.systemUTC(), scheduler);
    opened.add(fleet);
    return fleet;
  }
}
