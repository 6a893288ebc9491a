package io.imagecache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class CacheConfigTest {
  private static final Path DIR = Path.of("/var/cache/imagecache");

  @Test
  void defaultsAreGlancesWithDurableCommits() {
    assertThat(CacheConfig.defaults(DIR)).isEqualTo(new CacheConfig(
        DIR, DriverKind.SQLITE, 10L * 1024 * 1024 * 1024, Duration.ofHours(24), true,
        Optional.empty(), Optional.empty(), 1.0, 0.9, Duration.ofSeconds(1), 2, 5, 0.05,
        Duration.ofMinutes(1), Duration.ofHours(1)));
  }

  @Test
  void builderSetsEveryField() {
    CacheConfig config = CacheConfig.builder(DIR)
        .driver(DriverKind.POSTGRES)
        .maxSize(Sizes.parse("500MB"))
        .stallTime(Durations.parse("30m"))
        .durable(false)
        .dbUrl("jdbc:postgresql://db.example/imagecache?user=cache")
        .nodeUrl("http://node-1:9292")
        .highWater(0.95)
        .lowWater(0.8)
        .flushInterval(Duration.ofMillis(250))
        .prefetchWorkers(4)
        .prefetchMaxAttempts(3)
        .minFreeDisk(0.1)
        .pruneInterval(Duration.ofSeconds(30))
        .cleanInterval(Duration.ofMinutes(10))
        .build();

    assertThat(config).isEqualTo(new CacheConfig(
        DIR, DriverKind.POSTGRES, 500_000_000L, Duration.ofMinutes(30), false,
        Optional.of("jdbc:postgresql://db.example/imagecache?user=cache"),
        Optional.of("http://node-1:9292"), 0.95, 0.8, Duration.ofMillis(250), 4, 3, 0.1,
        Duration.ofSeconds(30), Duration.ofMinutes(10)));
    assertThat(config.toBuilder().build()).isEqualTo(config);
  }

  static Stream<Arguments> invalidSettings() {
    return Stream.of(
        invalid(b -> b.maxSize(-1), "maxSize must be >= 0: -1"),
        invalid(b -> b.stallTime(Duration.ofSeconds(-5)), "stallTime must be >= 0: -5s"),
        invalid(b -> b.highWater(0), "highWater must be > 0 and <= 1: 0.0"),
        invalid(b -> b.highWater(1.5), "highWater must be > 0 and <= 1: 1.5"),
        invalid(b -> b.highWater(Double.NaN), "highWater must be > 0 and <= 1: NaN"),
        invalid(b -> b.lowWater(-0.1), "lowWater must be >= 0 and <= highWater (1.0): -0.1"),
        invalid(b -> b.highWater(0.8).lowWater(0.9),
            "lowWater must be >= 0 and <= highWater (0.8): 0.9"),
        invalid(b -> b.flushInterval(Duration.ZERO), "flushInterval must be > 0: 0s"),
        invalid(b -> b.prefetchWorkers(0), "prefetchWorkers must be >= 1: 0"),
        invalid(b -> b.prefetchMaxAttempts(0), "prefetchMaxAttempts must be >= 1: 0"),
        invalid(b -> b.minFreeDisk(-0.01), "minFreeDisk must be >= 0 and < 1: -0.01"),
        invalid(b -> b.minFreeDisk(1), "minFreeDisk must be >= 0 and < 1: 1.0"),
        invalid(b -> b.pruneInterval(Duration.ZERO), "pruneInterval must be > 0: 0s"),
        invalid(b -> b.cleanInterval(Duration.ofSeconds(-1)), "cleanInterval must be > 0: -1s"),
        invalid(b -> b.dbUrl("postgres://db/cache"),
            "dbUrl must be a JDBC URL starting with jdbc:postgresql: \"postgres://db/cache\""),
        invalid(b -> b.nodeUrl("node-1:9292"),
            "nodeUrl must be an http:// or https:// URL with a host: \"node-1:9292\""),
        invalid(b -> b.nodeUrl("http://"),
            "nodeUrl must be an http:// or https:// URL with a host: \"http://\""),
        invalid(b -> b.driver(DriverKind.POSTGRES).nodeUrl("http://node-1:9292"),
            "driver postgres needs dbUrl (a jdbc:postgresql: URL of the shared database)"),
        invalid(b -> b.driver(DriverKind.POSTGRES).dbUrl("jdbc:postgresql://db/cache"),
            "driver postgres needs nodeUrl (the URL other nodes reach this one at)"));
  }

  @ParameterizedTest(name = "{1}")
  @MethodSource("invalidSettings")
  void rejectsInvalidSettingsNamingTheFieldAndValue(
      UnaryOperator<CacheConfig.Builder> change, String message) {
    assertThatThrownBy(() -> change.apply(CacheConfig.builder(DIR)).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(message);
  }

  @ParameterizedTest
  @ValueSource(strings = {"sqlite", "SQLite", " xattr ", "POSTGRES"})
  void driverNamesIgnoreCase(String name) {
    assertThat(DriverKind.parse(name).configName()).isEqualTo(name.strip().toLowerCase());
  }

  @Test
  void anUnknownDriverNamesTheChoices() {
    assertThatThrownBy(() -> DriverKind.parse("centralized_db"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("unknown driver \"centralized_db\": expected one of sqlite, xattr, postgres");
  }

  private static Arguments invalid(UnaryOperator<CacheConfig.Builder> change, String message) {
    return Arguments.of(change, message);
  }
}
