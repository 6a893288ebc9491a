package io.imagecache.cli;

import io.imagecache.CacheConfig;
import io.imagecache.DriverKind;
import io.imagecache.Durations;
import io.imagecache.OriginConfig;
import io.imagecache.Sizes;
import io.imagecache.server.ClientLimits;
import io.imagecache.server.OriginTls;
import io.imagecache.keystone.KeystoneClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
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

  private static final String COMMAND_LINE = "the command line";
  /** A {@code password=} parameter in a JDBC URL. */
  private static final Pattern URL_PASSWORD = Pattern.compile("(?i)[?&;]password=");

  private SettingsResolver() {}

  /** The config file to read: {@code --config}, else {@code IMAGECACHE_CONFIG}, else none. */
  static Optional<Path> configFile(Map<String, String> flags, Map<String, String> env)
      throws SettingsException {
    return new Values(flags, env, Map.of()).optional(ServeOption.CONFIG, SettingsResolver::path);
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
    Values values = values(flags, env, configFile);
    return new ServeSettings(
        cacheConfig(values),
        values.get(ServeOption.LISTEN, ListenAddress::parse, ListenAddress.DEFAULT),
        values.optional(ServeOption.ORIGIN, SettingsResolver::origin),
        values.secret(ServeOption.ADMIN_TOKEN, ServeSettings::requireToken),
        originTimeouts(values),
        values.secret(ServeOption.ORIGIN_TOKEN, ServeSettings::requireToken),
        values.get(ServeOption.BLOCKING_THREADS, SettingsResolver::threads,
            ServeSettings.DEFAULT_BLOCKING_THREADS),
        values.get(ServeOption.SHUTDOWN_GRACE, Durations::parse,
            ServeSettings.DEFAULT_SHUTDOWN_GRACE),
        clientLimits(values),
        values.get(ServeOption.READYZ_ORIGIN, SettingsResolver::onOff, false),
        tlsSettings(values),
        keystone(values),
        originFetch(values));
  }

  private static ClientLimits clientLimits(Values values) throws SettingsException {
    ClientLimits defaults = ClientLimits.DEFAULT;
    return new ClientLimits(
        values.get(ServeOption.HEADER_TIMEOUT, SettingsResolver::positive,
            defaults.headerTimeout()),
        values.get(ServeOption.IDLE_TIMEOUT, SettingsResolver::positive, defaults.idleTimeout()),
        values.get(ServeOption.WRITE_STALL_TIMEOUT, SettingsResolver::positive,
            defaults.writeStallTimeout()),
        values.get(ServeOption.MAX_CONNECTIONS, SettingsResolver::maxConnections,
            defaults.maxConnections()),
        values.get(ServeOption.MAX_HEADER_SIZE, SettingsResolver::headerSize,
            defaults.maxHeaderSize()));
  }

  private static int maxConnections(String text) {
    String digits = text.strip();
    if (digits.isEmpty() || digits.length() > 7 || !digits.chars().allMatch(Character::isDigit)
        || Integer.parseInt(digits) < 1 || Integer.parseInt(digits) > ClientLimits.MAX_CONNECTIONS) {
      throw new IllegalArgumentException(
          "expected a whole number from 1 to " + ClientLimits.MAX_CONNECTIONS);
    }
    return Integer.parseInt(digits);
  }

  private static int headerSize(String text) {
    long size = Sizes.parse(text);
    if (size < ClientLimits.MIN_HEADER_SIZE || size > ClientLimits.MAX_HEADER_SIZE) {
      throw new IllegalArgumentException("expected a size from 1KiB to 1MiB");
    }
    return (int) size;
  }

  private static TlsSettings tlsSettings(Values values) throws SettingsException {
    Optional<ListenAddress> listen = values.optional(ServeOption.TLS_LISTEN, ListenAddress::parse);
    Optional<Path> certificate = values.optional(ServeOption.TLS_CERT, SettingsResolver::path);
    Optional<Path> key = values.optional(ServeOption.TLS_KEY, SettingsResolver::path);
    Optional<Path> clientCa = values.optional(ServeOption.TLS_CLIENT_CA, SettingsResolver::path);
    if (listen.isPresent()) {
      RawSetting source = values.raw(ServeOption.TLS_LISTEN).orElseThrow();
      for (ServeOption needed : new ServeOption[] {ServeOption.TLS_CERT, ServeOption.TLS_KEY}) {
        if (values.raw(needed).isEmpty()) {
          throw source.invalid("the TLS listener needs " + needed.flag());
        }
      }
    } else {
      for (ServeOption file : new ServeOption[] {
          ServeOption.TLS_CERT, ServeOption.TLS_KEY, ServeOption.TLS_CLIENT_CA}) {
        if (values.raw(file).isPresent()) {
          throw values.raw(file).get().invalid(
              "serves only on a TLS listener: set " + ServeOption.TLS_LISTEN.flag() + " too");
        }
      }
    }
    Optional<Path> originCert =
        values.optional(ServeOption.ORIGIN_CLIENT_CERT, SettingsResolver::path);
    Optional<Path> originKey =
        values.optional(ServeOption.ORIGIN_CLIENT_KEY, SettingsResolver::path);
    if (originCert.isPresent() != originKey.isPresent()) {
      ServeOption given = originCert.isPresent()
          ? ServeOption.ORIGIN_CLIENT_CERT : ServeOption.ORIGIN_CLIENT_KEY;
      ServeOption missing = originCert.isPresent()
          ? ServeOption.ORIGIN_CLIENT_KEY : ServeOption.ORIGIN_CLIENT_CERT;
      throw values.raw(given).orElseThrow().invalid("needs " + missing.flag() + " too");
    }
    OriginTls origin = new OriginTls(
        values.optional(ServeOption.ORIGIN_CA_FILE, SettingsResolver::path).map(Path::toAbsolutePath),
        originCert.map(Path::toAbsolutePath), originKey.map(Path::toAbsolutePath));
    return new TlsSettings(listen, certificate.map(Path::toAbsolutePath),
        key.map(Path::toAbsolutePath), clientCa.map(Path::toAbsolutePath), origin);
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
      pick(option, flags, env, file).ifPresent(raw -> sources.put(option, raw.source()));
    }
    for (ServeOption option : ServeOption.values()) {
      Optional<ServeOption> twin = option.fileTwin();
      if (twin.isPresent() && sources.containsKey(twin.get())) {
        RawSetting path = pick(twin.get(), flags, env, file).orElseThrow();
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
    Values values = values(flags, env, configFile);
    return new LogSettings(
        values.get(ServeOption.LOG_LEVEL, LogSettings.Level::parse, LogSettings.Level.INFO),
        values.get(ServeOption.LOG_FORMAT, LogSettings::parseJson, false),
        values.get(ServeOption.ACCESS_LOG, LogSettings.Access::parse, LogSettings.Access.OFF));
  }

  private static Values values(
      Map<String, String> flags, Map<String, String> env, Optional<Path> configFile)
      throws SettingsException {
    Map<ServeOption, RawSetting> file = new EnumMap<>(ServeOption.class);
    if (configFile.isPresent()) {
      String source = pick(ServeOption.CONFIG, flags, env, Map.of())
          .map(RawSetting::source)
          .orElse("the caller");
      file.putAll(ConfigFile.read(configFile.get(), source));
    }
    return new Values(flags, env, file);
  }

  private static CacheConfig cacheConfig(Values values) throws SettingsException {
    Path dir = values.get(ServeOption.CACHE_DIR, SettingsResolver::path, DEFAULT_CACHE_DIR)
        .toAbsolutePath().normalize();
    DriverKind driver = values.get(ServeOption.DRIVER, DriverKind::parse, DriverKind.SQLITE);
    // CacheConfig owns the URL rules: check each URL alone so an error names its option.
    Optional<String> dbUrl = values.optional(ServeOption.DB_URL,
        url -> CacheConfig.builder(dir).dbUrl(url).build().dbUrl().orElseThrow());
    Optional<String> dbPassword =
        values.secret(ServeOption.DB_PASSWORD, SettingsResolver::password);
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
    CacheConfig.Builder builder = CacheConfig.builder(dir)
        .driver(driver)
        .maxSize(values.get(ServeOption.MAX_SIZE, Sizes::parse, CacheConfig.DEFAULT_MAX_SIZE))
        .stallTime(values.get(
            ServeOption.STALL_TIME, Durations::parse, CacheConfig.DEFAULT_STALL_TIME))
        .durable(!values.get(ServeOption.NO_FSYNC, SettingsResolver::bool, false))
        .dbUrl(dbUrl)
        .dbPassword(dbPassword)
        .nodeUrl(nodeUrl)
        .prefetchWorkers(values.get(ServeOption.PREFETCH_WORKERS, SettingsResolver::count,
            CacheConfig.DEFAULT_PREFETCH_WORKERS))
        .prefetchMaxAttempts(values.get(ServeOption.PREFETCH_ATTEMPTS, SettingsResolver::count,
            CacheConfig.DEFAULT_PREFETCH_MAX_ATTEMPTS))
        .highWater(values.get(ServeOption.HIGH_WATER, SettingsResolver::percent,
            CacheConfig.DEFAULT_HIGH_WATER))
        .lowWater(values.get(ServeOption.LOW_WATER, SettingsResolver::percent,
            CacheConfig.DEFAULT_LOW_WATER))
        .minFreeDisk(values.get(ServeOption.MIN_FREE_DISK, SettingsResolver::percent,
            CacheConfig.DEFAULT_MIN_FREE_DISK))
        .pruneInterval(values.get(ServeOption.PRUNE_INTERVAL, SettingsResolver::positive,
            CacheConfig.DEFAULT_PRUNE_INTERVAL))
        .cleanInterval(values.get(ServeOption.CLEAN_INTERVAL, SettingsResolver::positive,
            CacheConfig.DEFAULT_CLEAN_INTERVAL));
    checkWaterMarks(values);
    try {
      return builder.build();
    } catch (IllegalArgumentException e) {
      throw new SettingsException("invalid cache settings: " + e.getMessage(), e);
    }
  }

  /**
   * The low-water mark must not be above the high-water mark: refused in the options' own terms
   * (names and percents), blaming the one that was set (the low one when both were).
   */
  private static void checkWaterMarks(Values values) throws SettingsException {
    double high = values.get(ServeOption.HIGH_WATER, SettingsResolver::percent,
        CacheConfig.DEFAULT_HIGH_WATER);
    double low = values.get(ServeOption.LOW_WATER, SettingsResolver::percent,
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

  /**
   * {@code keystone-url} with {@code admin-role} and the {@code origin-auth-*} options, which
   * need it; a login is an application credential (id and secret) or a user (name, password,
   * project), each secret given directly or by its {@code -file}, never besides origin-token.
   */
  private static Optional<KeystoneSettings> keystone(Values values) throws SettingsException {
    Optional<String> url = values.optional(ServeOption.KEYSTONE_URL, text -> {
      KeystoneClient.tokensUri(text);
      return text.strip();
    });
    String role = values.get(ServeOption.ADMIN_ROLE, SettingsResolver::name,
        KeystoneSettings.DEFAULT_ADMIN_ROLE);
    Map<ServeOption, String> auth = new EnumMap<>(ServeOption.class);
    for (ServeOption option : KeystoneSettings.ORIGIN_AUTH) {
      values.optional(option, SettingsResolver::name).ifPresent(value -> auth.put(option, value));
    }
    for (ServeOption secret : KeystoneSettings.SECRETS) {
      // The generic -file rule: read from the twin file, both given is an error.
      Optional<String> value = values.secret(secret, SettingsResolver::name);
      if (value.isPresent()) {
        auth.put(secret, value.get());
      }
    }
    if (url.isEmpty()) {
      Optional<RawSetting> needing = values.raw(ServeOption.ADMIN_ROLE);
      if (needing.isEmpty() && !auth.isEmpty()) {
        needing = values.raw(auth.keySet().iterator().next());
      }
      if (needing.isPresent()) {
        throw refused(needing.get(), "needs " + ServeOption.KEYSTONE_URL.flag());
      }
      return Optional.empty();
    }
    boolean application = auth.containsKey(ServeOption.ORIGIN_AUTH_APPLICATION_CREDENTIAL_ID);
    boolean user = auth.containsKey(ServeOption.ORIGIN_AUTH_USERNAME);
    if (application && user) {
      throw refused(values.raw(ServeOption.ORIGIN_AUTH_USERNAME).orElseThrow(),
          "give either a user or " + ServeOption.ORIGIN_AUTH_APPLICATION_CREDENTIAL_ID.flag()
              + ", not both");
    }
    List<ServeOption> required = application
        ? List.of(ServeOption.ORIGIN_AUTH_APPLICATION_CREDENTIAL_SECRET)
        : List.of(ServeOption.ORIGIN_AUTH_PASSWORD, ServeOption.ORIGIN_AUTH_PROJECT);
    if (!auth.isEmpty() && !application && !user) {
      throw refused(values.raw(auth.keySet().iterator().next()).orElseThrow(), "needs "
          + ServeOption.ORIGIN_AUTH_USERNAME.flag() + " or "
          + ServeOption.ORIGIN_AUTH_APPLICATION_CREDENTIAL_ID.flag());
    }
    if (application || user) {
      ServeOption login = application
          ? ServeOption.ORIGIN_AUTH_APPLICATION_CREDENTIAL_ID : ServeOption.ORIGIN_AUTH_USERNAME;
      for (ServeOption option : required) {
        if (!auth.containsKey(option)) {
          throw refused(values.raw(login).orElseThrow(), "needs " + option.flag()
              + (KeystoneSettings.SECRETS.contains(option) ? " or " + option.flag() + "-file" : ""));
        }
      }
      Optional<RawSetting> token = values.raw(ServeOption.ORIGIN_TOKEN);
      if (token.isPresent()) {
        throw refused(token.get(), "the cache logs in with " + login.flag()
            + " and gets its origin token from Keystone: give one or the other");
      }
    }
    return Optional.of(new KeystoneSettings(url.get(), role, auth));
  }

  /** {@code raw}'s error; the value of a secret option is not shown. */
  private static SettingsException refused(RawSetting raw, String problem) {
    if (KeystoneSettings.SECRETS.contains(raw.option()) || raw.option() == ServeOption.ORIGIN_TOKEN) {
      return new SettingsException("invalid " + raw.option().flag() + " (from " + raw.source()
          + "): " + problem);
    }
    return raw.invalid(problem);
  }

  /** A Keystone name, id or secret: anything but blank. */
  private static String name(String text) {
    if (text.isBlank()) {
      throw new IllegalArgumentException("must not be empty");
    }
    return text.strip();
  }

  private static OriginFetch originFetch(Values values) throws SettingsException {
    return new OriginFetch(
        values.get(ServeOption.VERIFY, OriginConfig.Verify::parse, OriginFetch.DEFAULT.verify()),
        values.get(ServeOption.ORIGIN_RESUME_ATTEMPTS, SettingsResolver::resumeAttempts,
            OriginFetch.DEFAULT.resumeAttempts()));
  }

  private static OriginTimeouts originTimeouts(Values values) throws SettingsException {
    OriginTimeouts defaults = OriginTimeouts.DEFAULT;
    return new OriginTimeouts(
        values.get(ServeOption.ORIGIN_CONNECT_TIMEOUT, SettingsResolver::positive,
            defaults.connect()),
        values.get(ServeOption.ORIGIN_FIRST_BYTE_TIMEOUT, SettingsResolver::positive,
            defaults.firstByte()),
        values.get(ServeOption.ORIGIN_IDLE_TIMEOUT, SettingsResolver::positive,
            defaults.idle()));
  }

  /** The winning raw value of {@code option}: flag, else environment, else file. */
  private static Optional<RawSetting> pick(ServeOption option, Map<String, String> flags,
      Map<String, String> env, Map<ServeOption, RawSetting> file) {
    String flag = flags.get(option.optionName());
    if (flag != null) {
      return Optional.of(new RawSetting(option, flag, COMMAND_LINE));
    }
    String variable = env.get(option.environmentVariable());
    if (variable != null && !variable.isEmpty()) {
      return Optional.of(new RawSetting(option, variable, option.environmentVariable()));
    }
    return Optional.ofNullable(file.get(option));
  }

  /** The raw values of one resolution, parsed on demand with errors attributed to the source. */
  private static final class Values {
    private final Map<String, String> flags;
    private final Map<String, String> env;
    private final Map<ServeOption, RawSetting> file;

    Values(Map<String, String> flags, Map<String, String> env, Map<ServeOption, RawSetting> file) {
      this.flags = flags;
      this.env = env;
      this.file = file;
    }

    Optional<RawSetting> raw(ServeOption option) {
      return pick(option, flags, env, file);
    }

    <T> T get(ServeOption option, Function<String, T> parser, T defaultValue)
        throws SettingsException {
      return optional(option, parser).orElse(defaultValue);
    }

    /**
     * The secret {@code option}, given as itself or read from the file its {@code -file} twin
     * names; both given is an error naming both. A value from a file that does not parse is
     * reported with the file's name, never its content.
     */
    <T> Optional<T> secret(ServeOption option, Function<String, T> parser)
        throws SettingsException {
      ServeOption twin = option.fileTwin().orElseThrow(
          () -> new IllegalArgumentException(option.optionName() + " has no -file twin"));
      Optional<RawSetting> direct = raw(option);
      Optional<RawSetting> file = raw(twin);
      if (file.isEmpty()) {
        return optional(option, parser);
      }
      if (direct.isPresent()) {
        throw new SettingsException(option.flag() + " (from " + direct.get().source() + ") and "
            + twin.flag() + " (from " + file.get().source() + ") are both set: give one of them");
      }
      String secret = SecretFile.read(file.get());
      try {
        return Optional.of(parser.apply(secret));
      } catch (IllegalArgumentException e) {
        throw file.get().invalid("the file's content: " + e.getMessage());
      }
    }

    <T> Optional<T> optional(ServeOption option, Function<String, T> parser)
        throws SettingsException {
      Optional<RawSetting> raw = raw(option);
      if (raw.isEmpty()) {
        return Optional.empty();
      }
      try {
        return Optional.of(parser.apply(raw.get().value()));
      } catch (IllegalArgumentException e) {
        throw raw.get().invalid(withoutEcho(e.getMessage(), raw.get().value()));
      }
    }
  }

  /**
   * Drops a leading {@code invalid size "VALUE": } from a parser's message, since the option's
   * own message already shows the value.
   */
  private static String withoutEcho(String message, String value) {
    String echo = "^invalid [a-z ]+ \"" + Pattern.quote(value) + "\": ";
    return message == null ? "invalid value" : message.replaceFirst(echo, "");
  }

  private static Path path(String text) {
    if (text.isBlank()) {
      throw new IllegalArgumentException("a path is required");
    }
    return Path.of(text);
  }

  private static String password(String text) {
    if (text.isEmpty()) {
      throw new IllegalArgumentException("the password is empty");
    }
    return text;
  }

  /** {@code on} or {@code off}; also true or false, which YAML makes of a bare on or off. */
  private static boolean onOff(String text) {
    switch (text.strip().toLowerCase(Locale.ROOT)) {
      case "on": case "true":
        return true;
      case "off": case "false":
        return false;
      default:
        throw new IllegalArgumentException("expected on or off");
    }
  }

  private static boolean bool(String text) {
    switch (text.strip().toLowerCase(Locale.ROOT)) {
      case "true": case "yes": case "on": case "1":
        return true;
      case "false": case "no": case "off": case "0":
        return false;
      default:
        throw new IllegalArgumentException("expected true or false");
    }
  }

  private static Duration positive(String text) {
    Duration duration = Durations.parse(text);
    if (duration.isZero()) {
      throw new IllegalArgumentException("must be longer than 0");
    }
    return duration;
  }

  private static int threads(String text) {
    String digits = text.strip();
    if (digits.isEmpty() || digits.length() > 4 || !digits.chars().allMatch(Character::isDigit)) {
      throw new IllegalArgumentException(
          "expected a whole number from 1 to " + ServeSettings.MAX_BLOCKING_THREADS);
    }
    int threads = Integer.parseInt(digits);
    if (threads < 1 || threads > ServeSettings.MAX_BLOCKING_THREADS) {
      throw new IllegalArgumentException(
          "expected a whole number from 1 to " + ServeSettings.MAX_BLOCKING_THREADS);
    }
    return threads;
  }

  /** A whole number from 0 to {@link OriginFetch#MAX_RESUME_ATTEMPTS}. */
  private static int resumeAttempts(String text) {
    String digits = text.strip();
    if (digits.isEmpty() || digits.length() > 4 || !digits.chars().allMatch(Character::isDigit)
        || Integer.parseInt(digits) > OriginFetch.MAX_RESUME_ATTEMPTS) {
      throw new IllegalArgumentException(
          "expected a whole number from 0 to " + OriginFetch.MAX_RESUME_ATTEMPTS);
    }
    return Integer.parseInt(digits);
  }

  /** A whole number from 1 to 1000 (workers, attempts). */
  private static int count(String text) {
    String digits = text.strip();
    if (digits.isEmpty() || digits.length() > 4 || !digits.chars().allMatch(Character::isDigit)
        || Integer.parseInt(digits) < 1 || Integer.parseInt(digits) > 1000) {
      throw new IllegalArgumentException("expected a whole number from 1 to 1000");
    }
    return Integer.parseInt(digits);
  }

  /** A percentage, {@code 90} or {@code 90%}, from 0 to 100, as a fraction. */
  private static double percent(String text) {
    String number = text.strip();
    if (number.endsWith("%")) {
      number = number.substring(0, number.length() - 1).strip();
    }
    try {
      double value = Double.parseDouble(number);
      if (value >= 0 && value <= 100 && !number.isEmpty()
          && number.chars().allMatch(c -> Character.isDigit(c) || c == '.')) {
        return value / 100;
      }
    } catch (NumberFormatException e) {
      // Reported below.
    }
    throw new IllegalArgumentException("expected a percentage from 0 to 100, e.g. 90 or 90%");
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
