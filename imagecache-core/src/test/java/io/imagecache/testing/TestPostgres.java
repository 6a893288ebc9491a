package io.imagecache.testing;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real embedded PostgreSQL server for tests: a fresh schema per test on one server, and, for
 * outage tests, {@link #stop} and {@link #restart} over the same data directory and port. As a
 * static {@code @RegisterExtension} field ({@link #perClass}) it runs for its test class.
 */
public final class TestPostgres implements AutoCloseable, BeforeAllCallback, AfterAllCallback {
  private static final AtomicInteger SCHEMAS = new AtomicInteger();

  private final EmbeddedPostgres.Builder builder;
  private EmbeddedPostgres server;
  private int port;

  private TestPostgres(EmbeddedPostgres.Builder builder) {
    this.builder = builder;
  }

  /** A server on a new data directory and a free port, dropped when it closes. */
  public static TestPostgres start() throws IOException {
    TestPostgres postgres = new TestPostgres(EmbeddedPostgres.builder());
    postgres.restart();
    return postgres;
  }

  /** A server started before the class's tests and stopped after them, when registered. */
  public static TestPostgres perClass() {
    return new TestPostgres(EmbeddedPostgres.builder());
  }

  /** A server over {@code dataDir} on a free port it keeps, so that it can stop and start. */
  public static TestPostgres startOn(Path dataDir) throws IOException {
    TestPostgres postgres = new TestPostgres(EmbeddedPostgres.builder()
        .setDataDirectory(dataDir)
        .setCleanDataDirectory(false)
        .setPort(FreePort.onLoopback()));
    postgres.restart();
    return postgres;
  }

  /** Starts the server (again after {@link #stop}: from {@link #startOn}, same data and URL). */
  public void restart() throws IOException {
    server = builder.start();
    port = server.getPort();
  }

  /** Stops the server (an outage); {@link #restart} brings it back. */
  public void stop() throws IOException {
    if (server != null) {
      server.close();
      server = null;
    }
  }

  /** The JDBC URL of database {@code postgres} as user {@code postgres}. */
  public String jdbcUrl() {
    return jdbcUrl("postgres");
  }

  /** The JDBC URL of {@code database} as user {@code postgres}. */
  public String jdbcUrl(String database) {
    return "jdbc:postgresql://localhost:" + port + "/" + database + "?user=postgres";
  }

  /** A new schema named {@code prefix} and a number, and the JDBC URL that uses it. */
  public String freshSchema(String prefix) throws SQLException {
    String name = prefix + SCHEMAS.incrementAndGet();
    sql("CREATE SCHEMA " + name);
    return jdbcUrl() + "&currentSchema=" + name;
  }

  /** Runs {@code statement} in database {@code postgres}. */
  public void sql(String statement) throws SQLException {
    try (Connection connection = connection();
        Statement sql = connection.createStatement()) {
      sql.execute(statement);
    }
  }

  /** A new connection to database {@code postgres} as user {@code postgres}. */
  public Connection connection() throws SQLException {
    return server.getPostgresDatabase().getConnection();
  }

  @Override
  public void close() throws IOException {
    stop();
  }

  @Override
  public void beforeAll(ExtensionContext context) throws IOException {
    restart();
  }

  @Override
  public void afterAll(ExtensionContext context) throws IOException {
    close();
  }
}
