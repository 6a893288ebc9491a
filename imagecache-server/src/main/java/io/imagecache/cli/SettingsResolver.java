package io.imagecache.cli;

import io.imagecache.CacheConfig;
import io.imagecache.DriverKind;
import io.imagecache.Durations;
import io.imagecache.OriginConfig;
import io.imagecache.Sizes;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Resolves the settings of {@code serve} from the command-line flags, the environment and the
 * config file, in that order of precedence, over the defaults. Every error names the option,
 * the value and where the value came from.
 *
 * <p>Environment variables with an empty value count as unset. Relative paths are resolved
 * against the working directory.
 */
final class SettingsResolver {

  /** The default cache directory, relative to the working directory. */
  static final Path DEFAULT_CACHE_DIR = Path.of("imagecache-data");

  /** A {@code password=} parameter in a JDBC URL. */
  private static final Pattern URL_PASSWORD = Pattern.compile("(?i)[?&;]password=");

  private SettingsResolver() {}

  /** The config file to read: {@code --config}, else {@code IMAGECACHE_CONFIG}, else none. */
  static Optional<Path> configFile(Map<String, String> flags, Map<String, String> env)
      throws SettingsException {
    return new OptionValues(flags, env, Map.of()).optional(ServeOption.CONFIG, OptionParsers::path);
  }

  /**
   * Resolves flag &gt; environment &gt; config file &gt; default.
   *
   * @param flags option names without dashes ({@code max-size}) to the values given on the
   *     command line; a switch such as {@code no-fsync} maps to {@code true}
   * @param env the process environment; only {@code IMAGECACHE_<OPTION>} variables are read
   * @param configFile the YAML file to read, if any
   * @throws SettingsException naming the first unusable value and its source
   */
  static ServeSettings resolve(
      Map<String, String> flags, Map<String, String> env, Optional<Path> configFile)
      throws SettingsException {
    for (String name : flags.keySet()) {
      if (ServeOption.forName(name).isEmpty()) {
        throw new IllegalArgumentException("not a serve option: \"" + name + "\"");
      }
    }
    OptionValues values = values(flags, env, configFile);
    return new ServeSettings(
        cacheConfig(values),
        values.get(ServeOption.LISTEN, ListenAddress::parse, ListenAddress.DEFAULT),
        values.optional(ServeOption.ORIGIN, SettingsResolver::origin),
        values.secret(ServeOption.ADMIN_TOKEN, ServeSettings::requireToken),
        originTimeouts(values),
        values.secret(ServeOption.ORIGIN_TOKEN, ServeSettings::requireToken),
        values.get(ServeOption.BLOCKING_THREADS, OptionParsers::threads,
            ServeSettings.DEFAULT_BLOCKING_THREADS),
        values.get(ServeOption.SHUTDOWN_GRACE, Durations::parse,
            ServeSettings.DEFAULT_SHUTDOWN_GRACE),
        ClientLimitOptions.resolve(values),
        values.get(ServeOption.READYZ_ORIGIN, OptionParsers::onOff, false),
        TlsOptions.resolve(values),
        KeystoneOptions.resolve(values),
        originFetch(values));
  }

  /**
   * Where each option that is set comes from ({@code the command line}, {@code IMAGECACHE_…},
   * {@code FILE, key …}); an option missing from the map has its default.
   */
  static Map<ServeOption, String> sources(
      Map<String, String> flags, Map<String, String> env, Optional<Path> configFile)
      throws SettingsException {
    Map<ServeOption, RawSetting> file = new EnumMap<>(ServeOption.class);
    if (configFile.isPresent()) {
      file.putAll(ConfigFile.read(configFile.get(), "the caller"));
    }
    Map<ServeOption, String> sources = new EnumMap<>(ServeOption.class);
    for (ServeOption option : ServeOption.values()) {
      OptionValues.pick(option, flags, env, file).ifPresent(raw -> sources.put(option, raw.source()));
    }
    for (ServeOption option : ServeOption.values()) {
      Optional<ServeOption> twin = option.fileTwin();
      if (twin.isPresent() && sources.containsKey(twin.get())) {
        RawSetting path = OptionValues.pick(twin.get(), flags, env, file).orElseThrow();
        sources.put(option, "file " + path.value().strip() + " (" + twin.get().optionName()
            + " from " + path.source() + ")");
      }
    }
    return sources;
  }

  /**
   * Resolves the logging options ({@code log-level}, {@code log-format}, {@code access-log}) the
   * same way as {@link #resolve}.
   */
  static LogSettings logSettings(
      Map<String, String> flags, Map<String, String> env, Optional<Path> configFile)
      throws SettingsException {
    OptionValues values = values(flags, env, configFile);
    return new LogSettings(
        values.get(ServeOption.LOG_LEVEL, LogSettings.Level::parse, LogSettings.Level.INFO),
        values.get(ServeOption.LOG_FORMAT, LogSettings::parseJson, false),
        values.get(ServeOption.ACCESS_LOG, LogSettings.Access::parse, LogSettings.Access.OFF));
  }

