package io.imagecache.internal.store.postgres;

import io.imagecache.ImageId;
import io.imagecache.internal.fleet.NodeState;
import io.imagecache.internal.fleet.PeerSource;
import io.imagecache.internal.store.JdbcTransaction;
import java.sql.Array;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Properties;
import java.util.Set;

/**
 * This node's one dedicated database session and everything the fleet says through it. The
 * session is the node's identity in the fleet: its row in {@code imagecache_nodes} and each of its
 * claims name the session (backend pid and start), so that they die when it does
 * ({@link PostgresFleetLiveness}). Every statement is bounded: the connection and login time out
 * after {@value #CONNECT_TIMEOUT_SECONDS} s, PostgreSQL cancels a statement after
 * {@value #STATEMENT_TIMEOUT_MILLIS} ms (a lock wait included), and a read of the socket gives up
 * after {@value #SOCKET_TIMEOUT_SECONDS} s when the server is unreachable.
 *
 * <p>Not thread-safe: a JDBC connection runs one statement at a time, and its one owner
 * ({@link PostgresFleet}) calls it under its lock. After any {@link SQLException} the owner closes
 * the session, so that a statement whose outcome is unknown can never leave a claim alive.
 */
final class PostgresFleetSession implements AutoCloseable {
  static final int CONNECT_TIMEOUT_SECONDS = 1;
  static final int STATEMENT_TIMEOUT_MILLIS = 800;
  static final int SOCKET_TIMEOUT_SECONDS = 1;
  /** A claimant silent for longer loses its claim to the next node that asks. */
  static final int CLAIM_LEASE_SECONDS = 10;

