package io.imagecache.internal.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.imagecache.ImageId;
import io.imagecache.internal.fleet.FillAnnouncement;
import io.imagecache.internal.fleet.FillClaim;
import io.imagecache.internal.fleet.NodeState;
import io.imagecache.internal.fleet.PeerSource;
import io.imagecache.internal.store.BadDriverConfigurationException;
import io.imagecache.testing.ManualScheduler;
import io.imagecache.testing.MutableClock;
import io.imagecache.testing.TestPostgres;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link PostgresFleet} nodes as separate fleet members on one real PostgreSQL (one embedded
 * server for the class, a fresh schema per test). Heartbeats run when a test moves a node's
 * {@link ManualScheduler}, except where a node must stay alive on its own.
 */
class PostgresFleetTest {
  private static final String A = "http://node-a:9292";
  private static final String B = "http://node-b:9292";
  private static final String C = "http://node-c:9292";
  private static final String D = "http://node-d:9292";
  private static final String E = "http://node-e:9292";
  /** Long enough that no node of a test dies on the wall clock unless the test wants it to. */
  private static final Duration LONG_LIFE = Duration.ofMinutes(5);
  private static final Duration SHORT_LIFE = Duration.ofSeconds(1);
  private static final ImageId IMAGE = ImageId.of("image-1");

  @RegisterExtension
  static final TestPostgres POSTGRES = TestPostgres.perClass();

  @TempDir Path tempDir;

  private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
  private final List<AutoCloseable> opened = new ArrayList<>();
  private String storeUrl;

  @BeforeEach
  void createStore() throws SQLException {
    storeUrl = POSTGRES.freshSchema("f");
  }

  @AfterEach
  void closeEverything() throws Exception {
    for (int i = opened.size() - 1; i >= 0; i--) {
      opened.get(i).close();
    }
  }

  // ---------------------------------------------------------------- liveness

  @Test
  void aNodeThatStopsHeartbeating_isDeadAfterItsNodeDeadAfter() throws Exception {
    ManualScheduler silent = new ManualScheduler(clock);
    PostgresFleet stopped = node(A, SHORT_LIFE, silent);
    PostgresFleet beating = node(C, SHORT_LIFE, realScheduler());
    PostgresFleet observer = node(B, LONG_LIFE, new ManualScheduler(clock));
    PostgresIndex stoppedIndex = index(A);
    PostgresIndex beatingIndex = index(C);
    hold(stoppedIndex, IMAGE);
    hold(beatingIndex, IMAGE);
    glanceNodeHolds("http://glance-node:9292", IMAGE);

    assertThat(urls(observer.sources(IMAGE))).containsExactlyInAnyOrder(A, C);
    assertThat(stoppedIndex.nodes(IMAGE)).containsExactly("http://glance-node:9292", A, C);

    await().atMost(Duration.ofSeconds(10))
        .untilAsserted(() -> assertThat(urls(observer.sources(IMAGE))).containsExactly(C));
    assertThat(stoppedIndex.nodes(IMAGE)).containsExactly("http://glance-node:9292", C);
    assertThat(observer.nodes(IMAGE)).extracting(NodeState::nodeUrl).containsExactly(C);
    assertThat(stopped.backendPid()).as("its session is still open").isPresent();
  }

  @Test
  void aNodeWhoseSessionEnds_isDeadAtOnce_andRegistersAgainAtItsNextBeats() throws Exception {
    ManualScheduler beats = new ManualScheduler(clock);
    PostgresFleet killed = node(A, LONG_LIFE, beats);
    PostgresFleet observer = node(B, LONG_LIFE, new ManualScheduler(clock));
    killed.announceFill(IMAGE, OptionalLong.of(1000));
    assertThat(urls(observer.sources(IMAGE))).containsExactly(A);

    terminate(killed.backendPid().orElseThrow());

    await().atMost(Duration.ofSeconds(2))
        .untilAsserted(() -> assertThat(observer.sources(IMAGE)).isEmpty());
    beats.advance(Duration.ofSeconds(1)); // the heartbeat finds the session gone
    beats.advance(Duration.ofSeconds(1)); // the next one connects and registers again
    assertThat(urls(observer.sources(IMAGE))).as("the fill announced again").containsExactly(A);
  }

