package io.imagecache.cli;

import io.imagecache.CacheConfig;
import io.imagecache.DriverKind;
import io.imagecache.Durations;
import io.imagecache.Sizes;
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
        values.optional(ServeOption.ADMIN_TOKEN, ServeSettings::requireToken),
        originTimeouts(values),
        values.optional(ServeOption.ORIGIN_TOKEN, ServeSettings::requireToken),
        values.get(ServeOption.BLOCKING_THREADS, SettingsResolver::threads,
            ServeSettings.DEFAULT_BLOCKING_THREADS),
        values.get(ServeOption.SHUTDOWN_GRACE, Durations::parse,
            ServeSettings.DEFAULT_SHUTDOWN_GRACE),
        keystone(values));
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
    try {
      return builder.build();
    } catch (IllegalArgumentException e) {
      throw new SettingsException("invalid cache settings: " + e.getMessage(), e);
    }
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
    secretFrom(values, auth, ServeOption.ORIGIN_AUTH_APPLICATION_CREDENTIAL_SECRET_FILE,
        ServeOption.ORIGIN_AUTH_APPLICATION_CREDENTIAL_SECRET);
    secretFrom(values, auth, ServeOption.ORIGIN_AUTH_PASSWORD_FILE,
        ServeOption.ORIGIN_AUTH_PASSWORD);
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

  /** Reads {@code secret} from the file {@code fileOption} names; both at once is an error. */
  private static void secretFrom(Values values, Map<ServeOption, String> auth,
      ServeOption fileOption, ServeOption secret) throws SettingsException {
    Optional<RawSetting> file = values.raw(fileOption);
    if (file.isEmpty()) {
      return;
    }
    if (auth.containsKey(secret)) {
      throw refused(file.get(), "give " + secret.flag() + " or " + fileOption.flag() + ", not both");
    }
    auth.put(secret, secretFile(file.get()));
  }

  /** The content of the file {@code raw} names, surrounding whitespace removed; never echoed. */
  private static String secretFile(RawSetting raw) throws SettingsException {
    Path file = Path.of(raw.value().strip());
    String content;
    try {
      content = Files.readString(file).strip();
    } catch (IOException | RuntimeException e) {
      throw refused(raw, "cannot read the file: " + e.getClass().getSimpleName());
    }
    if (content.isEmpty()) {
      throw refused(raw, "the file is empty");
    }
    return content;
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
    return text.strip();
  }
}