  private static OptionValues values(
      Map<String, String> flags, Map<String, String> env, Optional<Path> configFile)
      throws SettingsException {
    Map<ServeOption, RawSetting> file = new EnumMap<>(ServeOption.class);
    if (configFile.isPresent()) {
      String source = OptionValues.pick(ServeOption.CONFIG, flags, env, Map.of())
          .map(RawSetting::source)
          .orElse("the caller");
      file.putAll(ConfigFile.read(configFile.get(), source));
    }
    return new OptionValues(flags, env, file);
  }

  private static CacheConfig cacheConfig(OptionValues values) throws SettingsException {
    Path dir = values.get(ServeOption.CACHE_DIR, OptionParsers::path, DEFAULT_CACHE_DIR)
        .toAbsolutePath().normalize();
    DriverKind driver = values.get(ServeOption.DRIVER, DriverKind::parse, DriverKind.SQLITE);
    // CacheConfig owns the URL rules: check each URL alone so an error names its option.
    Optional<String> dbUrl = values.optional(ServeOption.DB_URL,
        url -> CacheConfig.builder(dir).dbUrl(url).build().dbUrl().orElseThrow());
    Optional<String> dbPassword =
        values.secret(ServeOption.DB_PASSWORD, OptionParsers::password);
    if (dbPassword.isPresent()
        && dbUrl.filter(url -> URL_PASSWORD.matcher(url).find()).isPresent()) {
      throw values.raw(ServeOption.DB_URL).orElseThrow().invalid("it carries a password= and "
          + ServeOption.DB_PASSWORD.flag() + " or " + ServeOption.DB_PASSWORD_FILE.flag()
          + " is set too: give the password once");
    }
    Optional<String> nodeUrl = values.optional(ServeOption.NODE_URL,
        url -> CacheConfig.builder(dir).nodeUrl(url).build().nodeUrl().orElseThrow());
    if (driver == DriverKind.POSTGRES) {
      RawSetting driverSource = values.raw(ServeOption.DRIVER).orElseThrow();
      if (dbUrl.isEmpty()) {
        throw driverSource.invalid("driver postgres needs " + ServeOption.DB_URL.flag()
            + " (the jdbc:postgresql: URL of the database the fleet shares)");
      }
      if (nodeUrl.isEmpty()) {
        throw driverSource.invalid("driver postgres needs " + ServeOption.NODE_URL.flag()
            + " (the URL other nodes reach this one at)");
      }
    }
    Optional<CacheConfig.Fleet> fleet = fleet(values, driver);
    CacheConfig.Builder builder = CacheConfig.builder(dir)
        .driver(driver)
        .fleet(fleet)
        .maxSize(values.get(ServeOption.MAX_SIZE, Sizes::parse, CacheConfig.DEFAULT_MAX_SIZE))
        .stallTime(values.get(
            ServeOption.STALL_TIME, Durations::parse, CacheConfig.DEFAULT_STALL_TIME))
        .durable(!values.get(ServeOption.NO_FSYNC, OptionParsers::bool, false))
        .dbUrl(dbUrl)
        .dbPassword(dbPassword)
        .nodeUrl(nodeUrl)
        .prefetchWorkers(values.get(ServeOption.PREFETCH_WORKERS, OptionParsers::count,
            CacheConfig.DEFAULT_PREFETCH_WORKERS))
        .prefetchMaxAttempts(values.get(ServeOption.PREFETCH_ATTEMPTS, OptionParsers::count,
            CacheConfig.DEFAULT_PREFETCH_MAX_ATTEMPTS))
        .highWater(values.get(ServeOption.HIGH_WATER, OptionParsers::percent,
            CacheConfig.DEFAULT_HIGH_WATER))
        .lowWater(values.get(ServeOption.LOW_WATER, OptionParsers::percent,
            CacheConfig.DEFAULT_LOW_WATER))
        .minFreeDisk(values.get(ServeOption.MIN_FREE_DISK, OptionParsers::percent,
            CacheConfig.DEFAULT_MIN_FREE_DISK))
        .pruneInterval(values.get(ServeOption.PRUNE_INTERVAL, OptionParsers::positive,
            CacheConfig.DEFAULT_PRUNE_INTERVAL))
        .cleanInterval(values.get(ServeOption.CLEAN_INTERVAL, OptionParsers::positive,
            CacheConfig.DEFAULT_CLEAN_INTERVAL));
    checkWaterMarks(values);
    try {
      return builder.build();
    } catch (IllegalArgumentException e) {
      throw new SettingsException("invalid cache settings: " + e.getMessage(), e);
    }
  }

