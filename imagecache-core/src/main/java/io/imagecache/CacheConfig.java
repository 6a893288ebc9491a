package io.imagecache;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Everything an {@link ImageCache} is opened with, validated as a whole: an invalid value or
 * combination is rejected with a message naming the field and the value.
 *
 * @param dir the cache directory (Glance's {@code image_cache_dir})
 * @param driver the metadata store
 * @param maxSize bytes the committed images may take before prune removes some (0 or more)
 * @param stallTime age after which {@link ImageCache#clean()} removes an abandoned incomplete file
 * @param durable whether a commit forces the file and its directory entry to disk
 * @param dbUrl the PostgreSQL JDBC URL; required by {@link DriverKind#POSTGRES}
 * @param nodeUrl this node's URL in a fleet; required by {@link DriverKind#POSTGRES}
 * @param highWater fraction of {@code maxSize} above which an automatic prune starts
 *     (0 &lt; x &le; 1)
 * @param lowWater fraction of {@code maxSize} an automatic prune goes down to
 *     (0 &le; x &le; highWater)
 * @param flushInterval how often hits and access times are written to the metadata store
 * @param prefetchWorkers how many queued images are fetched at once (at least 1)
 * @param prefetchMaxAttempts how often a queued image is tried before it is given up as failed
 *     (at least 1)
 * @param minFreeDisk fraction of the cache's file system that fills must leave free
 *     (0 &le; x &lt; 1); a fill that would not is refused and its image streamed through
 * @param pruneInterval how often the automatic prune checks the high-water mark (besides after
 *     each commit)
 * @param cleanInterval how often {@link ImageCache#clean()} runs by itself
 * @param dbPassword the PostgreSQL password, when it is not in {@code dbUrl}; never shown by
 *     {@link #toString()}
 * @param fleet the fleet settings, when this node fills from and serves its peers (driver
 *     postgres only); its token is never shown by {@link #toString()}
 */
public record CacheConfig(
    Path dir, DriverKind driver, long maxSize, Duration stallTime, boolean durable,
    Optional<String> dbUrl, Optional<String> nodeUrl, double highWater, double lowWater,
    Duration flushInterval, int prefetchWorkers, int prefetchMaxAttempts, double minFreeDisk,
    Duration pruneInterval, Duration cleanInterval, Optional<String> dbPassword,
    Optional<Fleet> fleet) {

  /** Glance's default {@code image_cache_max_size}: 10 GiB. */
  public static final long DEFAULT_MAX_SIZE = 10L << 30;
  /** Glance's default {@code image_cache_stall_time}: 24 hours. */
  public static final Duration DEFAULT_STALL_TIME = Duration.ofHours(24);
  public static final double DEFAULT_HIGH_WATER = 1.0;
  public static final double DEFAULT_LOW_WATER = 0.9;
  public static final Duration DEFAULT_FLUSH_INTERVAL = Duration.ofSeconds(1);
  public static final int DEFAULT_PREFETCH_WORKERS = 2;
  public static final int DEFAULT_PREFETCH_MAX_ATTEMPTS = 5;
  /** The minimum-free-disk guard: 5 % of the file system. */
  public static final double DEFAULT_MIN_FREE_DISK = 0.05;
  public static final Duration DEFAULT_PRUNE_INTERVAL = Duration.ofMinutes(1);
  public static final Duration DEFAULT_CLEAN_INTERVAL = Duration.ofHours(1);

  /** A configuration without a separate database password. */
  public CacheConfig(
      Path dir, DriverKind driver, long maxSize, Duration stallTime, boolean durable,
      Optional<String> dbUrl, Optional<String> nodeUrl, double highWater, double lowWater,
      Duration flushInterval, int prefetchWorkers, int prefetchMaxAttempts, double minFreeDisk,
      Duration pruneInterval, Duration cleanInterval) {
    this(dir, driver, maxSize, stallTime, durable, dbUrl, nodeUrl, highWater, lowWater,
        flushInterval, prefetchWorkers, prefetchMaxAttempts, minFreeDisk, pruneInterval,
        cleanInterval, Optional.empty());
  }

  /** A configuration without fleet settings. */
  public CacheConfig(
      Path dir, DriverKind driver, long maxSize, Duration stallTime, boolean durable,
      Optional<String> dbUrl, Optional<String> nodeUrl, double highWater, double lowWater,
      Duration flushInterval, int prefetchWorkers, int prefetchMaxAttempts, double minFreeDisk,
      Duration pruneInterval, Duration cleanInterval, Optional<String> dbPassword) {
    this(dir, driver, maxSize, stallTime, durable, dbUrl, nodeUrl, highWater, lowWater,
        flushInterval, prefetchWorkers, prefetchMaxAttempts, minFreeDisk, pruneInterval,
        cleanInterval, dbPassword, Optional.empty());
  }

  /**
   * How this node works with its peers on the shared database: the {@code token} peers send each
   * other, how old a heartbeat may be before its node counts as dead, and how many peers may
   * stream one image from this node at once.
   */
  public record Fleet(String token, Duration nodeDeadAfter, int peerUploads) {
    /** A node not heard from for this long is dead. */
    public static final Duration DEFAULT_NODE_DEAD_AFTER = Duration.ofSeconds(15);
    /** Peers that may stream one image from this node at once. */
    public static final int DEFAULT_PEER_UPLOADS = 4;

    public Fleet {
      Objects.requireNonNull(token, "token");
      Objects.requireNonNull(nodeDeadAfter, "nodeDeadAfter");
      if (token.isEmpty()) {
        throw new IllegalArgumentException("the fleet token must not be empty");
      }
      if (nodeDeadAfter.isNegative() || nodeDeadAfter.isZero()) {
        throw new IllegalArgumentException(
            "nodeDeadAfter must be > 0: " + Durations.format(nodeDeadAfter));
      }
      if (peerUploads < 1) {
        throw new IllegalArgumentException("peerUploads must be >= 1: " + peerUploads);
      }
    }

    /** Fleet settings with the default liveness and upload limit. */
    public static Fleet withToken(String token) {
      return new Fleet(token, DEFAULT_NODE_DEAD_AFTER, DEFAULT_PEER_UPLOADS);
    }

    /** The token shows as {@code (secret)}. */
    @Override
    public String toString() {
      return "Fleet[token=(secret), nodeDeadAfter=" + nodeDeadAfter + ", peerUploads="
          + peerUploads + "]";
    }
  }

  public CacheConfig {
    Objects.requireNonNull(dir, "dir");
    Objects.requireNonNull(dbPassword, "dbPassword");
    Objects.requireNonNull(driver, "driver");
    Objects.requireNonNull(stallTime, "stallTime");
    Objects.requireNonNull(dbUrl, "dbUrl");
    Objects.requireNonNull(nodeUrl, "nodeUrl");
    Objects.requireNonNull(flushInterval, "flushInterval");
    Objects.requireNonNull(pruneInterval, "pruneInterval");
    Objects.requireNonNull(cleanInterval, "cleanInterval");
    Objects.requireNonNull(fleet, "fleet");
    if (maxSize < 0) {
      throw new IllegalArgumentException("maxSize must be >= 0: " + maxSize);
    }
    if (stallTime.isNegative()) {
      throw new IllegalArgumentException(
          "stallTime must be >= 0: " + Durations.format(stallTime));
    }
    if (!(highWater > 0 && highWater <= 1)) {
      throw new IllegalArgumentException("highWater must be > 0 and <= 1: " + highWater);
    }
    if (!(lowWater >= 0 && lowWater <= highWater)) {
      throw new IllegalArgumentException(
          "lowWater must be >= 0 and <= highWater (" + highWater + "): " + lowWater);
    }
    if (flushInterval.isNegative() || flushInterval.isZero()) {
      throw new IllegalArgumentException(
          "flushInterval must be > 0: " + Durations.format(flushInterval));
    }
    if (prefetchWorkers < 1) {
      throw new IllegalArgumentException("prefetchWorkers must be >= 1: " + prefetchWorkers);
    }
    if (prefetchMaxAttempts < 1) {
      throw new IllegalArgumentException(
          "prefetchMaxAttempts must be >= 1: " + prefetchMaxAttempts);
    }
    if (!(minFreeDisk >= 0 && minFreeDisk < 1)) {
      throw new IllegalArgumentException("minFreeDisk must be >= 0 and < 1: " + minFreeDisk);
    }
    if (pruneInterval.isNegative() || pruneInterval.isZero()) {
      throw new IllegalArgumentException(
          "pruneInterval must be > 0: " + Durations.format(pruneInterval));
    }
    if (cleanInterval.isNegative() || cleanInterval.isZero()) {
      throw new IllegalArgumentException(
          "cleanInterval must be > 0: " + Durations.format(cleanInterval));
    }
    dbUrl.ifPresent(url -> {
      if (!url.startsWith("jdbc:postgresql:")) {
        throw new IllegalArgumentException(
            "dbUrl must be a JDBC URL starting with jdbc:postgresql: \"" + url + "\"");
      }
    });
    nodeUrl.ifPresent(CacheConfig::requireHttpUrl);
    if (driver == DriverKind.POSTGRES && dbUrl.isEmpty()) {
      throw new IllegalArgumentException(
          "driver postgres needs dbUrl (a jdbc:postgresql: URL of the shared database)");
    }
    if (driver == DriverKind.POSTGRES && nodeUrl.isEmpty()) {
      throw new IllegalArgumentException(
          "driver postgres needs nodeUrl (the URL other nodes reach this one at)");
    }
    if (fleet.isPresent() && driver != DriverKind.POSTGRES) {
      throw new IllegalArgumentException(
          "a fleet needs driver postgres (the database its nodes share), not " + driver);
    }
  }

  /** The defaults for {@code dir}: sqlite, 10 GiB, 24 h stall time, durable commits. */
  public static CacheConfig defaults(Path dir) {
    return builder(dir).build();
  }

  /** A builder starting from the defaults for {@code dir}. */
  public static Builder builder(Path dir) {
    return new Builder(dir);
  }

  /** A builder starting from this configuration. */
  public Builder toBuilder() {
    return new Builder(dir)
        .driver(driver).maxSize(maxSize).stallTime(stallTime).durable(durable)
        .dbUrl(dbUrl).nodeUrl(nodeUrl).highWater(highWater).lowWater(lowWater)
        .flushInterval(flushInterval)
        .prefetchWorkers(prefetchWorkers).prefetchMaxAttempts(prefetchMaxAttempts)
        .minFreeDisk(minFreeDisk).pruneInterval(pruneInterval).cleanInterval(cleanInterval)
        .dbPassword(dbPassword).fleet(fleet);
  }

  /** Like the record's own, but the database password shows as {@code (secret)}. */
  @Override
  public String toString() {
    return "CacheConfig[dir=" + dir + ", driver=" + driver + ", maxSize=" + maxSize
        + ", stallTime=" + stallTime + ", durable=" + durable + ", dbUrl=" + dbUrl
        + ", nodeUrl=" + nodeUrl + ", highWater=" + highWater + ", lowWater=" + lowWater
        + ", flushInterval=" + flushInterval + ", prefetchWorkers=" + prefetchWorkers
        + ", prefetchMaxAttempts=" + prefetchMaxAttempts + ", minFreeDisk=" + minFreeDisk
        + ", pruneInterval=" + pruneInterval + ", cleanInterval=" + cleanInterval
        + ", dbPassword=" + dbPassword.map(password -> "(secret)") + ", fleet=" + fleet + "]";
  }

  private static void requireHttpUrl(String url) {
    try {
      URI uri = new URI(url);
      if (("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))
          && uri.getHost() != null) {
        return;
      }
    } catch (URISyntaxException e) {
      // Reported below with the value.
    }
    throw new IllegalArgumentException(
        "nodeUrl must be an http:// or https:// URL with a host: \"" + url + "\"");
  }

  /** Collects settings; {@link #build()} validates them all at once. Not thread-safe. */
  public static final class Builder {
    private final Path dir;
    private DriverKind driver = DriverKind.SQLITE;
    private long maxSize = DEFAULT_MAX_SIZE;
    private Duration stallTime = DEFAULT_STALL_TIME;
    private boolean durable = true;
    private Optional<String> dbUrl = Optional.empty();
    private Optional<String> nodeUrl = Optional.empty();
    private double highWater = DEFAULT_HIGH_WATER;
    private double lowWater = DEFAULT_LOW_WATER;
    private Duration flushInterval = DEFAULT_FLUSH_INTERVAL;
    private int prefetchWorkers = DEFAULT_PREFETCH_WORKERS;
    private int prefetchMaxAttempts = DEFAULT_PREFETCH_MAX_ATTEMPTS;
    private double minFreeDisk = DEFAULT_MIN_FREE_DISK;
    private Duration pruneInterval = DEFAULT_PRUNE_INTERVAL;
    private Duration cleanInterval = DEFAULT_CLEAN_INTERVAL;
    private Optional<String> dbPassword = Optional.empty();
    private Optional<Fleet> fleet = Optional.empty();

    private Builder(Path dir) {
      this.dir = Objects.requireNonNull(dir, "dir");
    }

    public Builder driver(DriverKind driver) {
      this.driver = driver;
      return this;
    }

    public Builder maxSize(long maxSize) {
      this.maxSize = maxSize;
      return this;
    }

    public Builder stallTime(Duration stallTime) {
      this.stallTime = stallTime;
      return this;
    }

    public Builder durable(boolean durable) {
      this.durable = durable;
      return this;
    }

    public Builder dbUrl(Optional<String> dbUrl) {
      this.dbUrl = dbUrl;
      return this;
    }

    public Builder dbUrl(String dbUrl) {
      return dbUrl(Optional.of(dbUrl));
    }

    public Builder nodeUrl(Optional<String> nodeUrl) {
      this.nodeUrl = nodeUrl;
      return this;
    }

    public Builder nodeUrl(String nodeUrl) {
      return nodeUrl(Optional.of(nodeUrl));
    }

    public Builder highWater(double highWater) {
      this.highWater = highWater;
      return this;
    }

    public Builder lowWater(double lowWater) {
      this.lowWater = lowWater;
      return this;
    }

    public Builder flushInterval(Duration flushInterval) {
      this.flushInterval = flushInterval;
      return this;
    }

    public Builder prefetchWorkers(int prefetchWorkers) {
      this.prefetchWorkers = prefetchWorkers;
      return this;
    }

    public Builder prefetchMaxAttempts(int prefetchMaxAttempts) {
      this.prefetchMaxAttempts = prefetchMaxAttempts;
      return this;
    }

    public Builder minFreeDisk(double minFreeDisk) {
      this.minFreeDisk = minFreeDisk;
      return this;
    }

    public Builder pruneInterval(Duration pruneInterval) {
      this.pruneInterval = pruneInterval;
      return this;
    }

    public Builder cleanInterval(Duration cleanInterval) {
      this.cleanInterval = cleanInterval;
      return this;
    }

    /** The PostgreSQL password, when it is not in the URL. */
    public Builder dbPassword(Optional<String> dbPassword) {
      this.dbPassword = dbPassword;
      return this;
    }

    /** The fleet settings: this node fills from and serves its peers. */
    public Builder fleet(Optional<Fleet> fleet) {
      this.fleet = fleet;
      return this;
    }

    /** The validated configuration; throws {@link IllegalArgumentException} naming a bad field. */
    public CacheConfig build() {
      return new CacheConfig(
          dir, driver, maxSize, stallTime, durable, dbUrl, nodeUrl, highWater, lowWater,
          flushInterval, prefetchWorkers, prefetchMaxAttempts, minFreeDisk, pruneInterval,
          cleanInterval, dbPassword, fleet);
    }
  }
}
