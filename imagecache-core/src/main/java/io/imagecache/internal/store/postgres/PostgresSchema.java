package io.imagecache.internal.store.postgres;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The tables of Glance's {@code centralized_db} driver (alembic revision {@code 2024_1_expand01})
 * in PostgreSQL types, so that a database Glance created can be shared, and node registration.
 * The fleet's own tables ({@link PostgresFleetSchema}) are created with them.
 *
 * <p>Differences from Glance: {@code image_id} is {@code VARCHAR(255)} instead of 36, because our
 * ids may be names of up to 255 characters (in a database Glance created, such ids fail to insert);
 * timestamps are {@code TIMESTAMP} holding UTC, written and read with an explicit UTC conversion,
 * never the JVM's or the session's time zone (Glance's §7.1-13 bug); and one extra index serves the
 * per-node least-recently-accessed query.
 */
final class PostgresSchema {
  /**
   * Key of the transaction-level advisory lock that serializes schema creation when several nodes
   * start at once ({@code CREATE TABLE IF NOT EXISTS} alone races on the catalog). Any constant
   * does; this is "imagecac" in ASCII.
   */
  static final long SCHEMA_LOCK_KEY = 0x696d616765636163L;

  private static final String[] DDL = {
    "CREATE TABLE IF NOT EXISTS node_reference ("
        + " node_reference_id BIGSERIAL PRIMARY KEY,"
        + " node_reference_url VARCHAR(255) NOT NULL,"
        + " CONSTRAINT uq_node_reference_node_reference_url UNIQUE (node_reference_url))",
    "CREATE TABLE IF NOT EXISTS cached_images ("
        + " id BIGSERIAL PRIMARY KEY,"
        + " image_id VARCHAR(255) NOT NULL,"
        + " last_accessed TIMESTAMP NOT NULL,"
        + " last_modified TIMESTAMP NOT NULL,"
        + " size BIGINT NOT NULL,"
        + " hits INT NOT NULL,"
        + " checksum VARCHAR(32) NULL,"
        + " node_reference_id BIGINT NOT NULL REFERENCES node_reference (node_reference_id),"
        + " CONSTRAINT ix_cached_images_image_id_node_reference_id"
        + " UNIQUE (image_id, node_reference_id))",
    "CREATE INDEX IF NOT EXISTS ix_cached_images_node_reference_id_last_accessed"
        + " ON cached_images (node_reference_id, last_accessed)",
  };

  private PostgresSchema() {}

  /**
   * Creates the tables if absent and registers {@code nodeUrl} if it is not yet, in one
   * transaction under the schema lock; returns the node's id.
   */
  static long createAndRegister(Connection connection, String nodeUrl) throws SQLException {
    boolean autoCommit = connection.getAutoCommit();
    connection.setAutoCommit(false);
    try {
      try (PreparedStatement lock = connection.prepareStatement("SELECT pg_advisory_xact_lock(?)")) {
        lock.setLong(1, SCHEMA_LOCK_KEY);
        lock.execute();
      }
      try (Statement ddl = connection.createStatement()) {
        for (String statement : DDL) {
          ddl.execute(statement);
        }
        PostgresFleetSchema.create(ddl);
      }
      long nodeId = registerNode(connection, nodeUrl);
      connection.commit();
      return nodeId;
    } catch (SQLException | RuntimeException e) {
      connection.rollback();
      throw e;
    } finally {
      connection.setAutoCommit(autoCommit);
    }
  }

  /** Inserts the node URL unless present (a restart, or two processes with one URL) and gets its id. */
  private static long registerNode(Connection connection, String nodeUrl) throws SQLException {
    try (PreparedStatement insert = connection.prepareStatement(
        "INSERT INTO node_reference (node_reference_url) VALUES (?)"
            + " ON CONFLICT (node_reference_url) DO NOTHING")) {
      insert.setString(1, nodeUrl);
      insert.executeUpdate();
    }
    try (PreparedStatement select = connection.prepareStatement(
        "SELECT node_reference_id FROM node_reference WHERE node_reference_url = ?")) {
      select.setString(1, nodeUrl);
      try (ResultSet row = select.executeQuery()) {
        if (!row.next()) {
          throw new SQLException("node " + nodeUrl + " is not in node_reference after registering it");
        }
        return row.getLong(1);
      }
    }
  }
}