  private static final String IDENTITY =
      "SELECT pg_backend_pid(), backend_start FROM pg_stat_activity WHERE pid = pg_backend_pid()";
  private static final String REGISTER =
      "INSERT INTO imagecache_nodes"
          + " (node_url, started_at, heartbeat_at, dead_after_ms, backend_pid, backend_start)"
          + " VALUES (?, ?, now(), ?, ?, ?)"
          + " ON CONFLICT (node_url) DO UPDATE SET started_at = EXCLUDED.started_at,"
          + " heartbeat_at = EXCLUDED.heartbeat_at, dead_after_ms = EXCLUDED.dead_after_ms,"
          + " backend_pid = EXCLUDED.backend_pid, backend_start = EXCLUDED.backend_start";
  private static final String FORGET_CLAIMS = "DELETE FROM imagecache_claims WHERE node_url = ?";
  private static final String FORGET_FILLS = "DELETE FROM imagecache_fills WHERE node_url = ?";
  // The progress of this node's fills rides along with the heartbeat: one round trip a beat.
  private static final String HEARTBEAT =
      "WITH progress AS (UPDATE imagecache_fills f SET bytes = v.bytes, updated_at = now()"
          + " FROM unnest(?::VARCHAR[], ?::BIGINT[]) AS v (image_id, bytes)"
          + " WHERE f.node_url = ? AND f.image_id = v.image_id)"
          + " UPDATE imagecache_nodes SET heartbeat_at = now()"
          + " WHERE node_url = ? AND backend_pid = ? AND backend_start = ?";
  // Takes the claim unless a live claimant holds it: its session is still its node's registered
  // one, that node is alive and its last heartbeat is within the claim lease (issue 14: a claim of
  // a node that hangs with its connection open ends within 10 s, even when node-dead-after is
  // longer). A row of this very session can only be a release that did not
  // reach the database (the owner allows one open claim per image), so it is taken over too.
  private static final String CLAIM =
      "INSERT INTO imagecache_claims AS c"
          + " (image_id, node_url, backend_pid, backend_start, claimed_at)"
          + " VALUES (?, ?, ?, ?, now())"
          + " ON CONFLICT (image_id) DO UPDATE SET node_url = EXCLUDED.node_url,"
          + " backend_pid = EXCLUDED.backend_pid, backend_start = EXCLUDED.backend_start,"
          + " claimed_at = EXCLUDED.claimed_at"
          + " WHERE (c.backend_pid = EXCLUDED.backend_pid"
          + " AND c.backend_start = EXCLUDED.backend_start)"
          + " OR NOT EXISTS (SELECT 1 FROM imagecache_nodes n WHERE n.node_url = c.node_url"
          + " AND n.backend_pid = c.backend_pid AND n.backend_start = c.backend_start"
          + " AND n.heartbeat_at > now() - INTERVAL '" + CLAIM_LEASE_SECONDS + " seconds'"
          + " AND " + PostgresFleetLiveness.alive("n") + ")"
          + " RETURNING 1";
  private static final String RELEASE =
      "DELETE FROM imagecache_claims"
          + " WHERE image_id = ? AND node_url = ? AND backend_pid = ? AND backend_start = ?";
  private static final String ANNOUNCE =
      "INSERT INTO imagecache_fills (image_id, node_url, bytes, size, updated_at)"
          + " VALUES (?, ?, ?, ?, now())"
          + " ON CONFLICT (image_id, node_url) DO UPDATE SET bytes = EXCLUDED.bytes,"
          + " size = EXCLUDED.size, updated_at = EXCLUDED.updated_at";
  private static final String WITHDRAW =
      "DELETE FROM imagecache_fills WHERE image_id = ? AND node_url = ?";
  // Live nodes with a committed row for the image, and live nodes announcing a fill of it.
  private static final String LIVE_HOLDERS =
      " FROM cached_images ci"
          + " JOIN node_reference r ON r.node_reference_id = ci.node_reference_id"
          + " JOIN imagecache_nodes n ON n.node_url = r.node_reference_url"
          + " WHERE ci.image_id = ? AND " + PostgresFleetLiveness.alive("n");
  private static final String LIVE_FILLERS =
      " FROM imagecache_fills f JOIN imagecache_nodes n ON n.node_url = f.node_url"
          + " WHERE f.image_id = ? AND " + PostgresFleetLiveness.alive("n");
  // Holders first, in random order so that the fleet's readers spread over them; then fillers,
  // the furthest first.
  private static final String SOURCES =
      "SELECT node_url, complete, bytes FROM ("
          + "SELECT n.node_url, TRUE AS complete, ci.size AS bytes" + LIVE_HOLDERS
          + " AND n.node_url <> ?"
          + " UNION ALL SELECT n.node_url, FALSE, f.bytes" + LIVE_FILLERS + " AND n.node_url <> ?"
          + ") s ORDER BY complete DESC,"
          + " CASE WHEN complete THEN random() ELSE -bytes::FLOAT8 END, node_url";
  private static final String NODES =
      "SELECT node_url, cached, bytes, size, heartbeat_at FROM ("
          + "SELECT n.node_url, TRUE AS cached, ci.size AS bytes, ci.size AS size, n.heartbeat_at"
          + LIVE_HOLDERS
          + " UNION ALL SELECT n.node_url, FALSE, f.bytes, f.size, n.heartbeat_at" + LIVE_FILLERS
          + ") s ORDER BY node_url COLLATE \"C\", cached DESC";

  private final Connection connection;
  private final String nodeUrl;
  private final int backendPid;
  private final OffsetDateTime backendStart;

  private PostgresFleetSession(Connection connection, String nodeUrl, int backendPid,
      OffsetDateTime backendStart) {
    this.connection = connection;
    this.nodeUrl = nodeUrl;
    this.backendPid = backendPid;
    this.backendStart = backendStart;
  }

  /**
   * Opens a new session as {@code nodeUrl}, creating the tables if absent (and registering the URL
   * in Glance's {@code node_reference}); the node is not registered in the fleet before
   * {@link #register}.
   */
  static PostgresFleetSession connect(String jdbcUrl, Optional<String> password, String nodeUrl)
      throws SQLException {
    Properties properties = new Properties();
    password.ifPresent(value -> properties.setProperty("password", value));
    properties.setProperty("ApplicationName", "imagecache-fleet");
    properties.setProperty("connectTimeout", Integer.toString(CONNECT_TIMEOUT_SECONDS));
    properties.setProperty("loginTimeout", Integer.toString(CONNECT_TIMEOUT_SECONDS));
    properties.setProperty("socketTimeout", Integer.toString(SOCKET_TIMEOUT_SECONDS));
    properties.setProperty("tcpKeepAlive", "true");
    Connection connection = DriverManager.getConnection(jdbcUrl, properties);
    try {
      try (Statement statement = connection.createStatement()) {
        statement.execute("SET statement_timeout = " + STATEMENT_TIMEOUT_MILLIS);
      }
      PostgresSchema.createAndRegister(connection, nodeUrl);
      try (Statement statement = connection.createStatement();
          ResultSet row = statement.executeQuery(IDENTITY)) {
        if (!row.next()) {
          throw new SQLException("this session is missing from pg_stat_activity");
        }
        return new PostgresFleetSession(connection, nodeUrl, row.getInt(1),
            row.getObject(2, OffsetDateTime.class));
      }
    } catch (SQLException | RuntimeException e) {
      closeQuietly(connection, e);
      throw e;
    }
  }

