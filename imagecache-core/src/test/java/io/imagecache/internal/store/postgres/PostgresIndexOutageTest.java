package io.imagecache.internal.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.imagecache.CachedImage;
import io.imagecache.ImageId;
import io.imagecache.internal.store.ImageIndex.Access;
import io.imagecache.internal.store.StoreUnavailableException;
import io.imagecache.testing.TestPostgres;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A {@link PostgresIndex} whose database goes away (connections refused and ended:
 * {@code ALLOW_CONNECTIONS false} and {@code pg_terminate_backend}) and comes back: writes made
 * meanwhile are kept and written on its return, reads it cannot answer fail at once, and a
 * database that comes back empty gets the tables, the node and the kept rows again.
 */
class PostgresIndexOutageTest {
  private static final String NODE = "http://node-a:9292";
  private static final Duration CONVERGE = Duration.ofSeconds(30);
  private static final ImageId A = ImageId.of("a");
  private static final ImageId B = ImageId.of("b");
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  private static final AtomicInteger DATABASES = new AtomicInteger();

  @RegisterExtension
  static final TestPostgres POSTGRES = TestPostgres.perClass();

  @TempDir
  Path dir;
  private String database;
  private PostgresIndex index;

  @BeforeEach
  void openIndex() throws Exception {
    database = "outage" + DATABASES.incrementAndGet();
    POSTGRES.sql("CREATE DATABASE " + database);
    index = new PostgresIndex(POSTGRES.jdbcUrl(database), NODE, dir);
    index.open();
  }

  @AfterEach
  void closeIndex() throws SQLException {
    index.close();
    POSTGRES.sql("ALTER DATABASE " + database + " ALLOW_CONNECTIONS true");
  }

  @Test
  void writesMadeWhileTheDatabaseIsAwayReachItWhenItReturns() throws Exception {
    index.put(A, dir.resolve("a"), 10, T0, Optional.of("aaaa"));
    cutOff();

    index.put(B, dir.resolve("b"), 20, T0.plusSeconds(1), Optional.of("bbbb"));
    index.recordAccesses(Map.of(A, new Access(2, T0.plusSeconds(2)),
        B, new Access(3, T0.plusSeconds(3))));

    assertThat(index.get(B).map(CachedImage::hits)).contains(3L);
    assertThatThrownBy(() -> index.get(A)).isInstanceOf(StoreUnavailableException.class);
    assertThatThrownBy(index::check).isInstanceOf(StoreUnavailableException.class);
    assertThatThrownBy(index::list).isInstanceOf(StoreUnavailableException.class);

    POSTGRES.sql("ALTER DATABASE " + database + " ALLOW_CONNECTIONS true");

    await().atMost(CONVERGE).untilAsserted(() -> {
      assertThat(hits(A)).hasValue(2);
      assertThat(hits(B)).hasValue(3);
    });
    index.check();
    assertThat(index.get(B).flatMap(CachedImage::checksum)).contains("bbbb");
  }

  @Test
  void aDatabaseThatReturnsEmptyGetsTheNodeAndTheKeptRowsAgain() throws Exception {
    index.put(A, dir.resolve("a"), 10, T0, Optional.of("aaaa"));
    cutOff();
    index.put(B, dir.resolve("b"), 20, T0.plusSeconds(1), Optional.of("bbbb"));

    POSTGRES.sql("DROP DATABASE " + database);
    POSTGRES.sql("CREATE DATABASE " + database);

    // Until the node has created its tables again, they do not exist.
    await().atMost(CONVERGE).ignoreExceptionsInstanceOf(SQLException.class).untilAsserted(() -> {
      assertThat(hits(B)).hasValue(0);
      assertThat(hits(A)).isEmpty();
    });
    index.put(A, dir.resolve("a"), 10, T0, Optional.of("aaaa"));
    assertThat(index.list()).extracting(CachedImage::imageId).containsExactly(A, B);
  }

  // ---- helpers

  /** No new connections to the test's database, and every existing one ended. */
  private void cutOff() throws SQLException {
    POSTGRES.sql("ALTER DATABASE " + database + " ALLOW_CONNECTIONS false");
    POSTGRES.sql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '"
        + database + "'");
  }

  /** The hits of this node's row for {@code id}; empty without a row. */
  private OptionalLong hits(ImageId id) throws SQLException {
    try (Connection connection =
            DriverManager.getConnection(POSTGRES.jdbcUrl(database));
        PreparedStatement select = connection.prepareStatement("SELECT c.hits FROM cached_images c"
            + " JOIN node_reference n ON n.node_reference_id = c.node_reference_id"
            + " WHERE n.node_reference_url = ? AND c.image_id = ?")) {
      select.setString(1, NODE);
      select.setString(2, id.value());
      try (ResultSet row = select.executeQuery()) {
        return row.next() ? OptionalLong.of(row.getLong(1)) : OptionalLong.empty();
      }
    }
  }
}
