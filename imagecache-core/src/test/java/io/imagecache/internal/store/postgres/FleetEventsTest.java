package io.imagecache.internal.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.imagecache.ImageId;
import io.imagecache.testing.TestPostgres;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@link FleetEvents} of several nodes on one real PostgreSQL (a fresh schema per test): a
 * delete one node publishes is applied by the others, never by itself, and events older than
 * {@link FleetEventTables#KEEP} are pruned.
 */
class FleetEventsTest {
  private static final Duration DELIVERY = Duration.ofSeconds(5);
  private static final ImageId IMG = ImageId.of("img");

  @RegisterExtension
  static final TestPostgres POSTGRES = TestPostgres.perClass();

  private String jdbcUrl;
  private final List<FleetEvents> started = new ArrayList<>();

  @BeforeEach
  void createSchema() throws SQLException {
    jdbcUrl = POSTGRES.freshSchema("events");
  }

  @AfterEach
  void stopNodes() {
    started.forEach(FleetEvents::close);
  }

  @Test
  void aPublishedDeleteIsAppliedByTheOtherNodesButNotByItsPublisher() throws Exception {
    List<ImageId> deletedOnA = new CopyOnWriteArrayList<>();
    List<ImageId> deletedOnB = new CopyOnWriteArrayList<>();
    FleetEvents nodeA = start("http://node-a:9292", deletedOnA);
    start("http://node-b:9292", deletedOnB);

    nodeA.publish(IMG);

    await().atMost(DELIVERY).until(() -> deletedOnB.equals(List.of(IMG)));
    assertThat(deletedOnA).isEmpty();
  }

  @Test
  void aNodeSeenForTheFirstTimeDoesNotReplayOlderDeletes() throws Exception {
    start("http://node-a:9292", new CopyOnWriteArrayList<>()).publish(IMG);
    List<ImageId> deletedOnNew = new CopyOnWriteArrayList<>();

    start("http://node-new:9292", deletedOnNew);

    assertThat(deletedOnNew).isEmpty();
  }

  @Test
  void eventsOlderThanTheKeepTimeArePrunedAndNewerOnesKept() throws Exception {
    FleetEvents node = start("http://node-a:9292", new CopyOnWriteArrayList<>());
    node.publish(ImageId.of("old"));
    node.publish(ImageId.of("new"));
    try (Connection connection = POSTGRES.connection()) {
      connection.setSchema(jdbcUrl.substring(jdbcUrl.indexOf("currentSchema=") + 14));
      try (Statement statement = connection.createStatement()) {
        statement.execute("UPDATE imagecache_events SET at = at - INTERVAL '8 days'"
            + " WHERE image_id = 'old'");
        assertThat(FleetEventTables.prune(connection)).isEqualTo(1);
        try (ResultSet rows = statement.executeQuery("SELECT image_id FROM imagecache_events")) {
          assertThat(rows.next()).isTrue();
          assertThat(rows.getString(1)).isEqualTo("new");
          assertThat(rows.next()).isFalse();
        }
      }
    }
  }

  private FleetEvents start(String nodeUrl, List<ImageId> deleted) {
    FleetEvents events = FleetEvents.start(jdbcUrl, Optional.empty(), nodeUrl, deleted::add);
    started.add(events);
    return events;
  }
}