  // ---------------------------------------------------------------- sources

  @Test
  void sources_areLiveHoldersThenFillersByBytes_neitherSelfNorDeadNorGlanceNodes()
      throws Exception {
    ManualScheduler selfBeats = new ManualScheduler(clock);
    ManualScheduler fillerBeats = new ManualScheduler(clock);
    PostgresFleet self = node(A, LONG_LIFE, selfBeats);
    node(B, LONG_LIFE, new ManualScheduler(clock));
    PostgresFleet smallFiller = node(C, LONG_LIFE, fillerBeats);
    ManualScheduler bigFillerBeats = new ManualScheduler(clock);
    PostgresFleet bigFiller = node(D, LONG_LIFE, bigFillerBeats);
    PostgresFleet gone = node(E, LONG_LIFE, new ManualScheduler(clock));
    hold(index(A), IMAGE);
    self.announceFill(IMAGE, OptionalLong.empty());
    hold(index(B), IMAGE);
    hold(index(E), IMAGE);
    glanceNodeHolds("http://glance-node:9292", IMAGE);
    FillAnnouncement small = smallFiller.announceFill(IMAGE, OptionalLong.of(1000));
    small.progress(100);
    bigFiller.announceFill(IMAGE, OptionalLong.of(1000)).progress(500);
    gone.close();

    // Announcements show at once with 0 bytes; progress only once written by a heartbeat.
    assertThat(self.sources(IMAGE)).containsExactly(
        new PeerSource(B, true, 5), new PeerSource(C, false, 0), new PeerSource(D, false, 0));
    fillerBeats.advance(Duration.ofSeconds(1));
    assertThat(self.sources(IMAGE)).containsExactly(
        new PeerSource(B, true, 5), new PeerSource(C, false, 100), new PeerSource(D, false, 0));
    bigFillerBeats.runDue();
    assertThat(self.sources(IMAGE)).containsExactly(
        new PeerSource(B, true, 5), new PeerSource(D, false, 500), new PeerSource(C, false, 100));

    small.close();
    assertThat(self.sources(IMAGE)).containsExactly(
        new PeerSource(B, true, 5), new PeerSource(D, false, 500));
    assertThat(self.sources(ImageId.of("other"))).isEmpty();
  }

  @Test
  void sources_listEveryLiveHolder_inVaryingOrder() throws Exception {
    PostgresFleet reader = node(A, LONG_LIFE, new ManualScheduler(clock));
    List<String> holders = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      String url = "http://holder-" + i + ":9292";
      node(url, LONG_LIFE, new ManualScheduler(clock));
      hold(index(url), IMAGE);
      holders.add(url);
    }

