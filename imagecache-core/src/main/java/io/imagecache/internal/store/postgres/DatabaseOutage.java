package io.imagecache.internal.store.postgres;

import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLTransientConnectionException;
import java.time.Clock;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether the database of a {@link PostgresIndex} is away, and the wait for its return: the first
 * failure that says the database cannot be reached ({@link #isOutage}) makes it away and starts a
 * daemon thread ({@code imagecache-postgres-return}) that asks {@link Return#tryReturn} every
 * second until it reports the database back. One log line when it goes, one when it returns.
 * Thread-safe: the state is volatile, transitions are made under this object's monitor.
 */
final class DatabaseOutage {
  private static final Logger log = LoggerFactory.getLogger(DatabaseOutage.class);
  static final long RETRY_MILLIS = 1_000;

  /** What the waiting thread tries: true once the database is back and caught up. */
  @FunctionalInterface
  interface Return {
    boolean tryReturn() throws SQLException;
  }

  private final String database;
  private final Clock clock;
  private final Return onReturn;
  private final CountDownLatch closing = new CountDownLatch(1);
  private volatile Optional<Instant> awaySince = Optional.empty();
  /** The waiting thread of the current outage; guarded by this. */
  private Thread waiter;

  DatabaseOutage(String database, Clock clock, Return onReturn) {
    this.database = Objects.requireNonNull(database, "database");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.onReturn = Objects.requireNonNull(onReturn, "onReturn");
  }

  /**
   * Whether {@code e} says the database cannot be reached (no connection within the timeout, a
   * connection lost, the server shutting down or starting) rather than that a statement failed.
   */
  static boolean isOutage(SQLException e) {
    for (Throwable cause = e; cause != null; cause = cause.getCause()) {
      if (cause instanceof SQLTransientConnectionException
          || cause instanceof SQLNonTransientConnectionException) {
        return true;
      }
      if (cause instanceof SQLException sql && sql.getSQLState() != null
          && (sql.getSQLState().startsWith("08") || sql.getSQLState().startsWith("57P"))) {
        return true;
      }
      if (cause.getCause() == cause) {
        break;
      }
    }
    return false;
  }

  boolean isAway() {
    return awaySince.isPresent();
  }

  /** Since when the database is away; empty while it answers. */
  Optional<Instant> awaySince() {
    return awaySince;
  }

  /** The database did not answer ({@code cause}): away from now on, until it is back. */
  synchronized void wentAway(SQLException cause) {
    if (isAway() || closing.getCount() == 0) {
      return;
    }
    awaySince = Optional.of(clock.instant());
    log.warn("PostgreSQL at {} does not answer: hits are served from disk, misses filled from"
        + " the origin, index writes kept in memory until it returns ({})", database,
        cause.getMessage());
    waiter = new Thread(this::awaitReturn, "imagecache-postgres-return");
    waiter.setDaemon(true);
    waiter.start();
  }

  /**
   * The database answers again and everything kept has been written: call under the monitor that
   * guards the kept writes, so that no write is kept after the last batch was taken.
   */
  void returned(int written) {
    Optional<Instant> since = awaySince;
    awaySince = Optional.empty();
    log.info("PostgreSQL at {} answers again after {} s: node re-registered, {} kept index"
        + " writes written", database,
        since.map(s -> clock.instant().getEpochSecond() - s.getEpochSecond()).orElse(0L),
        written);
  }

  /** Stops waiting for the database. */
  void close() {
    closing.countDown();
    Thread current;
    synchronized (this) {
      current = waiter;
    }
    if (current != null) {
      try {
        current.join(TimeUnit.SECONDS.toMillis(5));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private void awaitReturn() {
    while (isAway()) {
      try {
        if (closing.await(RETRY_MILLIS, TimeUnit.MILLISECONDS)) {
          return;
        }
        onReturn.tryReturn();
      } catch (SQLException | RuntimeException e) {
        log.debug("PostgreSQL at {} still does not answer: {}", database, e.toString());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }
}
