package io.imagecache.internal.store;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * One JDBC transaction whose failure reports its first cause. A store that hits a full disk
 * (SQLite's {@code SQLITE_FULL}) may roll the transaction back by itself; the rollback and the
 * return to autocommit that follow then fail too ("no transaction is active"). Those secondary
 * failures are added to the first one as suppressed, never thrown in its place.
 */
public final class JdbcTransaction {
  private JdbcTransaction() {}

  /** Statements run in the transaction. */
  @FunctionalInterface
  public interface Work<T> {
    T run(Connection connection) throws SQLException;
  }

  /**
   * Runs {@code work} on {@code connection} with autocommit off: committed when it returns,
   * rolled back when it or the commit throws; autocommit is on again afterwards in both cases
   * (as far as the driver can tell). The connection must be in autocommit mode and used by no
   * one else meanwhile.
   */
  public static <T> T run(Connection connection, Work<T> work) throws SQLException {
    connection.setAutoCommit(false);
    T result;
    try {
      result = work.run(connection);
      connection.commit();
    } catch (SQLException | RuntimeException e) {
      try {
        connection.rollback();
      } catch (SQLException rollbackFailure) {
        e.addSuppressed(rollbackFailure);
      }
      try {
        connection.setAutoCommit(true);
      } catch (SQLException autoCommitFailure) {
        e.addSuppressed(autoCommitFailure);
      }
      throw e;
    }
    connection.setAutoCommit(true);
    return result;
  }
}
