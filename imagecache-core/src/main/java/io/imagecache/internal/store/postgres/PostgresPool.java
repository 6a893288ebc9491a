package io.imagecache.internal.store.postgres;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.imagecache.internal.Throwables;
import io.imagecache.internal.store.BadDriverConfigurationException;
import java.util.Optional;
import java.util.regex.Pattern;

/** Builds the small connection pool of a {@link PostgresIndex}. */
final class PostgresPool {
  /** Metadata calls are short and the driver batches hits: a few connections are plenty. */
  static final int MAX_CONNECTIONS = 4;

  private static final Pattern PASSWORD_PARAMETER =
      Pattern.compile("(?i)(password=)[^&;]*");
  /**
   * How long a caller waits for a connection: short, because a caller may hold the metadata lock
   * and a database that does not answer within it is treated as away (writes kept in memory).
   */
  private static final long CONNECTION_TIMEOUT_MILLIS = 1_000;
  private static final long VALIDATION_TIMEOUT_MILLIS = 500;

  private PostgresPool() {}

  /**
   * Opens the pool and its first connection.
   *
   * @throws BadDriverConfigurationException when the URL is not a PostgreSQL JDBC URL or the
   *     server cannot be reached or refuses the login; the message names the URL without password
   */
  static HikariDataSource open(String jdbcUrl, Optional<String> password)
      throws BadDriverConfigurationException {
    if (!jdbcUrl.startsWith("jdbc:postgresql:")) {
      throw new BadDriverConfigurationException("the postgres driver needs a database URL of the"
          + " form jdbc:postgresql://HOST:PORT/DATABASE, got \"" + redact(jdbcUrl) + "\"");
    }
    HikariConfig config = new HikariConfig();
    config.setPoolName("imagecache-postgres");
    config.setJdbcUrl(jdbcUrl);
    password.ifPresent(config::setPassword);
    config.setMaximumPoolSize(MAX_CONNECTIONS);
    config.setMinimumIdle(1);
    config.setConnectionTimeout(CONNECTION_TIMEOUT_MILLIS);
    config.setValidationTimeout(VALIDATION_TIMEOUT_MILLIS);
    config.addDataSourceProperty("ApplicationName", "imagecache");
    // pgjdbc's own bounds (seconds): a connect that hangs, a server that stops answering midway.
    config.addDataSourceProperty("connectTimeout", "1");
    config.addDataSourceProperty("loginTimeout", "2");
    config.addDataSourceProperty("socketTimeout", "5");
    config.addDataSourceProperty("tcpKeepAlive", "true");
    try {
      return new HikariDataSource(config);
    } catch (RuntimeException e) {
      throw new BadDriverConfigurationException(
          "cannot connect to PostgreSQL at " + redact(jdbcUrl) + ": " + rootMessage(e), e);
    }
  }

  /** The URL with the value of any {@code password=} parameter replaced by {@code ***}. */
  static String redact(String jdbcUrl) {
    return PASSWORD_PARAMETER.matcher(jdbcUrl).replaceAll("$1***");
  }

  private static String rootMessage(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return Throwables.describe(root);
  }
}