    List<String> firsts = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      List<String> sources = urls(reader.sources(IMAGE));
      assertThat(sources).containsExactlyInAnyOrderElementsOf(holders);
      firsts.add(sources.get(0));
    }
    assertThat(new HashSet<>(firsts)).as("readers spread over the holders").hasSizeGreaterThan(1);
  }

  // ---------------------------------------------------------------- claims

  @Test
  void tryClaim_sixteenThreadsOnEachOfThreeNodes_exactlyOneWinsPerImage() throws Exception {
    List<PostgresFleet> nodes =
        List.of(node(A, LONG_LIFE, new ManualScheduler(clock)),
            node(B, LONG_LIFE, new ManualScheduler(clock)),
            node(C, LONG_LIFE, new ManualScheduler(clock)));
    int threadsPerNode = 16;
    ExecutorService racers = Executors.newFixedThreadPool(threadsPerNode * nodes.size());
    try {
      for (int round = 0; round < 5; round++) {
        ImageId id = ImageId.of("raced-" + round);
        CountDownLatch start = new CountDownLatch(threadsPerNode * nodes.size());
        List<Future<Optional<FillClaim>>> attempts = new ArrayList<>();
        for (PostgresFleet node : nodes) {
          for (int i = 0; i < threadsPerNode; i++) {
            attempts.add(racers.submit(() -> {
              start.countDown();
              start.await();
              return node.tryClaim(id);
            }));
          }
        }
        List<FillClaim> won = new ArrayList<>();
        for (Future<Optional<FillClaim>> attempt : attempts) {
          attempt.get(30, TimeUnit.SECONDS).ifPresent(won::add);
        }
        assertThat(won).as("claims of %s", id).hasSize(1);
        assertThat(won.get(0).shared()).isTrue();
      }
    } finally {
      racers.shutdownNow();
    }
  }

  @Test
  void tryClaim_isRefusedWhileALiveNodeHoldsIt_andFreeAgainOnceClosed() throws Exception {
    PostgresFleet a = node(A, LONG_LIFE, new ManualScheduler(clock));
    PostgresFleet b = node(B, LONG_LIFE, new ManualScheduler(clock));

    FillClaim claim = a.tryClaim(IMAGE).orElseThrow();
    assertThat(b.tryClaim(IMAGE)).isEmpty();
    assertThat(a.tryClaim(IMAGE)).as("one claim per image on a node too").isEmpty();
    assertThat(b.tryClaim(ImageId.of("other"))).isPresent();

    claim.close();
    claim.close();
    FillClaim taken = b.tryClaim(IMAGE).orElseThrow();
    assertThat(taken.shared()).isTrue();
    assertThat(a.tryClaim(IMAGE)).isEmpty();
  }

  @Test
  void tryClaim_takesOverAtOnceWhenTheHoldersSessionEnds() throws Exception {
    PostgresFleet holder = node(A, LONG_LIFE, new ManualScheduler(clock));
    PostgresFleet other = node(B, LONG_LIFE, new ManualScheduler(clock));
    holder.tryClaim(IMAGE).orElseThrow();
    assertThat(other.tryClaim(IMAGE)).isEmpty();

    terminate(holder.backendPid().orElseThrow());

    FillClaim taken = await().atMost(Duration.ofSeconds(2))
        .until(() -> other.tryClaim(IMAGE), Optional::isPresent).orElseThrow();
    assertThat(taken.shared()).isTrue();
  }

  @Test
  void tryClaim_takesOverWhenTheHolderStopsHeartbeating() throws Exception {
    PostgresFleet holder = node(A, SHORT_LIFE, new ManualScheduler(clock));
    PostgresFleet other = node(B, LONG_LIFE, new ManualScheduler(clock));
    holder.tryClaim(IMAGE).orElseThrow();
    assertThat(other.tryClaim(IMAGE)).isEmpty();

    Optional<FillClaim> taken = await().atMost(Duration.ofSeconds(10))
        .until(() -> other.tryClaim(IMAGE), Optional::isPresent);
    assertThat(taken.orElseThrow().shared()).isTrue();
  }

  @Test
  void tryClaim_takesOverAfterTheClaimLease_evenWhenTheSilentHolderIsNotYetDead()
      throws Exception {
    PostgresFleet holder = node(A, LONG_LIFE, new ManualScheduler(clock));
    PostgresFleet other = node(B, LONG_LIFE, new ManualScheduler(clock));
    holder.announceFill(IMAGE, OptionalLong.empty());
    holder.tryClaim(IMAGE).orElseThrow();

    Optional<FillClaim> taken = await().atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(500))
        .until(() -> other.tryClaim(IMAGE), Optional::isPresent);

    assertThat(taken.orElseThrow().shared()).isTrue();
    assertThat(urls(other.sources(IMAGE))).as("the holder itself is still alive").containsExactly(A);
  }

  @Test
  void close_releasesTheNodesClaimsAndAnnouncements() throws Exception {
    PostgresFleet leaving = node(A, LONG_LIFE, new ManualScheduler(clock));
    PostgresFleet staying = node(B, LONG_LIFE, new ManualScheduler(clock));
    leaving.tryClaim(IMAGE).orElseThrow();
    leaving.announceFill(IMAGE, OptionalLong.empty());

    leaving.close();

    assertThat(staying.sources(IMAGE)).isEmpty();
    assertThat(rows("imagecache_claims") + rows("imagecache_fills")).isZero();
    assertThat(staying.tryClaim(IMAGE)).isPresent();
  }

  // ---------------------------------------------------------------- nodes

  @Test
  void nodes_showEachLiveNodesStateAndLastHeartbeat() throws Exception {
    ManualScheduler fillerBeats = new ManualScheduler(clock);
    PostgresFleet holder = node(A, LONG_LIFE, new ManualScheduler(clock));
    PostgresFleet filler = node(B, LONG_LIFE, fillerBeats);
    node(C, LONG_LIFE, new ManualScheduler(clock));
    hold(index(A), IMAGE);
    FillAnnouncement fill = filler.announceFill(IMAGE, OptionalLong.of(1000));
    fill.progress(250);
    Instant before = databaseNow();

    fillerBeats.advance(Duration.ofSeconds(1));

    List<NodeState> nodes = holder.nodes(IMAGE);
    assertThat(nodes).extracting(NodeState::nodeUrl, NodeState::cached, NodeState::bytes,
            NodeState::size)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(A, true, 5L, OptionalLong.of(5)),
            org.assertj.core.groups.Tuple.tuple(B, false, 250L, OptionalLong.of(1000)));
    assertThat(nodes.get(1).lastHeartbeat()).isAfterOrEqualTo(before);
    assertThat(nodes.get(0).lastHeartbeat()).isBefore(before);
    assertThat(filler.nodes(ImageId.of("other"))).isEmpty();
  }

  @Test
  void nodes_showTheSizeAnOriginFillLearnsAfterItsAnnouncement_andNothingOnceWithdrawn()
      throws Exception {
    PostgresFleet filler = node(B, LONG_LIFE, new ManualScheduler(clock));
    FillAnnouncement fill = filler.announceFill(IMAGE, OptionalLong.empty());
    assertThat(filler.nodes(IMAGE)).extracting(NodeState::size)
        .containsExactly(OptionalLong.empty());

    fill.size(1000);

    assertThat(filler.nodes(IMAGE)).extracting(NodeState::size)
        .containsExactly(OptionalLong.of(1000));
    fill.close();
    fill.size(2000);
    assertThat(filler.nodes(IMAGE)).isEmpty();
  }

  // ---------------------------------------------------------------- a database that hangs

  @Test
  void aDatabaseThatHangs_answersAsALoneNodeWithinASecond_andRejoinsWhenItAnswers()
      throws Exception {
    ManualScheduler beats = new ManualScheduler(clock);
    PostgresFleet a = node(A, LONG_LIFE, beats);
    PostgresFleet b = node(B, LONG_LIFE, new ManualScheduler(clock));
    b.announceFill(ImageId.of("filling"), OptionalLong.empty());
    try (Connection locker = DriverManager.getConnection(storeUrl)) {
      locker.setAutoCommit(false);
      try (Statement lock = locker.createStatement()) {
        lock.execute("LOCK TABLE imagecache_nodes IN ACCESS EXCLUSIVE MODE");
      }

      FillClaim local = assertTimeoutPreemptively(Duration.ofSeconds(3),
          () -> a.tryClaim(IMAGE).orElseThrow());
      assertThat(local.shared()).isFalse();
      assertTimeoutPreemptively(Duration.ofSeconds(3), () -> {
        assertThat(a.sources(ImageId.of("filling"))).isEmpty();
        a.announceFill(ImageId.of("local"), OptionalLong.empty());
      });
      beats.advance(Duration.ofSeconds(1)); // a reconnection that fails on the locked table
      assertThatThrownBy(() -> a.nodes(IMAGE)).isInstanceOf(IOException.class)
          .hasMessageContaining("does not answer");
      locker.rollback();
    }

    beats.advance(Duration.ofSeconds(1));

    assertThat(a.backendPid()).isPresent();
    assertThat(a.sources(ImageId.of("filling"))).containsExactly(new PeerSource(B, false, 0));
    assertThat(urls(b.sources(ImageId.of("local")))).containsExactly(A);
    assertThat(b.tryClaim(IMAGE)).as("the local claim is shared again").isEmpty();
  }

  @Test
  void open_rejectsAUrlThatIsNotPostgres() {
    assertThatThrownBy(() -> PostgresFleet.open("jdbc:sqlite:x?password=secret", Optional.empty(),
            A, LONG_LIFE, clock, new ManualScheduler(clock)))
        .isInstanceOf(BadDriverConfigurationException.class)
        .hasMessageContaining("jdbc:postgresql://HOST:PORT/DATABASE")
        .hasMessageNotContaining("secret");
  }

  @Test
  void open_rejectsANodeDeadAfterUnderASecond() {
    assertThatThrownBy(() -> PostgresFleet.open(storeUrl, Optional.empty(), A,
            Duration.ofMillis(999), clock, new ManualScheduler(clock)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("node-dead-after must be at least PT1S, got PT0.999S");
  }

  // ---------------------------------------------------------------- fixtures

  private PostgresFleet node(String url, Duration deadAfter, ScheduledExecutorService scheduler)
      throws BadDriverConfigurationException {
    if (scheduler instanceof ManualScheduler manual) {
      opened.add(manual::shutdownNow);
    }
    PostgresFleet fleet =
        PostgresFleet.open(storeUrl, Optional.empty(), url, deadAfter, clock, scheduler);
    opened.add(fleet);
    return fleet;
  }

  private ScheduledExecutorService realScheduler() {
    ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    opened.add(scheduler::shutdownNow);
    return scheduler;
  }

  private PostgresIndex index(String url) throws BadDriverConfigurationException {
    PostgresIndex index = new PostgresIndex(storeUrl, url, tempDir);
    index.open();
    opened.add(index);
    return index;
  }

  /** A committed 5-byte image of the index's node. */
  private void hold(PostgresIndex index, ImageId id) throws IOException {
    index.put(id, tempDir.resolve(id.value()), 5, clock.instant(), Optional.empty());
  }

  /** A Glance node (never in the fleet) with a row for {@code id}. */
  private void glanceNodeHolds(String url, ImageId id) throws Exception {
    hold(index(url), id);
  }

  private void terminate(int pid) throws SQLException {
    try (Connection admin = DriverManager.getConnection(storeUrl);
        PreparedStatement kill = admin.prepareStatement("SELECT pg_terminate_backend(?)")) {
      kill.setInt(1, pid);
      kill.execute();
    }
  }

  private long rows(String table) throws SQLException {
    try (Connection admin = DriverManager.getConnection(storeUrl);
        Statement count = admin.createStatement();
        var row = count.executeQuery("SELECT count(*) FROM " + table)) {
      row.next();
      return row.getLong(1);
    }
  }

  private Instant databaseNow() throws SQLException {
    try (Connection admin = DriverManager.getConnection(storeUrl);
        Statement now = admin.createStatement();
        var row = now.executeQuery("SELECT now()")) {
      row.next();
      return row.getObject(1, java.time.OffsetDateTime.class).toInstant();
    }
  }

  private static List<String> urls(List<PeerSource> sources) {
    return sources.stream().map(PeerSource::nodeUrl).toList();
  }
}
