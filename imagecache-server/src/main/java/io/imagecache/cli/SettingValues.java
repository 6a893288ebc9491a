package io.imagecache.cli;

import io.imagecache.CacheConfig;
import io.imagecache.Durations;
import io.imagecache.Sizes;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Each option's value in a {@link ServeSettings}, written as the option takes it: what a reload
 * compares and what is shown of the effective configuration, secrets masked on request.
 */
final class SettingValues {
  private static final String NONE = "none";
  private static final Pattern URL_PASSWORD =
      Pattern.compile("(?i)((?:[?&;])password=)[^&;]*|(//[^/@:]*:)[^/@]*(@)");

  private SettingValues() {}

  /**
   * Every option's value but {@code config} (which names the file), the logging options (which
   * {@link LogSettings} holds) and the {@code -file} twins of secrets (their secret's source names
   * the file), in option order.
   */
  static Map<ServeOption, String> of(ServeSettings settings) {
    return of(settings, Optional.empty());
  }

  /** Every option's value but {@code config}, the logging options' from {@code logs}. */
  static Map<ServeOption, String> of(ServeSettings settings, LogSettings logs) {
    return of(settings, Optional.of(logs));
  }

  private static Map<ServeOption, String> of(ServeSettings settings, Optional<LogSettings> logs) {
    Map<ServeOption, String> values = new EnumMap<>(ServeOption.class);
    for (ServeOption option : ServeOption.values()) {
      value(settings, logs, option).ifPresent(value -> values.put(option, value));
    }
    return values;
  }

  /** {@code value} of {@code option} fit to print: tokens hidden, a password in a URL too. */
  static String masked(ServeOption option, String value) {
    return switch (option) {
      case DB_URL -> URL_PASSWORD.matcher(value).replaceAll(match -> Matcher.quoteReplacement(
          match.group(1) != null
              ? match.group(1) + "(secret)"
              : match.group(2) + "(secret)" + match.group(3)));
      default -> option.isSecret() && !value.equals(NONE) ? "(secret)" : value;
    };
  }

