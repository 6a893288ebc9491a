package io.imagecache.internal.store.postgres;

import java.sql.SQLException;
import java.sql.Statement;

/**
 * The fleet's own tables, beside Glance's {@code node_reference} and {@code cached_images} (which
 * they never alter, so Glance's code still reads those):
 *
 * <pre>
 * imagecache_nodes   one row per node URL: when it started, its last heartbeat, after how long
 *                    without one it counts as dead (its node-dead-after), and the database
 *                    session (backend pid + start) it holds; see {@link PostgresFleetLiveness}
 * imagecache_claims  one row per image some node fetches from the origin for the whole fleet,
 *                    naming the claimant's session; a claim counts only while that session is its
 *                    node's live one
 * imagecache_fills   one row per (image, node) filling it: bytes so far (written by heartbeats)
 *                    and the size when known
 * </pre>
 *
 * <p>Timestamps are {@code TIMESTAMPTZ} from the database's clock ({@code now()}), so that nodes
 * whose clocks disagree still agree on who is alive. The tables are created together with
 * Glance's, under the same schema lock and transaction ({@link PostgresSchema}), so that every
 * node and {@link PostgresIndex#nodes} can rely on them even where no fleet ever ran.
 */
final class PostgresFleetSchema {
  private static final String[] DDL = {
    "CREATE TABLE IF NOT EXISTS imagecache_nodes ("
        + " node_url VARCHAR(255) PRIMARY KEY,"
        + " started_at TIMESTAMPTZ NOT NULL,"
        + " heartbeat_at TIMESTAMPTZ NOT NULL,"
        + " dead_after_ms BIGINT NOT NULL,"
        + " backend_pid INT NOT NULL,"
        + " backend_start TIMESTAMPTZ NOT NULL)",
    "CREATE TABLE IF NOT EXISTS imagecache_claims ("
        + " image_id VARCHAR(255) PRIMARY KEY,"
        + " node_url VARCHAR(255) NOT NULL,"
        + " backend_pid INT NOT NULL,"
        + " backend_start TIMESTAMPTZ NOT NULL,"
        + " claimed_at TIMESTAMPTZ NOT NULL)",
    "CREATE TABLE IF NOT EXISTS imagecache_fills ("
        + " image_id VARCHAR(255) NOT NULL,"
        + " node_url VARCHAR(255) NOT NULL,"
        + " bytes BIGINT NOT NULL,"
        + " size BIGINT NULL,"
        + " updated_at TIMESTAMPTZ NOT NULL,"
        + " PRIMARY KEY (image_id, node_url))",
  };

  private PostgresFleetSchema() {}

  /** Creates the tables if absent; the caller holds the schema lock in its open transaction. */
  static void create(Statement ddl) throws SQLException {
    for (String statement : DDL) {
      ddl.execute(statement);
    }
  }
}
