package io.imagecache.internal.store.postgres;

import io.imagecache.ImageId;
import io.imagecache.internal.store.JdbcTransaction;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The two tables of fleet-wide deletes, beside Glance's: {@code imagecache_events}, one row per
 * image deleted fleet-wide (numbered by {@code seq}, kept {@link #KEEP}), and
 * {@code imagecache_event_cursors}, the last {@code seq} each node has applied, so that a node
 * that was down replays what it missed. Statements only; the caller owns the connection.
 */
final class FleetEventTables {
  /** The {@code NOTIFY} channel; its payload is the new event's {@code seq}. */
  static final String CHANNEL = "imagecache_events";
  /** How long events are kept: a node down for longer misses the deletes of that time. */
  static final Duration KEEP = Duration.ofDays(7);
  /** Events read per round trip when catching up. */
  static final int BATCH = 1_000;
  /**
   * Key of the transaction-level advisory lock that publishers take before inserting, so that
   * events commit in {@code seq} order and a reader that saw {@code seq} n never later finds a
   * smaller one committed ("imagevnt" in ASCII).
   */
  private static final long PUBLISH_LOCK_KEY = 0x696d616765766e74L;

  private static final String[] DDL = {
    "CREATE TABLE IF NOT EXISTS imagecache_events ("
        + " seq BIGSERIAL PRIMARY KEY,"
        + " image_id VARCHAR(255) NOT NULL,"
        + " node_url VARCHAR(255) NOT NULL,"
        + " at TIMESTAMP NOT NULL DEFAULT (now() AT TIME ZONE 'UTC'))",
    "CREATE INDEX IF NOT EXISTS ix_imagecache_events_at ON imagecache_events (at)",
    "CREATE TABLE IF NOT EXISTS imagecache_event_cursors ("
        + " node_url VARCHAR(255) PRIMARY KEY,"
        + " seq BIGINT NOT NULL)",
  };

  /**
   * One event: {@code id} was deleted fleet-wide by {@code nodeUrl}; empty for a row someone else
   * wrote with an id we never accept (applied as nothing, so that it is not read forever).
   */
  record Event(long seq, Optional<ImageId> id, String nodeUrl) {}

  private FleetEventTables() {}

  /**
   * Creates the tables if absent (under the schema lock every node takes) and returns the last
   * {@code seq} node {@code nodeUrl} applied; a node seen for the first time starts at the newest
   * event, since it cannot hold images deleted before it existed.
   */
  static long createAndReadCursor(Connection connection, String nodeUrl) throws SQLException {
    return JdbcTransaction.run(connection, c -> {
      try (PreparedStatement lock = c.prepareStatement("SELECT pg_advisory_xact_lock(?)")) {
        lock.setLong(1, PostgresSchema.SCHEMA_LOCK_KEY);
        lock.execute();
      }
      try (Statement ddl = c.createStatement()) {
        for (String statement : DDL) {
          ddl.execute(statement);
        }
      }
      try (PreparedStatement insert = c.prepareStatement(
          "INSERT INTO imagecache_event_cursors (node_url, seq)"
              + " SELECT ?, COALESCE(MAX(seq), 0) FROM imagecache_events"
              + " ON CONFLICT (node_url) DO NOTHING")) {
        insert.setString(1, nodeUrl);
        insert.executeUpdate();
      }
      try (PreparedStatement select = c.prepareStatement(
          "SELECT seq FROM imagecache_event_cursors WHERE node_url = ?")) {
        select.setString(1, nodeUrl);
        try (ResultSet row = select.executeQuery()) {
          row.next();
          return row.getLong(1);
        }
      }
    });
  }

  /** Records that {@code nodeUrl} deleted {@code id} fleet-wide and notifies the listeners. */
  static long publish(Connection connection, ImageId id, String nodeUrl) throws SQLException {
    return JdbcTransaction.run(connection, c -> {
      try (PreparedStatement lock = c.prepareStatement("SELECT pg_advisory_xact_lock(?)")) {
        lock.setLong(1, PUBLISH_LOCK_KEY);
        lock.execute();
      }
      long seq;
      try (PreparedStatement insert = c.prepareStatement(
          "INSERT INTO imagecache_events (image_id, node_url) VALUES (?, ?) RETURNING seq")) {
        insert.setString(1, id.value());
        insert.setString(2, nodeUrl);
        try (ResultSet row = insert.executeQuery()) {
          row.next();
          seq = row.getLong(1);
        }
      }
      // Delivered at commit, to every session that LISTENs, in commit order.
      try (PreparedStatement notify = c.prepareStatement("SELECT pg_notify(?, ?)")) {
        notify.setString(1, CHANNEL);
        notify.setString(2, Long.toString(seq));
        notify.execute();
      }
      return seq;
    });
  }

  /** Up to {@link #BATCH} events after {@code seq}, oldest first. */
  static List<Event> after(Connection connection, long seq) throws SQLException {
    try (PreparedStatement select = connection.prepareStatement(
        "SELECT seq, image_id, node_url FROM imagecache_events WHERE seq > ?"
            + " ORDER BY seq LIMIT " + BATCH)) {
      select.setLong(1, seq);
      List<Event> events = new ArrayList<>();
      try (ResultSet rows = select.executeQuery()) {
        while (rows.next()) {
          String value = rows.getString(2);
          Optional<ImageId> id =
              ImageId.isValid(value) ? Optional.of(ImageId.of(value)) : Optional.empty();
          events.add(new Event(rows.getLong(1), id, rows.getString(3)));
        }
      }
      return events;
    }
  }

  /** Moves {@code nodeUrl}'s cursor to {@code seq}. */
  static void advance(Connection connection, String nodeUrl, long seq) throws SQLException {
    try (PreparedStatement update = connection.prepareStatement(
        "UPDATE imagecache_event_cursors SET seq = GREATEST(seq, ?) WHERE node_url = ?")) {
      update.setLong(1, seq);
      update.setString(2, nodeUrl);
      update.executeUpdate();
    }
  }

  /** Deletes events older than {@link #KEEP}; returns how many. */
  static int prune(Connection connection) throws SQLException {
    try (PreparedStatement delete = connection.prepareStatement(
        "DELETE FROM imagecache_events WHERE at < (now() AT TIME ZONE 'UTC') - ?::INTERVAL")) {
      delete.setString(1, KEEP.toSeconds() + " seconds");
      return delete.executeUpdate();
    }
  }
}