  /** The backend pid of this session, as {@code pg_stat_activity} and the node's row show it. */
  int backendPid() {
    return backendPid;
  }

  /**
   * Registers this node on this session in one transaction: its row now names this session
   * (which ends the claims of any earlier session of the node), its leftover claims and fills are
   * dropped, and then {@code claims} are claimed again (when no live node took them meanwhile)
   * and {@code fills} announced again with their current bytes.
   */
  void register(Instant startedAt, Duration deadAfter, Set<ImageId> claims,
      Map<ImageId, FillProgress> fills) throws SQLException {
    JdbcTransaction.run(connection, c -> {
      try (PreparedStatement register = c.prepareStatement(REGISTER)) {
        register.setString(1, nodeUrl);
        register.setObject(2, startedAt.atOffset(ZoneOffset.UTC));
        register.setLong(3, deadAfter.toMillis());
        register.setInt(4, backendPid);
        register.setObject(5, backendStart);
        register.executeUpdate();
      }
      for (String forget : new String[] {FORGET_CLAIMS, FORGET_FILLS}) {
        try (PreparedStatement delete = c.prepareStatement(forget)) {
          delete.setString(1, nodeUrl);
          delete.executeUpdate();
        }
      }
      for (ImageId id : claims) {
        claim(id);
      }
      for (Map.Entry<ImageId, FillProgress> fill : fills.entrySet()) {
        announce(fill.getKey(), fill.getValue().bytes(), fill.getValue().size());
      }
      return null;
    });
  }

  /**
   * Writes this node's heartbeat and the bytes of the given fills (by image id); false when the
   * node's row no longer names this session (another process registered the same node URL, or
   * the row was deleted), so that the caller registers again.
   */
  boolean heartbeat(Map<ImageId, Long> progress) throws SQLException {
    String[] ids = new String[progress.size()];
    Long[] bytes = new Long[progress.size()];
    int i = 0;
    for (Map.Entry<ImageId, Long> entry : progress.entrySet()) {
      ids[i] = entry.getKey().value();
      bytes[i] = entry.getValue();
      i++;
    }
    Array idArray = connection.createArrayOf("varchar", ids);
    Array bytesArray = connection.createArrayOf("int8", bytes);
    try (PreparedStatement beat = connection.prepareStatement(HEARTBEAT)) {
      beat.setArray(1, idArray);
      beat.setArray(2, bytesArray);
      beat.setString(3, nodeUrl);
      beat.setString(4, nodeUrl);
      beat.setInt(5, backendPid);
      beat.setObject(6, backendStart);
      return beat.executeUpdate() == 1;
    } finally {
      idArray.free();
      bytesArray.free();
    }
  }

  /** Claims {@code id} for this session; false when a live node holds the claim. */
  boolean claim(ImageId id) throws SQLException {
    try (PreparedStatement claim = connection.prepareStatement(CLAIM)) {
      claim.setString(1, id.value());
      claim.setString(2, nodeUrl);
      claim.setInt(3, backendPid);
      claim.setObject(4, backendStart);
      try (ResultSet won = claim.executeQuery()) {
        return won.next();
      }
    }
  }

  /** Deletes this session's claim of {@code id}, if it has one. */
  void release(ImageId id) throws SQLException {
    try (PreparedStatement release = connection.prepareStatement(RELEASE)) {
      release.setString(1, id.value());
      release.setString(2, nodeUrl);
      release.setInt(3, backendPid);
      release.setObject(4, backendStart);
      release.executeUpdate();
    }
  }

