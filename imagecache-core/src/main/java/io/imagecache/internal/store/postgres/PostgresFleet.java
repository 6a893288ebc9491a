package io.imagecache.internal.store.postgres;

import io.imagecache.CacheStoreException;
import io.imagecache.ImageId;
import io.imagecache.internal.fleet.FillAnnouncement;
import io.imagecache.internal.fleet.FillClaim;
import io.imagecache.internal.fleet.Fleet;
import io.imagecache.internal.fleet.NodeState;
import io.imagecache.internal.fleet.PeerSource;
import io.imagecache.internal.store.BadDriverConfigurationException;
import java.io.IOException;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link Fleet} on the {@code postgres} driver's database: nodes register and heartbeat in
 * {@code imagecache_nodes}, claim an image in {@code imagecache_claims} and announce fills in
 * {@code imagecache_fills} ({@link PostgresFleetSchema}); a node is alive by
 * {@link PostgresFleetLiveness}; holders are the {@code cached_images} rows of live nodes.
 *
 * <p><b>One session.</b> Everything goes through one dedicated connection
 * ({@link PostgresFleetSession}), not a pool: claims name that session and die with it, so a
 * killed node's claims end at once. A heartbeat task on the given scheduler writes one statement
 * every {@code min(1 s, nodeDeadAfter / 3)}, carrying the progress of this node's fills.
 *
 * <p><b>Outage.</b> Each call waits at most {@value #LOCK_WAIT_MILLIS} ms for the session and each
 * statement is bounded (about a second; see {@link PostgresFleetSession}). A failed statement ends
 * the session (its claims die with it); until the heartbeat task has connected and registered
 * again (it retries every beat), the node answers as if it were alone: no sources, claims that
 * are only local ({@link FillClaim#shared()} false), announcements kept locally. Registration
 * then claims again the claims still open and announces again the fills still running. A session
 * that is merely busy past the wait answers no sources and refuses claims (another node may hold
 * one); announcements, withdrawals and releases that could not be written are written by the next
 * heartbeat.
 *
 * <p><b>Threads and locks.</b> {@link #lock} guards {@link #session}, the connection and the
 * {@code written} count of each announcement; every statement runs holding it, because a
 * connection runs one statement at a time (in the manner of OkHttp's {@code Relay}, where one
 * thread at a time reads upstream). It is the only lock: nothing else is taken while holding it.
 * {@link #claims}, {@link #fills} and {@link #unsynced} are concurrent collections owned by this
 * class; callers' threads add and remove entries, the heartbeat task reads them under the lock.
 * Only the heartbeat task connects.
 */
public final class PostgresFleet implements Fleet {
  private static final Logger log = LoggerFactory.getLogger(PostgresFleet.class);

  /** How long a call waits for the session before it answers as a lone node. */
  static final long LOCK_WAIT_MILLIS = 500;
  private static final Duration MAX_HEARTBEAT_INTERVAL = Duration.ofSeconds(1);
  /** Three heartbeats of a third of a second each: less would make a slow beat a death. */
  private static final Duration MIN_NODE_DEAD_AFTER = Duration.ofSeconds(1);

  private final String jdbcUrl;
  private final Optional<String> password;
  private final String nodeUrl;
  private final Duration nodeDeadAfter;
  private final Instant startedAt;

  private final ReentrantLock lock = new ReentrantLock();
  /** Guarded by {@link #lock}. The open session; null while the database is away or closed. */
  private PostgresFleetSession session;
  /** Guarded by {@link #lock}. The failure that ended the last session, for messages. */
  private SQLException lastFailure;

  /** This node's open claims by image, at most one each; local ones included. */
  private final Map<ImageId, Claim> claims = new ConcurrentHashMap<>();
  /** This node's open announcements by image. */
  private final Map<ImageId, Announcement> fills = new ConcurrentHashMap<>();
  /**
   * Images whose announcement, withdrawal or release could not be written (the session was busy
   * or away): the next heartbeat makes their rows match {@link #claims} and {@link #fills}.
   */
  private final Set<ImageId> unsynced = ConcurrentHashMap.newKeySet();

  private final AtomicBoolean closed = new AtomicBoolean();
  /** Set once by {@link #open}, before any other thread sees this fleet. */
  private ScheduledFuture<?> heartbeats;

  private PostgresFleet(String jdbcUrl, Optional<String> password, String nodeUrl,
      Duration nodeDeadAfter, Instant startedAt) {
    this.jdbcUrl = jdbcUrl;
    this.password = password;
    this.nodeUrl = nodeUrl;
    this.nodeDeadAfter = nodeDeadAfter;
    this.startedAt = startedAt;
  }

  /**
   * Joins the fleet on the database at {@code jdbcUrl} as {@code nodeUrl}, which other nodes count
   * dead {@code nodeDeadAfter} after its last heartbeat; heartbeats run on {@code scheduler}
   * (which stays the caller's to shut down; a beat that reconnects holds its thread for up to
   * about two seconds). Tries to register at once (for about a second); when the database does
   * not answer, the fleet starts as a lone node and keeps trying in the background. {@code clock}
   * gives the node's start time shown to operators.
   *
   * @throws BadDriverConfigurationException when the URL is not a PostgreSQL JDBC URL or the node
   *     URL is empty or longer than 255 characters
   * @throws IllegalArgumentException when {@code nodeDeadAfter} is shorter than a second
   */
  public static PostgresFleet open(String jdbcUrl, Optional<String> password, String nodeUrl,
      Duration nodeDeadAfter, Clock clock, ScheduledExecutorService scheduler)
      throws BadDriverConfigurationException {
    Objects.requireNonNull(scheduler, "scheduler");
    if (jdbcUrl == null || !jdbcUrl.trim().startsWith("jdbc:postgresql:")) {
      throw new BadDriverConfigurationException("the fleet needs a database URL of the form"
          + " jdbc:postgresql://HOST:PORT/DATABASE, got \""
          + PostgresPool.redact(Objects.requireNonNullElse(jdbcUrl, "")) + "\"");
    }
    String node = Objects.requireNonNullElse(nodeUrl, "").trim();
    if (node.isEmpty() || node.length() > 255) {
      throw new BadDriverConfigurationException("the fleet needs this node's URL (--node-url) of"
          + " 1 to 255 characters, got \"" + node + "\"");
    }
    if (nodeDeadAfter.compareTo(MIN_NODE_DEAD_AFTER) < 0) {
      throw new IllegalArgumentException(
          "node-dead-after must be at least " + MIN_NODE_DEAD_AFTER + ", got " + nodeDeadAfter);
    }
    PostgresFleet fleet = new PostgresFleet(jdbcUrl.trim(),
        Objects.requireNonNull(password, "password"), node, nodeDeadAfter, clock.instant());
    fleet.beat();
    Duration interval = heartbeatInterval(nodeDeadAfter);
    fleet.heartbeats = scheduler.scheduleWithFixedDelay(
        fleet::beat, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    return fleet;
  }

  /** Three beats per dead-after period at least, and one a second for fresh fill progress. */
  static Duration heartbeatInterval(Duration nodeDeadAfter) {
    Duration third = nodeDeadAfter.dividedBy(3);
    return third.compareTo(MAX_HEARTBEAT_INTERVAL) < 0 ? third : MAX_HEARTBEAT_INTERVAL;
  }

  @Override
  public String self() {
    return nodeUrl;
  }

  @Override
  public List<PeerSource> sources(ImageId id) {
    return withSession("find the sources of " + id, session -> session.sources(id), List.of(),
        List.of());
  }

  /**
   * {@inheritDoc}
   *
   * <p>Refused too while the session stays busy for {@value #LOCK_WAIT_MILLIS} ms (calls queue on
   * it), since another node may hold the claim: only a database that does not answer gives a
   * local claim.
   */
  @Override
  public Optional<FillClaim> tryClaim(ImageId id) {
    Claim claim = new Claim(id);
    if (claims.putIfAbsent(id, claim) != null) {
      return Optional.empty();
    }
    Answer answer = withSession("claim " + id,
        session -> session.claim(id) ? Answer.YES : Answer.NO, Answer.NO, Answer.AWAY);
    if (answer == Answer.NO) {
      claims.remove(id, claim);
      return Optional.empty();
    }
    claim.shared = answer == Answer.YES;
    return Optional.of(claim);
  }

  @Override
  public FillAnnouncement announceFill(ImageId id, OptionalLong size) {
    Objects.requireNonNull(size, "size");
    Announcement announcement = new Announcement(id, size);
    fills.put(id, announcement);
    syncOrDefer("announce the fill of " + id, id, session -> session.announce(id, 0, size));
    return announcement;
  }

  /** @throws CacheStoreException when the database does not answer */
  @Override
  public List<NodeState> nodes(ImageId id) throws IOException {
    Optional<List<NodeState>> nodes = withSession("list the nodes of " + id,
        session -> Optional.of(session.nodes(id)), Optional.empty(), Optional.empty());
    if (nodes.isEmpty()) {
      throw new CacheStoreException("cannot list the nodes of " + id + ": the fleet database at "
          + PostgresPool.redact(jdbcUrl) + " does not answer", failure());
    }
    return nodes.get();
  }

  /** Stops the heartbeats, deletes this node's claims and announcements and ends the session. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    if (heartbeats != null) {
      heartbeats.cancel(false);
    }
    lock.lock();
    try {
      if (session != null) {
        try {
          session.retire();
        } catch (SQLException e) {
          log.warn("node {} could not withdraw its claims and fills at close ({}); they end with"
              + " its session", nodeUrl, e.getMessage());
        }
        session.close();
        session = null;
      }
    } finally {
      lock.unlock();
    }
    claims.clear();
    fills.clear();
    unsynced.clear();
  }

  /** The backend pid of the current session, or empty while the database is away; for tests. */
  Optional<Integer> backendPid() {
    lock.lock();
    try {
      return Optional.ofNullable(session).map(PostgresFleetSession::backendPid);
    } finally {
      lock.unlock();
    }
  }

  // ---- the heartbeat task --------------------------------------------------------------------

  /** One beat: connects and registers when there is no session, else heartbeats. Never throws. */
  private void beat() {
    try {
      if (closed.get()) {
        return;
      }
      if (!connected()) {
        reconnect();
        return;
      }
      boolean ours = withSession("heartbeat", this::heartbeat, true, true);
      if (!ours) {
        log.warn("the row of node {} names another database session (a second process with this"
            + " node URL?); registering again", nodeUrl);
        withSession("register", session -> {
          register(session);
          return true;
        }, false, false);
      }
    } catch (Throwable e) {
      log.warn("the fleet heartbeat of node {} failed; trying again next beat", nodeUrl, e);
    }
  }

  private boolean connected() {
    lock.lock();
    try {
      return session != null;
    } finally {
      lock.unlock();
    }
  }

  /** Opens a session (outside the lock: it may take a second) and registers on it. */
  private void reconnect() {
    PostgresFleetSession fresh;
    try {
      fresh = PostgresFleetSession.connect(jdbcUrl, password, nodeUrl);
    } catch (SQLException e) {
      fail("connect", e);
      return;
    }
    lock.lock();
    try {
      if (closed.get()) {
        fresh.close();
        return;
      }
      register(fresh);
      boolean back = lastFailure != null;
      session = fresh;
      lastFailure = null;
      if (back) {
        log.info("node {} is back in the fleet at {}", nodeUrl, PostgresPool.redact(jdbcUrl));
      }
    } catch (SQLException e) {
      fresh.close();
      fail("register", e);
    } finally {
      lock.unlock();
    }
  }

  /** Registers on {@code on} with this node's open claims and fills; holds the lock. */
  private void register(PostgresFleetSession on) throws SQLException {
    Map<ImageId, PostgresFleetSession.FillProgress> running = new HashMap<>();
    for (Announcement fill : fills.values()) {
      long bytes = fill.bytes;
      running.put(fill.id, new PostgresFleetSession.FillProgress(bytes, fill.size));
      fill.written = bytes;
    }
    on.register(startedAt, nodeDeadAfter, Set.copyOf(claims.keySet()), running);
  }

  /**
   * Brings the rows of the {@link #unsynced} images in line with this node's open claims and
   * fills, then heartbeats with the fills' new bytes; holds the lock.
   */
  private boolean heartbeat(PostgresFleetSession on) throws SQLException {
    for (ImageId id : Set.copyOf(unsynced)) {
      unsynced.remove(id);
      Announcement fill = fills.get(id);
      if (fill != null) {
        long bytes = fill.bytes;
        on.announce(id, bytes, fill.size);
        fill.written = bytes;
      } else {
        on.withdraw(id);
      }
      if (!claims.containsKey(id)) {
        on.release(id);
      }
    }
    Map<ImageId, Long> progress = new HashMap<>();
    Map<Announcement, Long> sent = new HashMap<>();
    for (Announcement fill : fills.values()) {
      long bytes = fill.bytes;
      if (bytes != fill.written) {
        progress.put(fill.id, bytes);
        sent.put(fill, bytes);
      }
    }
    boolean ours = on.heartbeat(progress);
    sent.forEach((fill, bytes) -> fill.written = bytes);
    return ours;
  }

  // ---- plumbing ------------------------------------------------------------------------------

  /** What the database said to a claim. */
  private enum Answer { YES, NO, AWAY }

  /** Statements on the session; what they return. */
  @FunctionalInterface
  private interface SessionWork<T> {
    T run(PostgresFleetSession session) throws SQLException;
  }

  /** Statements on the session that return nothing. */
  @FunctionalInterface
  private interface SessionUpdate {
    void run(PostgresFleetSession session) throws SQLException;
  }

  /**
   * Runs {@code work} on the session; {@code whenBusy} when the session stays busy for
   * {@value #LOCK_WAIT_MILLIS} ms, {@code whenAway} when there is none or the work fails (which
   * ends the session).
   */
  private <T> T withSession(String what, SessionWork<T> work, T whenBusy, T whenAway) {
    try {
      if (!lock.tryLock(LOCK_WAIT_MILLIS, TimeUnit.MILLISECONDS)) {
        log.debug("node {} could not {}: the fleet session stayed busy", nodeUrl, what);
        return whenBusy;
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return whenBusy;
    }
    try {
      PostgresFleetSession current = session;
      if (current == null) {
        return whenAway;
      }
      try {
        return work.run(current);
      } catch (SQLException e) {
        session = null;
        current.close();
        fail(what, e);
        return whenAway;
      }
    } finally {
      lock.unlock();
    }
  }

  /**
   * Runs {@code update} for {@code id} on the session, or leaves {@code id} to the next heartbeat
   * (or registration) when it could not run.
   */
  private void syncOrDefer(String what, ImageId id, SessionUpdate update) {
    boolean done = withSession(what, session -> {
      update.run(session);
      return true;
    }, false, false);
    if (!done) {
      unsynced.add(id);
    }
  }

  /** Records why the session ended or could not start; logs the first failure of an outage. */
  private void fail(String what, SQLException e) {
    lock.lock();
    try {
      if (lastFailure == null) {
        log.warn("node {} could not {} in the fleet database at {} ({}); it answers as a lone node"
            + " until the database is back", nodeUrl, what, PostgresPool.redact(jdbcUrl),
            e.getMessage());
      }
      lastFailure = e;
    } finally {
      lock.unlock();
    }
  }

  private SQLException failure() {
    lock.lock();
    try {
      return lastFailure;
    } finally {
      lock.unlock();
    }
  }

  /** One claim of this node; {@link #shared} is set once before the claim is handed out. */
  private final class Claim implements FillClaim {
    private final ImageId id;
    private final AtomicBoolean released = new AtomicBoolean();
    private volatile boolean shared;

    Claim(ImageId id) {
      this.id = id;
    }

    @Override
    public boolean shared() {
      return shared;
    }

    @Override
    public void close() {
      if (!released.compareAndSet(false, true) || !claims.remove(id, this)) {
        return;
      }
      syncOrDefer("release the claim of " + id, id, session -> session.release(id));
    }
  }

  /** One announcement of this node; {@link #bytes} is written by the filler, read by heartbeats. */
  private final class Announcement implements FillAnnouncement {
    private final ImageId id;
    private final OptionalLong size;
    private final AtomicBoolean withdrawn = new AtomicBoolean();
    private volatile long bytes;
    /** Guarded by {@link #lock}: the bytes the database has. */
    private long written;

    Announcement(ImageId id, OptionalLong size) {
      this.id = id;
      this.size = size;
    }

    @Override
    public void progress(long bytes) {
      this.bytes = bytes;
    }

    @Override
    public void close() {
      if (!withdrawn.compareAndSet(false, true) || !fills.remove(id, this)) {
        return;
      }
      syncOrDefer("withdraw the fill of " + id, id, session -> session.withdraw(id));
    }
  }
}