  private static Optional<String> value(
      ServeSettings settings, Optional<LogSettings> logs, ServeOption option) {
    CacheConfig cache = settings.cache();
    String value = switch (option) {
      case CONFIG -> null;
      case LISTEN -> settings.listen().toString();
      case TLS_LISTEN -> settings.tls().listen().map(ListenAddress::toString).orElse(NONE);
      case TLS_CERT -> path(settings.tls().certificate());
      case TLS_KEY -> path(settings.tls().key());
      case TLS_CLIENT_CA -> path(settings.tls().clientCa());
      case CACHE_DIR -> cache.dir().toString();
      case DRIVER -> cache.driver().configName();
      case ORIGIN -> settings.origin().orElse(NONE);
      case MAX_SIZE -> Sizes.format(cache.maxSize());
      case STALL_TIME -> Durations.format(cache.stallTime());
      case ADMIN_TOKEN -> settings.adminToken().orElse(NONE);
      case ADMIN_TOKEN_FILE, ORIGIN_TOKEN_FILE -> null; // the secret's row names the file
      case DB_PASSWORD -> cache.dbPassword().orElse(NONE);
      case DB_PASSWORD_FILE -> null;
      case DB_URL -> cache.dbUrl().orElse(NONE);
      case NODE_URL -> cache.nodeUrl().orElse(NONE);
      case FLEET_TOKEN -> cache.fleet().map(CacheConfig.Fleet::token).orElse(NONE);
      case FLEET_TOKEN_FILE -> null;
      case NODE_DEAD_AFTER -> Durations.format(cache.fleet().map(CacheConfig.Fleet::nodeDeadAfter)
          .orElse(CacheConfig.Fleet.DEFAULT_NODE_DEAD_AFTER));
      case PEER_UPLOADS -> Integer.toString(cache.fleet().map(CacheConfig.Fleet::peerUploads)
          .orElse(CacheConfig.Fleet.DEFAULT_PEER_UPLOADS));
      case ORIGIN_CONNECT_TIMEOUT -> Durations.format(settings.originTimeouts().connect());
      case ORIGIN_FIRST_BYTE_TIMEOUT -> Durations.format(settings.originTimeouts().firstByte());
      case ORIGIN_IDLE_TIMEOUT -> Durations.format(settings.originTimeouts().idle());
      case ORIGIN_CA_FILE -> path(settings.tls().origin().caFile());
      case ORIGIN_CLIENT_CERT -> path(settings.tls().origin().clientCert());
      case ORIGIN_CLIENT_KEY -> path(settings.tls().origin().clientKey());
      case VERIFY -> settings.originFetch().verify().optionValue();
      case ORIGIN_RESUME_ATTEMPTS -> Integer.toString(settings.originFetch().resumeAttempts());
      case ORIGIN_CONNECTIONS -> Integer.toString(settings.originFetch().connections());
      case ORIGIN_TOKEN -> settings.originToken().orElse(NONE);
      case KEYSTONE_URL -> settings.keystone().map(KeystoneSettings::url).orElse(NONE);
      case ADMIN_ROLE -> settings.keystone().map(KeystoneSettings::adminRole)
          .orElse(KeystoneSettings.DEFAULT_ADMIN_ROLE);
      case ORIGIN_AUTH_APPLICATION_CREDENTIAL_SECRET_FILE, ORIGIN_AUTH_PASSWORD_FILE -> null;
      case ORIGIN_AUTH_APPLICATION_CREDENTIAL_ID, ORIGIN_AUTH_APPLICATION_CREDENTIAL_SECRET,
          ORIGIN_AUTH_USERNAME, ORIGIN_AUTH_PASSWORD, ORIGIN_AUTH_PROJECT ->
          settings.keystone().map(k -> k.originAuth().get(option)).orElse(NONE);
      case ORIGIN_AUTH_DOMAIN -> settings.keystone()
          .map(k -> k.originAuth().get(option)).orElse(KeystoneSettings.DEFAULT_DOMAIN);
      case PREFETCH_WORKERS -> Integer.toString(cache.prefetchWorkers());
      case PREFETCH_ATTEMPTS -> Integer.toString(cache.prefetchMaxAttempts());
      case HIGH_WATER -> percent(cache.highWater());
      case LOW_WATER -> percent(cache.lowWater());
      case MIN_FREE_DISK -> percent(cache.minFreeDisk());
      case PRUNE_INTERVAL -> Durations.format(cache.pruneInterval());
      case CLEAN_INTERVAL -> Durations.format(cache.cleanInterval());
      case NO_FSYNC -> Boolean.toString(!cache.durable());
      case BLOCKING_THREADS -> Integer.toString(settings.blockingThreads());
      case HEADER_TIMEOUT -> Durations.format(settings.clientLimits().headerTimeout());
      case IDLE_TIMEOUT -> Durations.format(settings.clientLimits().idleTimeout());
      case WRITE_STALL_TIMEOUT -> Durations.format(settings.clientLimits().writeStallTimeout());
      case MAX_CONNECTIONS -> Integer.toString(settings.clientLimits().maxConnections());
      case MAX_HEADER_SIZE -> Sizes.format(settings.clientLimits().maxHeaderSize());
      case SHUTDOWN_GRACE -> Durations.format(settings.shutdownGrace());
      case READYZ_ORIGIN -> settings.readyzOrigin() ? "on" : "off";
      case LOG_LEVEL -> logs.map(l -> l.level().name().toLowerCase(Locale.ROOT)).orElse(null);
      case LOG_FORMAT -> logs.map(l -> l.json() ? "json" : "text").orElse(null);
      case ACCESS_LOG -> logs.map(l -> l.access().stdout() ? "stdout"
          : l.access().file().map(Path::toString).orElse("off")).orElse(null);
    };
    return Optional.ofNullable(value);
  }

  private static String path(Optional<Path> file) {
    return file.map(Path::toString).orElse(NONE);
  }

  private static String percent(double fraction) {
    return BigDecimal.valueOf(fraction).movePointRight(2).stripTrailingZeros().toPlainString()
        + "%";
  }
}