  /** Records that this node fills {@code id}, {@code bytes} so far. */
  void announce(ImageId id, long bytes, OptionalLong size) throws SQLException {
    try (PreparedStatement announce = connection.prepareStatement(ANNOUNCE)) {
      announce.setString(1, id.value());
      announce.setString(2, nodeUrl);
      announce.setLong(3, bytes);
      if (size.isPresent()) {
        announce.setLong(4, size.getAsLong());
      } else {
        announce.setNull(4, java.sql.Types.BIGINT);
      }
      announce.executeUpdate();
    }
  }

  /** Deletes this node's announcement of {@code id}, if there is one. */
  void withdraw(ImageId id) throws SQLException {
    try (PreparedStatement withdraw = connection.prepareStatement(WITHDRAW)) {
      withdraw.setString(1, id.value());
      withdraw.setString(2, nodeUrl);
      withdraw.executeUpdate();
    }
  }

  /** Live nodes but this one that hold or fill {@code id}: holders, then the furthest fillers. */
  List<PeerSource> sources(ImageId id) throws SQLException {
    try (PreparedStatement sources = connection.prepareStatement(SOURCES)) {
      sources.setString(1, id.value());
      sources.setString(2, nodeUrl);
      sources.setString(3, id.value());
      sources.setString(4, nodeUrl);
      Map<String, PeerSource> byNode = new LinkedHashMap<>();
      try (ResultSet rows = sources.executeQuery()) {
        while (rows.next()) {
          // A node that both holds and fills the image is listed once, as a holder.
          byNode.putIfAbsent(rows.getString(1),
              new PeerSource(rows.getString(1), rows.getBoolean(2), rows.getLong(3)));
        }
      }
      return List.copyOf(byNode.values());
    }
  }

  /** Every live node's state for {@code id}, this one included, by node URL. */
  List<NodeState> nodes(ImageId id) throws SQLException {
    try (PreparedStatement nodes = connection.prepareStatement(NODES)) {
      nodes.setString(1, id.value());
      nodes.setString(2, id.value());
      Map<String, NodeState> byNode = new LinkedHashMap<>();
      try (ResultSet rows = nodes.executeQuery()) {
        while (rows.next()) {
          long size = rows.getLong(4);
          OptionalLong knownSize = rows.wasNull() ? OptionalLong.empty() : OptionalLong.of(size);
          byNode.putIfAbsent(rows.getString(1), new NodeState(rows.getString(1),
              rows.getBoolean(2), rows.getLong(3), knownSize,
              rows.getObject(5, OffsetDateTime.class).toInstant()));
        }
      }
      return new ArrayList<>(byNode.values());
    }
  }

  /**
   * Deletes this session's claims and this node's fills and marks the node dead at once (its
   * session ends a moment after the connection closes): a clean stop.
   */
  void retire() throws SQLException {
    JdbcTransaction.run(connection, c -> {
      try (PreparedStatement dead = c.prepareStatement("UPDATE imagecache_nodes"
          + " SET heartbeat_at = 'epoch' WHERE node_url = ? AND backend_pid = ?")) {
        dead.setString(1, nodeUrl);
        dead.setInt(2, backendPid);
        dead.executeUpdate();
      }
      try (PreparedStatement claims = c.prepareStatement(
          "DELETE FROM imagecache_claims WHERE node_url = ? AND backend_pid = ?")) {
        claims.setString(1, nodeUrl);
        claims.setInt(2, backendPid);
        claims.executeUpdate();
      }
      try (PreparedStatement fills = c.prepareStatement(FORGET_FILLS)) {
        fills.setString(1, nodeUrl);
        fills.executeUpdate();
      }
      return null;
    });
  }

  /** Ends the session; PostgreSQL drops whatever it still held. */
  @Override
  public void close() {
    try {
      connection.close();
    } catch (SQLException e) {
      // The session is gone either way: the server ends it when the socket closes.
    }
  }

  private static void closeQuietly(Connection connection, Exception failure) {
    try {
      connection.close();
    } catch (SQLException e) {
      failure.addSuppressed(e);
    }
  }

  /** A fill's bytes so far and its size when known, as re-announced at registration. */
  record FillProgress(long bytes, OptionalLong size) {}
}