  /**
   * The fleet settings: on with a fleet token, which needs driver postgres; node-dead-after and
   * peer-uploads mean something only then.
   */
  private static Optional<CacheConfig.Fleet> fleet(OptionValues values, DriverKind driver)
      throws SettingsException {
    Optional<String> token = values.secret(ServeOption.FLEET_TOKEN, SettingsResolver::fleetToken);
    if (token.isEmpty()) {
      for (ServeOption option : new ServeOption[] {
          ServeOption.NODE_DEAD_AFTER, ServeOption.PEER_UPLOADS}) {
        Optional<RawSetting> raw = values.raw(option);
        if (raw.isPresent()) {
          throw raw.get().invalid("it applies to a fleet only: set "
              + ServeOption.FLEET_TOKEN.flag() + " (and driver postgres) too");
        }
      }
      return Optional.empty();
    }
    if (driver != DriverKind.POSTGRES) {
      RawSetting raw = values.raw(ServeOption.FLEET_TOKEN)
          .or(() -> values.raw(ServeOption.FLEET_TOKEN_FILE)).orElseThrow();
      throw raw.invalid("a fleet needs " + ServeOption.DRIVER.flag()
          + " postgres (the database its nodes share), not " + driver.configName());
    }
    return Optional.of(new CacheConfig.Fleet(token.get(),
        values.get(ServeOption.NODE_DEAD_AFTER, OptionParsers::positive,
            CacheConfig.Fleet.DEFAULT_NODE_DEAD_AFTER),
        values.get(ServeOption.PEER_UPLOADS, OptionParsers::count,
            CacheConfig.Fleet.DEFAULT_PEER_UPLOADS)));
  }

  private static String fleetToken(String token) {
    if (!ServeSettings.isValidToken(token)) {
      throw new IllegalArgumentException(
          "the fleet token must be non-empty visible ASCII without spaces (it is sent in a header)");
    }
    return token;
  }

  /**
   * The low-water mark must not be above the high-water mark: refused in the options' own terms
   * (names and percents), blaming the one that was set (the low one when both were).
   */
  private static void checkWaterMarks(OptionValues values) throws SettingsException {
    double high = values.get(ServeOption.HIGH_WATER, OptionParsers::percent,
        CacheConfig.DEFAULT_HIGH_WATER);
    double low = values.get(ServeOption.LOW_WATER, OptionParsers::percent,
        CacheConfig.DEFAULT_LOW_WATER);
    if (low <= high) {
      return;
    }
    Optional<RawSetting> lowRaw = values.raw(ServeOption.LOW_WATER);
    if (lowRaw.isPresent()) {
      throw lowRaw.get().invalid("must not be above " + ServeOption.HIGH_WATER.flag() + " ("
          + percentText(high) + values.raw(ServeOption.HIGH_WATER).map(raw -> "")
              .orElse(", the default") + ")");
    }
    throw values.raw(ServeOption.HIGH_WATER).orElseThrow().invalid("must not be below "
        + ServeOption.LOW_WATER.flag() + " (" + percentText(low)
        + ", the default)");
  }

  /** A fraction as the percent a user writes: {@code 0.8} as {@code 80%}. */
  private static String percentText(double fraction) {
    double percent = Math.round(fraction * 100 * 1000) / 1000.0;
    return (percent == Math.rint(percent) ? String.valueOf((long) percent)
        : String.valueOf(percent)) + "%";
  }

  private static OriginFetch originFetch(OptionValues values) throws SettingsException {
    return new OriginFetch(
        values.get(ServeOption.VERIFY, OriginConfig.Verify::parse, OriginFetch.DEFAULT.verify()),
        values.get(ServeOption.ORIGIN_RESUME_ATTEMPTS, OptionParsers::resumeAttempts,
            OriginFetch.DEFAULT.resumeAttempts()),
        values.get(ServeOption.ORIGIN_CONNECTIONS, OptionParsers::originConnections,
            OriginFetch.DEFAULT.connections()));
  }

  private static OriginTimeouts originTimeouts(OptionValues values) throws SettingsException {
    OriginTimeouts defaults = OriginTimeouts.DEFAULT;
    return new OriginTimeouts(
        values.get(ServeOption.ORIGIN_CONNECT_TIMEOUT, OptionParsers::positive,
            defaults.connect()),
        values.get(ServeOption.ORIGIN_FIRST_BYTE_TIMEOUT, OptionParsers::positive,
            defaults.firstByte()),
        values.get(ServeOption.ORIGIN_IDLE_TIMEOUT, OptionParsers::positive,
            defaults.idle()));
  }

  private static String origin(String text) {
    if (text.isBlank()) {
      throw new IllegalArgumentException("an ORIGIN is required: a directory, http(s)://.../{id}"
          + " or glance+http(s)://HOST:PORT");
    }
    // The cache would refuse it only once started, after the admin token and the directory
    // were written: refuse it with the other settings.
    OriginConfig.check(text.strip());
    return text.strip();
  }
}
