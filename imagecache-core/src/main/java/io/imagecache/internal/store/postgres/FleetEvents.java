package io.imagecache.internal.store.postgres;

import io.imagecache.CacheStoreException;
import io.imagecache.ImageId;
import io.imagecache.internal.store.postgres.FleetEventTables.Event;
import java.io.Closeable;
import java.io.IOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fleet-wide deletes over PostgreSQL: {@link #publish} records that an image was deleted (a row
 * in {@code imagecache_events} and a {@code NOTIFY}, see {@link FleetEventTables}); every node
 * {@code LISTEN}s on a connection of its own and deletes the image here within about a second.
 * A node replays the events after the last one it applied when it starts and whenever it gets
 * its connection back, so a node that was down or cut off catches up. Events of this node
 * ({@code node_url} = its URL) are not applied again.
 *
 * <p>Threads: one daemon thread ({@code imagecache-fleet-events}) owns the listening connection
 * and the cursor; {@link #publish} uses a short-lived connection of its own. While the database
 * is away the thread retries every second (the index logs the outage; this logs at debug).
 */
public final class FleetEvents implements Closeable {
  private static final Logger log = LoggerFactory.getLogger(FleetEvents.class);
  /** How long one wait for notifications lasts: also how long {@link #close} may wait. */
  private static final int POLL_MILLIS = 250;
  private static final long RETRY_MILLIS = 1_000;
  private static final long PRUNE_EVERY_NANOS = TimeUnit.HOURS.toNanos(1);
  /** Batches applied by one catch-up at most; the rest follows at the next notification. */
  private static final int MAX_BATCHES = 100;

  /** Deletes an image from this node only (cache, fill and queue). */
  @FunctionalInterface
  public interface LocalDelete {
    void delete(ImageId id) throws IOException;
  }

  private final String jdbcUrl;
  private final Optional<String> password;
  private final String nodeUrl;
  private final LocalDelete deleteHere;
  private final CountDownLatch closing = new CountDownLatch(1);
  private final Thread listener;

  // Owned by the listener thread (by start() before the thread runs).
  private Connection connection;
  /** The last event applied here, as the database last said or was told. */
  private long cursor;
  private long nextPrune = System.nanoTime();
  private boolean away;

  private FleetEvents(String jdbcUrl, Optional<String> password, String nodeUrl,
      LocalDelete deleteHere) {
    this.jdbcUrl = Objects.requireNonNull(jdbcUrl, "jdbcUrl");
    this.password = Objects.requireNonNull(password, "password");
    this.nodeUrl = Objects.requireNonNull(nodeUrl, "nodeUrl");
    this.deleteHere = Objects.requireNonNull(deleteHere, "deleteHere");
    this.listener = new Thread(this::listen, "imagecache-fleet-events");
    this.listener.setDaemon(true);
  }

  /**
   * Connects, creates the tables if absent, replays the events node {@code nodeUrl} missed
   * (calling {@code deleteHere} for each, on this thread) and starts listening. When the database
   * does not answer now, all of that happens in the background once it does.
   */
  public static FleetEvents start(String jdbcUrl, Optional<String> password, String nodeUrl,
      LocalDelete deleteHere) {
    FleetEvents events = new FleetEvents(jdbcUrl, password, nodeUrl, deleteHere);
    try {
      events.connectAndCatchUp();
    } catch (SQLException e) {
      events.lost(e);
    }
    events.listener.start();
    return events;
  }

  /**
   * Records that {@code id} was deleted fleet-wide; every other node listening deletes it within
   * about a second, the others when they next start or reconnect.
   *
   * @throws CacheStoreException when the database does not answer (the other nodes keep it)
   */
  public void publish(ImageId id) throws CacheStoreException {
    try (Connection publisher = connect()) {
      long seq = FleetEventTables.publish(publisher, id, nodeUrl);
      log.info("deleted {} fleet-wide (event {})", id, seq);
    } catch (SQLException e) {
      throw new CacheStoreException("cannot record the fleet-wide delete of " + id
          + " in PostgreSQL at " + PostgresPool.redact(jdbcUrl) + " (deleted on this node only): "
          + e.getMessage(), e);
    }
  }

  /** Stops listening; waits for the listener thread for a few seconds at most. */
  @Override
  public void close() {
    closing.countDown();
    try {
      listener.join(TimeUnit.SECONDS.toMillis(5));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  // ---- the listener thread ------------------------------------------------------------------

  private void listen() {
    while (closing.getCount() > 0) {
      try {
        if (connection == null) {
          connectAndCatchUp();
        }
        PGNotification[] notifications =
            connection.unwrap(PGConnection.class).getNotifications(POLL_MILLIS);
        if (notifications != null && notifications.length > 0) {
          catchUp();
        }
        pruneWhenDue();
      } catch (SQLException e) {
        lost(e);
        awaitClosing(RETRY_MILLIS);
      }
    }
    closeConnection();
  }

  /** LISTEN first, then read: an event committed in between is both read and notified. */
  private void connectAndCatchUp() throws SQLException {
    connection = connect();
    try (Statement listen = connection.createStatement()) {
      listen.execute("LISTEN " + FleetEventTables.CHANNEL);
    }
    // The database's word, even when this node had got further: a database restored empty or
    // from a backup numbers its events anew, and applying a delete twice is harmless.
    cursor = FleetEventTables.createAndReadCursor(connection, nodeUrl);
    catchUp();
    if (away) {
      away = false;
      // The index logs the outage once (DatabaseOutage); this is only its detail.
      log.debug("fleet events: PostgreSQL at {} answers again; caught up to event {}",
          PostgresPool.redact(jdbcUrl), cursor);
    }
  }

  private void catchUp() throws SQLException {
    for (int batch = 0; batch < MAX_BATCHES; batch++) {
      List<Event> events = FleetEventTables.after(connection, cursor);
      if (events.isEmpty()) {
        return;
      }
      for (Event event : events) {
        apply(event);
        cursor = event.seq();
      }
      FleetEventTables.advance(connection, nodeUrl, cursor);
      if (events.size() < FleetEventTables.BATCH) {
        return;
      }
    }
  }

  private void apply(Event event) {
    if (event.id().isEmpty() || event.nodeUrl().equals(nodeUrl)) {
      return;
    }
    ImageId id = event.id().get();
    try {
      deleteHere.delete(id);
      log.info("deleted {} on this node: {} deleted it fleet-wide (event {})", id,
          event.nodeUrl(), event.seq());
    } catch (IOException | RuntimeException e) {
      log.warn("cannot delete {} on this node, which {} deleted fleet-wide (event {}): {}", id,
          event.nodeUrl(), event.seq(), e.toString());
    }
  }

  private void pruneWhenDue() throws SQLException {
    long now = System.nanoTime();
    if (now - nextPrune < 0) {
      return;
    }
    nextPrune = now + PRUNE_EVERY_NANOS;
    int pruned = FleetEventTables.prune(connection);
    if (pruned > 0) {
      log.info("pruned {} fleet delete events older than {}", pruned, FleetEventTables.KEEP);
    }
  }

  /** Logs the first failure of a run of them, and drops the connection to open a new one. */
  private void lost(SQLException e) {
    closeConnection();
    if (!away) {
      away = true;
      log.debug("fleet events: PostgreSQL at {} does not answer; fleet-wide deletes reach this"
          + " node once it does: {}", PostgresPool.redact(jdbcUrl), e.getMessage());
    }
  }

  private void closeConnection() {
    if (connection == null) {
      return;
    }
    try {
      connection.close();
    } catch (SQLException e) {
      log.debug("closing the fleet events connection failed: {}", e.toString());
    }
    connection = null;
  }

  private void awaitClosing(long millis) {
    try {
      closing.await(millis, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      closing.countDown();
    }
  }

  /** A connection of its own (not pooled) that gives up within a few seconds. */
  private Connection connect() throws SQLException {
    Properties properties = new Properties();
    password.ifPresent(value -> properties.setProperty("password", value));
    properties.setProperty("connectTimeout", "1");
    properties.setProperty("loginTimeout", "2");
    properties.setProperty("socketTimeout", "10");
    properties.setProperty("tcpKeepAlive", "true");
    properties.setProperty("ApplicationName", "imagecache-events");
    return DriverManager.getConnection(jdbcUrl, properties);
  }
}
