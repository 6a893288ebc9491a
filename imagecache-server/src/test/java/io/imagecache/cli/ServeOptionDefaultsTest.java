package io.imagecache.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.imagecache.CacheConfig;
import io.imagecache.Durations;
import io.imagecache.OriginConfig;
import io.imagecache.Sizes;
import io.imagecache.server.ClientLimits;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The defaults {@code serve --help} names are the constants the settings use: the help text is
 * written out, so this is what keeps it from drifting from the one source of each default.
 */
class ServeOptionDefaultsTest {
  private static final Pattern DEFAULT = Pattern.compile("\\(default: ([^)]*)\\)");

  @Test
  void sizesAndDurationsAreTheConfigsDefaults() {
    assertThat(Sizes.parse(helpDefault(ServeOption.MAX_SIZE)))
        .isEqualTo(CacheConfig.DEFAULT_MAX_SIZE);
    assertThat(Durations.parse(helpDefault(ServeOption.STALL_TIME)))
        .isEqualTo(CacheConfig.DEFAULT_STALL_TIME);
    assertThat(Durations.parse(helpDefault(ServeOption.PRUNE_INTERVAL)))
        .isEqualTo(CacheConfig.DEFAULT_PRUNE_INTERVAL);
    assertThat(Durations.parse(helpDefault(ServeOption.CLEAN_INTERVAL)))
        .isEqualTo(CacheConfig.DEFAULT_CLEAN_INTERVAL);
    assertThat(Durations.parse(helpDefault(ServeOption.SHUTDOWN_GRACE)))
        .isEqualTo(ServeSettings.DEFAULT_SHUTDOWN_GRACE);
  }

  @Test
  void clientLimitsAreTheServersDefaults() {
    ClientLimits defaults = ClientLimits.DEFAULT;
    assertThat(Durations.parse(helpDefault(ServeOption.HEADER_TIMEOUT)))
        .isEqualTo(defaults.headerTimeout());
    assertThat(Durations.parse(helpDefault(ServeOption.IDLE_TIMEOUT)))
        .isEqualTo(defaults.idleTimeout());
    assertThat(Durations.parse(helpDefault(ServeOption.WRITE_STALL_TIMEOUT)))
        .isEqualTo(defaults.writeStallTimeout());
    assertThat(Integer.parseInt(helpDefault(ServeOption.MAX_CONNECTIONS)))
        .isEqualTo(defaults.maxConnections());
    assertThat(Sizes.parse(helpDefault(ServeOption.MAX_HEADER_SIZE)))
        .isEqualTo(defaults.maxHeaderSize());
  }

  @Test
  void originTimeoutsAreTheOriginConfigsDefaults() {
    assertThat(Durations.parse(helpDefault(ServeOption.ORIGIN_CONNECT_TIMEOUT)))
        .isEqualTo(OriginConfig.DEFAULT_CONNECT_TIMEOUT)
        .isEqualTo(OriginTimeouts.DEFAULT.connect());
    assertThat(Durations.parse(helpDefault(ServeOption.ORIGIN_FIRST_BYTE_TIMEOUT)))
        .isEqualTo(OriginConfig.DEFAULT_FIRST_BYTE_TIMEOUT)
        .isEqualTo(OriginTimeouts.DEFAULT.firstByte());
    assertThat(Durations.parse(helpDefault(ServeOption.ORIGIN_IDLE_TIMEOUT)))
        .isEqualTo(OriginConfig.DEFAULT_IDLE_TIMEOUT)
        .isEqualTo(OriginTimeouts.DEFAULT.idle());
  }

  @Test
  void countsAndPercentagesAreTheConfigsDefaults() {
    assertThat(Integer.parseInt(helpDefault(ServeOption.PREFETCH_WORKERS)))
        .isEqualTo(CacheConfig.DEFAULT_PREFETCH_WORKERS);
    assertThat(Integer.parseInt(helpDefault(ServeOption.PREFETCH_ATTEMPTS)))
        .isEqualTo(CacheConfig.DEFAULT_PREFETCH_MAX_ATTEMPTS);
    assertThat(Double.parseDouble(helpDefault(ServeOption.HIGH_WATER)) / 100)
        .isEqualTo(CacheConfig.DEFAULT_HIGH_WATER);
    assertThat(Double.parseDouble(helpDefault(ServeOption.LOW_WATER)) / 100)
        .isEqualTo(CacheConfig.DEFAULT_LOW_WATER);
    assertThat(Double.parseDouble(helpDefault(ServeOption.MIN_FREE_DISK)) / 100)
        .isEqualTo(CacheConfig.DEFAULT_MIN_FREE_DISK);
    assertThat(Integer.parseInt(helpDefault(ServeOption.BLOCKING_THREADS)))
        .isEqualTo(ServeSettings.DEFAULT_BLOCKING_THREADS);
  }

  @Test
  void theListenAddressAndCacheDirectoryAreTheServersDefaults() {
    assertThat(ListenAddress.parse(helpDefault(ServeOption.LISTEN)))
        .isEqualTo(ListenAddress.DEFAULT);
    assertThat(Path.of(helpDefault(ServeOption.CACHE_DIR)).normalize())
        .isEqualTo(SettingsResolver.DEFAULT_CACHE_DIR);
  }

  private static String helpDefault(ServeOption option) {
    Matcher matcher = DEFAULT.matcher(option.description());
    assertThat(matcher.find()).as("%s names its default", option).isTrue();
    return matcher.group(1);
  }
}
