package io.imagecache.internal.store.postgres;

import com.zaxxer.hikari.HikariDataSource;
import io.imagecache.CacheStoreException;
import io.imagecache.CachedImage;
import io.imagecache.ImageId;
import io.imagecache.internal.store.BadDriverConfigurationException;
import io.imagecache.internal.store.ImageIndex;
import io.imagecache.internal.store.JdbcTransaction;
import io.imagecache.internal.store.StoreUnavailableException;
import io.imagecache.internal.store.postgres.OfflineWrites.Kind;
import io.imagecache.internal.store.postgres.OfflineWrites.Pending;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Glance's {@code centralized_db} driver: the metadata of every node of a fleet in one PostgreSQL
 * database ({@link PostgresSchema}), each node's rows tagged with its node URL. Files stay on each
 * node's disk; every operation here but {@link #nodes} sees only this node's rows.
 *
 * <p>Differences from Glance: a missing node URL fails {@link #open()} instead of every later
 * commit; a commit replaces this node's row (hits back to 0) instead of logging a duplicate;
 * {@link #leastRecentlyAccessed()} is empty when this node has no rows (Glance's {@code (None, 0)}
 * made prune spin forever); timestamps are UTC whatever the host's time zone.
 */
public final class PostgresIndex implements ImageIndex {
  private static final Logger log = LoggerFactory.getLogger(PostgresIndex.class);

  private static final String COLUMNS =
      "image_id, size, hits, last_accessed, last_modified, checksum";
  static final String UPSERT =
      "INSERT INTO cached_images"
          + " (image_id, last_accessed, last_modified, size, hits, checksum, node_reference_id)"
          + " VALUES (?, ?, ?, ?, 0, ?, ?)"
          + " ON CONFLICT (image_id, node_reference_id) DO UPDATE SET"
          + " last_accessed = EXCLUDED.last_accessed, last_modified = EXCLUDED.last_modified,"
          + " size = EXCLUDED.size, hits = 0, checksum = EXCLUDED.checksum";
  static final String ADOPT =
      "INSERT INTO cached_images"
          + " (image_id, last_accessed, last_modified, size, hits, checksum, node_reference_id)"
          + " VALUES (?, ?, ?, ?, 0, NULL, ?)"
          + " ON CONFLICT (image_id, node_reference_id) DO NOTHING";
  static final String DELETE_ONE =
      "DELETE FROM cached_images WHERE image_id = ? AND node_reference_id = ?";
  static final String DELETE_ALL =
      "DELETE FROM cached_images WHERE node_reference_id = ?";
  private static final String SELECT_ONE =
      "SELECT " + COLUMNS + " FROM cached_images WHERE image_id = ? AND node_reference_id = ?";
  // COLLATE "C" orders by code point, as ImageId.compareTo does, whatever the database's collation.
  private static final String SELECT_ALL =
      "SELECT " + COLUMNS + " FROM cached_images WHERE node_reference_id = ?"
          + " ORDER BY image_id COLLATE \"C\"";
  private static final String SELECT_IDS =
      "SELECT image_id FROM cached_images WHERE node_reference_id = ?";
  private static final String SELECT_LRU =
      "SELECT image_id FROM cached_images WHERE node_reference_id = ?"
          + " AND image_id ~ '^[A-Za-z0-9._-]+$'"
          + " ORDER BY last_accessed, image_id COLLATE \"C\" LIMIT 1";
  // hits is Glance's INT: the sum saturates instead of failing the whole flush.
  static final String RECORD_ACCESS =
      "UPDATE cached_images SET hits = LEAST(hits::BIGINT + ?, 2147483647)::INT, last_accessed = ?"
          + " WHERE image_id = ? AND node_reference_id = ?";
  // A node that never joined a fleet (a Glance node, or ours without a fleet) has no
  // imagecache_nodes row and is listed as before; a fleet node only while it is alive.
  private static final String SELECT_NODES =
      "SELECT n.node_reference_url FROM node_reference n"
          + " JOIN cached_images c ON c.node_reference_id = n.node_reference_id"
          + " LEFT JOIN imagecache_nodes f ON f.node_url = n.node_reference_url"
          + " WHERE c.image_id = ? AND (f.node_url IS NULL OR " + PostgresFleetLiveness.alive("f")
          + ") ORDER BY n.node_reference_url COLLATE \"C\"";

  /** Rows fetched per round trip by id-only reads, so that 100 000 rows stream. */
  private static final int FETCH_SIZE = 10_000;

  private final String jdbcUrl;
  private final Optional<String> password;
  private final String nodeUrl;
  private final Path dir;

  /** Set once by {@link #open()}, closed by {@link #close()}; volatile for the callers' threads. */
  private volatile HikariDataSource pool;

  /**
   * This node's {@code node_reference_id}; set by {@link #open()} before {@link #pool}, and again
   * when the node registers after an outage.
   */
  private volatile long nodeId;

  /** Whether the database is away; see {@link #keptWhileAway}. */
  private final DatabaseOutage outage;

  /**
   * Index writes made while the database is away, written when it returns. Guarded by its own
   * monitor, under which {@link #outage} also changes from away to back.
   */
  private final OfflineWrites offline = new OfflineWrites();

  /**
   * An index of the node {@code nodeUrl} (Glance's {@code worker_self_reference_url}, e.g.
   * {@code http://node-1:9292}) in the database at {@code jdbcUrl}, which carries the credentials
   * ({@code ?user=…&password=…}) when the server needs any. {@code dir} is the cache directory
   * whose files this node's rows describe; it is named in messages. Nothing is contacted before
   * {@link #open()}.
   */
  public PostgresIndex(String jdbcUrl, String nodeUrl, Path dir) {
    this(jdbcUrl, Optional.empty(), nodeUrl, dir);
  }

  /** As {@link #PostgresIndex(String, String, Path)}, with the password apart from the URL. */
  public PostgresIndex(String jdbcUrl, Optional<String> password, String nodeUrl, Path dir) {
    this.password = Objects.requireNonNull(password, "password");
    this.jdbcUrl = Objects.requireNonNullElse(jdbcUrl, "").trim();
    this.nodeUrl = Objects.requireNonNullElse(nodeUrl, "").trim();
    this.dir = Objects.requireNonNull(dir, "dir");
    this.outage = new DatabaseOutage(PostgresPool.redact(this.jdbcUrl), Clock.systemUTC(),
        this::writeKept);
  }

  /**
   * Connects, creates the tables if absent and registers this node.
   *
   * @throws BadDriverConfigurationException when the node URL is missing or too long, the database
   *     URL is missing or not PostgreSQL's, or the database cannot be reached or written
   */
  @Override
  public void open() throws BadDriverConfigurationException {
    if (pool != null) {
      throw new IllegalStateException("the postgres index is open already");
    }
    if (nodeUrl.isEmpty()) {
      throw new BadDriverConfigurationException("the postgres driver needs this node's URL"
          + " (--node-url, Glance's worker_self_reference_url), for example http://node-1:9292:"
          + " it tells the nodes sharing the database apart and is what other nodes fetch from");
    }
    if (nodeUrl.length() > 255) {
      throw new BadDriverConfigurationException(
          "the node URL must be at most 255 characters, got " + nodeUrl.length());
    }
    if (jdbcUrl.isEmpty()) {
      throw new BadDriverConfigurationException("the postgres driver needs a database URL"
          + " (--db-url), for example jdbc:postgresql://db-host:5432/imagecache");
    }
    HikariDataSource opened = PostgresPool.open(jdbcUrl, password);
    try (Connection connection = opened.getConnection()) {
      nodeId = PostgresSchema.createAndRegister(connection, nodeUrl);
    } catch (SQLException e) {
      opened.close();
      throw new BadDriverConfigurationException("cannot create the cache tables or register node "
          + nodeUrl + " in " + PostgresPool.redact(jdbcUrl) + ": " + e.getMessage(), e);
    }
    pool = opened;
    log.info("node {} (cache directory {}) registered as node_reference_id {} in {}",
        nodeUrl, dir, nodeId, PostgresPool.redact(jdbcUrl));
  }

  /** While the database is away, kept in memory and written when it returns. */
  @Override
  public void put(ImageId id, Path file, long size, Instant now, Optional<String> checksum)
      throws IOException {
    CachedImage row = new CachedImage(id, size, 0, now, now, checksum);
    update("record the commit of " + id, UPSERT,
        statement -> CachedImageWrites.bindPut(statement, row, nodeId),
        kept -> kept.keep(id, new Pending(Kind.PUT, Optional.of(row), Optional.empty())));
  }

  /** Adopted files start with 0 hits: a Glance centralized_db cache keeps none on the files. */
  @Override
  public void adopt(ImageId id, Path file, long size, Instant modified) throws IOException {
    CachedImage row = new CachedImage(id, size, 0, modified, modified, Optional.empty());
    update("adopt " + id, ADOPT,
        statement -> CachedImageWrites.bindAdopt(statement, row, nodeId),
        kept -> kept.keep(id, new Pending(Kind.ADOPT, Optional.of(row), Optional.empty())));
  }

  /** One transaction for the whole list; rows that exist stay as they are. */
  @Override
  public void adoptAll(List<Adoption> files) throws IOException {
    if (files.isEmpty()) {
      return;
    }
    List<CachedImage> rows = files.stream().map(file -> new CachedImage(file.id(), file.size(), 0,
        file.modified(), file.modified(), Optional.empty())).toList();
    inTransaction("adopt " + files.size() + " images", (connection, node) -> {
      try (PreparedStatement statement = connection.prepareStatement(ADOPT)) {
        for (CachedImage row : rows) {
          CachedImageWrites.bindAdopt(statement, row, node);
          statement.addBatch();
        }
        statement.executeBatch();
      }
    }, kept -> {
      for (CachedImage row : rows) {
        if (!kept.keep(row.imageId(),
            new Pending(Kind.ADOPT, Optional.of(row), Optional.empty()))) {
          return false;
        }
      }
      return true;
    });
  }

  @Override
  public void remove(ImageId id) throws IOException {
    update("remove " + id, DELETE_ONE, statement -> {
      statement.setString(1, id.value());
      statement.setLong(2, nodeId);
    }, kept -> kept.keep(id, new Pending(Kind.REMOVE, Optional.empty(), Optional.empty())));
  }

  @Override
  public void removeAll() throws IOException {
    update("remove every image of node " + nodeUrl, DELETE_ALL,
        statement -> statement.setLong(1, nodeId), kept -> {
          kept.keepRemoveAll();
          return true;
        });
  }

  /**
   * While the database is away: the row as the kept writes leave it where they decide it (a
   * commit, an adoption, a removal), else {@link StoreUnavailableException}.
   */
  @Override
  public Optional<CachedImage> get(ImageId id) throws IOException {
    Optional<Optional<CachedImage>> kept = keptImage(id);
    if (kept.isPresent()) {
      return kept.get();
    }
    try {
      List<CachedImage> rows = query("read " + id, SELECT_ONE, statement -> {
        statement.setString(1, id.value());
        statement.setLong(2, nodeId);
      });
      return rows.stream().findFirst();
    } catch (CacheStoreException e) {
      kept = keptImage(id);
      if (kept.isPresent()) {
        return kept.get();
      }
      throw e;
    }
  }

  /** While the database is away, what the kept writes say of {@code id}, or the outage. */
  private Optional<Optional<CachedImage>> keptImage(ImageId id) throws StoreUnavailableException {
    synchronized (offline) {
      if (!outage.isAway()) {
        return Optional.empty();
      }
      Optional<Optional<CachedImage>> decided = offline.image(id);
      if (decided.isEmpty()) {
        throw unavailable("read " + id);
      }
      return decided;
    }
  }

  @Override
  public List<CachedImage> list() throws IOException {
    requireAnswering("list the images of node " + nodeUrl);
    return query("list the images of node " + nodeUrl, SELECT_ALL,
        statement -> statement.setLong(1, nodeId));
  }

  /** One id-only query over this node's rows; invalid ids are skipped, as by {@link #list()}. */
  @Override
  public Set<ImageId> ids() throws IOException {
    requireAnswering("list the image ids of node " + nodeUrl);
    Opened active = active();
    try (Connection connection = active.pool.getConnection();
        PreparedStatement statement = connection.prepareStatement(SELECT_IDS)) {
      statement.setLong(1, active.nodeId);
      statement.setFetchSize(FETCH_SIZE);
      Set<ImageId> ids = new HashSet<>();
      // pgjdbc streams rows by the fetch size only inside a transaction.
      connection.setAutoCommit(false);
      try (ResultSet rows = statement.executeQuery()) {
        while (rows.next()) {
          imageId(rows.getString(1)).ifPresent(ids::add);
        }
      } finally {
        connection.rollback();
        connection.setAutoCommit(true);
      }
      return ids;
    } catch (SQLException e) {
      throw storeFailure("list the image ids of node " + nodeUrl, e);
    }
  }

  /** A connection from the pool (a new one when the pool has none) and {@code SELECT 1}. */
  @Override
  public void check() throws IOException {
    requireAnswering("check the database");
    Opened active = active();
    try (Connection connection = active.pool.getConnection();
        Statement statement = connection.createStatement();
        ResultSet row = statement.executeQuery("SELECT 1")) {
      row.next();
    } catch (SQLException e) {
      throw storeFailure("check the database", e);
    }
  }

  /** Empty when this node has no rows, whatever is on its disk. */
  @Override
  public Optional<ImageId> leastRecentlyAccessed() throws IOException {
    requireAnswering("find the least recently accessed image of node " + nodeUrl);
    Opened active = active();
    try (Connection connection = active.pool.getConnection();
        PreparedStatement statement = connection.prepareStatement(SELECT_LRU)) {
      statement.setLong(1, active.nodeId);
      try (ResultSet row = statement.executeQuery()) {
        return row.next() ? imageId(row.getString(1)) : Optional.empty();
      }
    } catch (SQLException e) {
      throw storeFailure("find the least recently accessed image of node " + nodeUrl, e);
    }
  }

  /** One transaction for the whole batch, in id order; kept while the database is away. */
  @Override
  public void recordAccesses(Map<ImageId, Access> accesses) throws IOException {
    if (accesses.isEmpty()) {
      return;
    }
    inTransaction("record " + accesses.size() + " accesses", (connection, node) -> {
      try (PreparedStatement statement = connection.prepareStatement(RECORD_ACCESS)) {
        for (Map.Entry<ImageId, Access> entry : new TreeMap<>(accesses).entrySet()) {
          CachedImageWrites.bindAccess(statement, entry.getKey(), entry.getValue(), node);
          statement.addBatch();
        }
        statement.executeBatch();
      }
    }, kept -> {
      for (Map.Entry<ImageId, Access> entry : accesses.entrySet()) {
        if (!kept.keep(entry.getKey(), new Pending(
            Kind.ACCESS_ONLY, Optional.empty(), Optional.of(entry.getValue())))) {
          return false;
        }
      }
      return true;
    });
  }

  @Override
  public boolean tracksNodes() {
    return true;
  }

  /**
   * URLs of every node with a row for {@code id}, this one included, ordered; a fleet node only
   * while it is alive ({@link PostgresFleetLiveness}).
   */
  @Override
  public List<String> nodes(ImageId id) throws IOException {
    requireAnswering("list the nodes caching " + id);
    Opened active = active();
    try (Connection connection = active.pool.getConnection();
        PreparedStatement statement = connection.prepareStatement(SELECT_NODES)) {
      statement.setString(1, id.value());
      try (ResultSet rows = statement.executeQuery()) {
        List<String> urls = new ArrayList<>();
        while (rows.next()) {
          urls.add(rows.getString(1));
        }
        return urls;
      }
    } catch (SQLException e) {
      throw storeFailure("list the nodes caching " + id, e);
    }
  }

  /**
   * Closes the pool; this node stays registered and its rows stay. Writes still kept from an
   * outage are lost (reconciliation adopts their files at the next start).
   */
  @Override
  public void close() {
    outage.close();
    synchronized (offline) {
      if (!offline.isEmpty()) {
        log.warn("closing with {} index writes of node {} not written: PostgreSQL did not return;"
            + " the next start adopts the files again", offline.size(), nodeUrl);
      }
    }
    HikariDataSource open = pool;
    if (open != null) {
      open.close();
    }
  }

  // ---- plumbing ------------------------------------------------------------------------------

  /** The pool and node id, read once per call. */
  private record Opened(HikariDataSource pool, long nodeId) {}

  private Opened active() {
    HikariDataSource open = pool;
    if (open == null) {
      throw new IllegalStateException("the postgres index is not open: call open() first");
    }
    if (open.isClosed()) {
      throw new IllegalStateException("the postgres index is closed");
    }
    return new Opened(open, nodeId);
  }

  @FunctionalInterface
  private interface Binder {
    void bind(PreparedStatement statement) throws SQLException;
  }

  /** What a write keeps while the database is away; false when the kept writes are full. */
  @FunctionalInterface
  private interface Keep {
    boolean keep(OfflineWrites kept);
  }

  /** A write made now, on the database. */
  @FunctionalInterface
  private interface StoreCall {
    void run() throws CacheStoreException;
  }

  /**
   * Makes the write {@code call}; while the database is away, or when it turns out to be away
   * now, {@code keep} keeps it instead, to be written when the database returns.
   */
  private void write(String what, StoreCall call, Keep keep) throws CacheStoreException {
    if (keptWhileAway(what, keep)) {
      return;
    }
    try {
      call.run();
    } catch (CacheStoreException e) {
      if (e.getCause() instanceof SQLException sql && DatabaseOutage.isOutage(sql)
          && keptWhileAway(what, keep)) {
        return;
      }
      throw e;
    }
  }

  /** One statement in autocommit, or kept while the database is away. */
  private void update(String what, String sql, Binder binder, Keep keep)
      throws CacheStoreException {
    write(what, () -> {
      Opened active = active();
      try (Connection connection = active.pool.getConnection();
          PreparedStatement statement = connection.prepareStatement(sql)) {
        binder.bind(statement);
        statement.executeUpdate();
      } catch (SQLException e) {
        throw storeFailure(what, e);
      }
    }, keep);
  }

  /**
   * Keeps a write while the database is away: true when kept, false when the database answers.
   *
   * @throws CacheStoreException when the kept writes are full
   */
  private boolean keptWhileAway(String what, Keep keep) throws CacheStoreException {
    synchronized (offline) {
      if (!outage.isAway()) {
        return false;
      }
      if (!keep.keep(offline)) {
        throw new CacheStoreException("cannot " + what + ": PostgreSQL at "
            + PostgresPool.redact(jdbcUrl) + " does not answer and " + OfflineWrites.LIMIT
            + " images already wait for it to return", null);
      }
      return true;
    }
  }

  /** Throws at once, without asking the database, while it is away. */
  private void requireAnswering(String what) throws StoreUnavailableException {
    if (outage.isAway()) {
      throw unavailable(what);
    }
  }

  private StoreUnavailableException unavailable(String what) {
    int kept;
    synchronized (offline) {
      kept = offline.size();
    }
    return new StoreUnavailableException("cannot " + what + ": PostgreSQL at "
        + PostgresPool.redact(jdbcUrl) + " does not answer since "
        + outage.awaySince().map(Instant::toString).orElse("a moment ago")
        + " (hits are served from disk; " + kept + " images have index writes kept until it"
        + " returns)");
  }

  private List<CachedImage> query(String what, String sql, Binder binder)
      throws CacheStoreException {
    Opened active = active();
    try (Connection connection = active.pool.getConnection();
        PreparedStatement statement = connection.prepareStatement(sql)) {
      binder.bind(statement);
      try (ResultSet rows = statement.executeQuery()) {
        List<CachedImage> images = new ArrayList<>();
        while (rows.next()) {
          Optional<ImageId> id = imageId(rows.getString("image_id"));
          if (id.isPresent()) {
            images.add(new CachedImage(id.get(), rows.getLong("size"), rows.getLong("hits"),
                fromUtc(rows.getObject("last_accessed", LocalDateTime.class)),
                fromUtc(rows.getObject("last_modified", LocalDateTime.class)),
                Optional.ofNullable(rows.getString("checksum"))));
          }
        }
        return images;
      }
    } catch (SQLException e) {
      throw storeFailure(what, e);
    }
  }

  /** A row's id; empty (with a warning) for a row someone else wrote with an id we never accept. */
  private Optional<ImageId> imageId(String value) {
    if (ImageId.isValid(value)) {
      return Optional.of(ImageId.of(value));
    }
    log.warn("ignoring a cached_images row of node {} with an invalid image id {}", nodeUrl, value);
    return Optional.empty();
  }

  /** UTC wall time, cut to PostgreSQL's microseconds (pgjdbc would round instead). */
  static LocalDateTime toUtc(Instant instant) {
    return LocalDateTime.ofInstant(instant.truncatedTo(ChronoUnit.MICROS), ZoneOffset.UTC);
  }

  private static Instant fromUtc(LocalDateTime utc) {
    return utc.toInstant(ZoneOffset.UTC);
  }

  /** {@link #inTransaction(String, Transaction)}, or kept while the database is away. */
  private void inTransaction(String what, Transaction work, Keep keep)
      throws CacheStoreException {
    write(what, () -> inTransaction(what, work), keep);
  }

  /**
   * Runs {@code work} on a pooled connection of this node in one transaction: committed when it
   * returns, rolled back when it throws.
   */
  private void inTransaction(String what, Transaction work) throws CacheStoreException {
    Opened active = active();
    try (Connection connection = active.pool.getConnection()) {
      // A failed rollback is suppressed, never reported in place of the failure.
      JdbcTransaction.run(connection, c -> {
        work.run(c, active.nodeId);
        return null;
      });
    } catch (SQLException e) {
      throw storeFailure(what, e);
    }
  }

  // ---- the return of the database -------------------------------------------------------------

  /**
   * Registers this node again (the database may have been restored empty) and writes what was
   * kept meanwhile, batch after batch until none is left: then the database is back. Run by the
   * outage's waiting thread only.
   */
  private boolean writeKept() throws SQLException {
    Opened active = active();
    int written = 0;
    try (Connection connection = active.pool.getConnection()) {
      long registered = PostgresSchema.createAndRegister(connection, nodeUrl);
      nodeId = registered;
      for (int round = 0; round < 10; round++) {
        OfflineWrites.Batch batch;
        synchronized (offline) {
          batch = offline.drain();
        }
        try {
          JdbcTransaction.run(connection, c -> {
            CachedImageWrites.writeBatch(c, batch, registered);
            return null;
          });
        } catch (SQLException | RuntimeException e) {
          synchronized (offline) {
            offline.restore(batch);
          }
          throw e;
        }
        written += batch.writes().size() + (batch.removeAllFirst() ? 1 : 0);
        synchronized (offline) {
          if (offline.isEmpty()) {
            outage.returned(written);
            return true;
          }
        }
      }
      return false;
    }
  }

  /** Statements of one transaction, given the connection and this node's id. */
  @FunctionalInterface
  private interface Transaction {
    void run(Connection connection, long nodeId) throws SQLException;
  }

  /** The failure to throw; the first that says the database cannot be reached starts an outage. */
  private CacheStoreException storeFailure(String what, SQLException cause) {
    if (DatabaseOutage.isOutage(cause)) {
      outage.wentAway(cause);
    }
    return new CacheStoreException("cannot " + what + " in PostgreSQL at "
        + PostgresPool.redact(jdbcUrl) + ": " + cause.getMessage(), cause);
  }
}
