package io.imagecache.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.imagecache.CacheConfig;
import io.imagecache.DriverKind;
import io.imagecache.server.ClientLimits;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class SettingsResolverTest {

  private static final long GIB = 1L << 30;
  private static final Path DEFAULT_DIR = Path.of("imagecache-data").toAbsolutePath();

  @TempDir
  Path temp;

  // ---- precedence: flag > environment > file > default ----

  /**
   * Each row: flags, environment, config file, and the whole expected record as a function of
   * the defaults.
   */
  static Stream<Arguments> precedence() {
    String file = String.join("\n",
        "listen: 0.0.0.0:1111",
        "max-size: 1GiB",
        "stall-time: 1h",
        "driver: xattr",
        "origin: http://store.example/images/{id}",
        "blocking-threads: 4",
        "origin-idle-timeout: 5m",
        "no-fsync: true",
        "");
    return Stream.of(
        row("nothing set gives the defaults", Map.of(), Map.of(), Optional.empty(),
            defaults -> defaults),
        row("the file overrides the defaults", Map.of(), Map.of(), Optional.of(file),
            defaults -> defaults
                .withListen(new ListenAddress("0.0.0.0", 1111))
                .withCache(cache(defaults).driver(DriverKind.XATTR).maxSize(GIB)
                    .stallTime(Duration.ofHours(1)).durable(false).build())
                .withOrigin("http://store.example/images/{id}")
                .withBlockingThreads(4)
                .withOriginTimeouts(new OriginTimeouts(Duration.ofSeconds(10),
                    Duration.ofSeconds(30), Duration.ofMinutes(5)))),
        row("the environment overrides the file",
            Map.of(),
            Map.of("IMAGECACHE_LISTEN", "127.0.0.1:2222", "IMAGECACHE_MAX_SIZE", "2GiB",
                "IMAGECACHE_NO_FSYNC", "false", "IMAGECACHE_BLOCKING_THREADS", "8"),
            Optional.of(file),
            defaults -> defaults
                .withListen(new ListenAddress("127.0.0.1", 2222))
                .withCache(cache(defaults).driver(DriverKind.XATTR).maxSize(2 * GIB)
                    .stallTime(Duration.ofHours(1)).durable(true).build())
                .withOrigin("http://store.example/images/{id}")
                .withBlockingThreads(8)
                .withOriginTimeouts(new OriginTimeouts(Duration.ofSeconds(10),
                    Duration.ofSeconds(30), Duration.ofMinutes(5)))),
        row("flags override the environment and the file",
            Map.of("listen", "[::1]:3333", "max-size", "3GiB", "driver", "sqlite",
                "origin-idle-timeout", "90s"),
            Map.of("IMAGECACHE_LISTEN", "127.0.0.1:2222", "IMAGECACHE_MAX_SIZE", "2GiB",
                "IMAGECACHE_DRIVER", "xattr", "IMAGECACHE_STALL_TIME", "2h"),
            Optional.of(file),
            defaults -> defaults
                .withListen(new ListenAddress("::1", 3333))
                .withCache(cache(defaults).driver(DriverKind.SQLITE).maxSize(3 * GIB)
                    .stallTime(Duration.ofHours(2)).durable(false).build())
                .withOrigin("http://store.example/images/{id}")
                .withBlockingThreads(4)
                .withOriginTimeouts(new OriginTimeouts(Duration.ofSeconds(10),
                    Duration.ofSeconds(30), Duration.ofSeconds(90)))),
        row("flags override the defaults without a file",
            Map.of("max-size", "500MB", "no-fsync", "true", "admin-token", "letmein",
                "origin-connect-timeout", "1s", "origin-first-byte-timeout", "2s"),
            Map.of("IMAGECACHE_ADMIN_TOKEN", "ignored"),
            Optional.empty(),
            defaults -> defaults
                .withCache(cache(defaults).maxSize(500_000_000L).durable(false).build())
                .withAdminToken("letmein")
                .withOriginTimeouts(new OriginTimeouts(Duration.ofSeconds(1),
                    Duration.ofSeconds(2), Duration.ofSeconds(60)))),
        row("an empty environment variable counts as unset",
            Map.of(), Map.of("IMAGECACHE_MAX_SIZE", ""), Optional.of("max-size: 1GiB\n"),
            defaults -> defaults.withCache(cache(defaults).maxSize(GIB).build())));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("precedence")
  void resolvesFlagOverEnvironmentOverFileOverDefault(String name, Map<String, String> flags,
      Map<String, String> env, Optional<String> yaml,
      Function<ServeSettings, ServeSettings> expected) throws Exception {
    Optional<Path> file = yaml.isPresent()
        ? Optional.of(Files.writeString(temp.resolve("imagecache.yaml"), yaml.get()))
        : Optional.empty();

    ServeSettings settings = SettingsResolver.resolve(flags, env, file);

    assertThat(settings).isEqualTo(expected.apply(ServeSettings.defaults(DEFAULT_DIR)));
  }

  @Test
  void defaultsAreThoseTheDesignPins() throws Exception {
    ServeSettings settings = SettingsResolver.resolve(Map.of(), Map.of(), Optional.empty());

    assertThat(settings).isEqualTo(new ServeSettings(
        new CacheConfig(DEFAULT_DIR, DriverKind.SQLITE, 10 * GIB, Duration.ofHours(24), true,
            Optional.empty(), Optional.empty(), 1.0, 0.9, Duration.ofSeconds(1), 2, 5, 0.05,
            Duration.ofMinutes(1), Duration.ofHours(1)),
        new ListenAddress("127.0.0.1", 9292), Optional.empty(), Optional.empty(),
        new OriginTimeouts(Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofSeconds(60)),
        Optional.empty(), 16, Duration.ofSeconds(30),
        new ClientLimits(Duration.ofSeconds(30), Duration.ofSeconds(60), Duration.ofMinutes(5),
            10_000, 32 * 1024), false, TlsSettings.NONE));
  }

  @Test
  void clientLimitOptionsReachTheirRecord() throws Exception {
    ServeSettings settings = SettingsResolver.resolve(
        Map.of("header-timeout", "2s", "idle-timeout", "90s", "max-connections", "500"),
        Map.of("IMAGECACHE_WRITE_STALL_TIMEOUT", "1m", "IMAGECACHE_MAX_HEADER_SIZE", "16KiB"),
        Optional.empty());

    assertThat(settings.clientLimits()).isEqualTo(new ClientLimits(Duration.ofSeconds(2),
        Duration.ofSeconds(90), Duration.ofMinutes(1), 500, 16 * 1024));
  }

  @Test
  void clientLimitsOutOfRangeAreRejectedNamingTheOption() {
    assertThatThrownBy(() -> SettingsResolver.resolve(
        Map.of("max-connections", "0"), Map.of(), Optional.empty()))
        .isInstanceOf(SettingsException.class)
        .hasMessage("invalid --max-connections \"0\" (from the command line):"
            + " expected a whole number from 1 to 1000000");
    assertThatThrownBy(() -> SettingsResolver.resolve(
        Map.of("max-header-size", "100"), Map.of(), Optional.empty()))
        .isInstanceOf(SettingsException.class)
        .hasMessage("invalid --max-header-size \"100\" (from the command line):"
            + " expected a size from 1KiB to 1MiB");
    assertThatThrownBy(() -> SettingsResolver.resolve(
        Map.of("header-timeout", "0s"), Map.of(), Optional.empty()))
        .isInstanceOf(SettingsException.class)
        .hasMessageStartingWith("invalid --header-timeout \"0s\" (from the command line):");
  }

  @Test
  void boundPrefetchAndOriginTokenOptionsReachTheirRecords() throws Exception {
    ServeSettings settings = SettingsResolver.resolve(
        Map.of("high-water", "95%", "low-water", "80", "min-free-disk", "10",
            "prefetch-workers", "4", "prefetch-attempts", "3", "prune-interval", "30s",
            "clean-interval", "2h", "origin-token", "svc-token"),
        Map.of(), Optional.empty());

    CacheConfig cache = settings.cache();
    assertThat(cache.highWater()).isEqualTo(0.95);
    assertThat(cache.lowWater()).isEqualTo(0.80);
    assertThat(cache.minFreeDisk()).isEqualTo(0.10);
    assertThat(cache.prefetchWorkers()).isEqualTo(4);
    assertThat(cache.prefetchMaxAttempts()).isEqualTo(3);
    assertThat(cache.pruneInterval()).isEqualTo(Duration.ofSeconds(30));
    assertThat(cache.cleanInterval()).isEqualTo(Duration.ofHours(2));
    assertThat(settings.originToken()).contains("svc-token");
    assertThat(settings.toString()).doesNotContain("svc-token");
  }

  @Test
  void aPercentageOutOfRangeIsRefusedNamingItsOption() {
    assertThatThrownBy(() -> SettingsResolver.resolve(
        Map.of("min-free-disk", "120"), Map.of(), Optional.empty()))
        .isInstanceOf(SettingsException.class)
        .hasMessageContaining("--min-free-disk")
        .hasMessageContaining("expected a percentage from 0 to 100");
  }

  @Test
  void theCacheDirectoryIsMadeAbsoluteAgainstTheWorkingDirectory() throws Exception {
    ServeSettings settings = SettingsResolver.resolve(
        Map.of(), Map.of("IMAGECACHE_CACHE_DIR", "data/../cache"), Optional.empty());

    assertThat(settings.cache().dir()).isEqualTo(Path.of("cache").toAbsolutePath());
  }

  @Test
  void postgresSettingsComeTogetherFromAllSources() throws Exception {
    Path file = Files.writeString(temp.resolve("imagecache.yaml"),
        "db_url: jdbc:postgresql://db.example.org/imagecache\n");

    ServeSettings settings = SettingsResolver.resolve(
        Map.of("driver", "postgres"),
        Map.of("IMAGECACHE_NODE_URL", "http://node1.example.org:9292"),
        Optional.of(file));

    assertThat(settings.cache()).isEqualTo(CacheConfig.builder(DEFAULT_DIR)
        .driver(DriverKind.POSTGRES)
        .dbUrl("jdbc:postgresql://db.example.org/imagecache")
        .nodeUrl("http://node1.example.org:9292")
        .build());
  }

  @Test
  void configFileComesFromTheFlagBeforeTheEnvironment() throws Exception {
    assertThat(SettingsResolver.configFile(
        Map.of("config", "/etc/a.yaml"), Map.of("IMAGECACHE_CONFIG", "/etc/b.yaml")))
        .contains(Path.of("/etc/a.yaml"));
    assertThat(SettingsResolver.configFile(Map.of(), Map.of("IMAGECACHE_CONFIG", "/etc/b.yaml")))
        .contains(Path.of("/etc/b.yaml"));
    assertThat(SettingsResolver.configFile(Map.of(), Map.of())).isEmpty();
  }

  // ---- errors name the option, the value and the source ----

  @Test
  void aBadSizeFromTheEnvironmentNamesTheVariable() {
    assertThatThrownBy(() -> SettingsResolver.resolve(
        Map.of(), Map.of("IMAGECACHE_MAX_SIZE", "12XB"), Optional.empty()))
        .isInstanceOf(SettingsException.class)
        .hasMessage("invalid --max-size \"12XB\" (from IMAGECACHE_MAX_SIZE): unknown unit \"XB\";"
            + " expected B, KB, MB, GB, TB, KiB, MiB, GiB, TiB");
  }

  @Test
  void aBadListenFlagNamesTheCommandLine() {
    assertThatThrownBy(() -> SettingsResolver.resolve(
        Map.of("listen", "localhost:99999"), Map.of(), Optional.empty()))
        .isInstanceOf(SettingsException.class)
        .hasMessage("invalid --listen \"localhost:99999\" (from the command line):"
            + " port 99999 is out of range: must be 0 to 65535");
  }

  @Test
  void aBadDurationFromTheFileNamesTheFileAndKey() throws IOException {
    Path file = Files.writeString(temp.resolve("imagecache.yaml"), "stall_time: 3 weeks\n");

    assertThatThrownBy(() -> SettingsResolver.resolve(Map.of(), Map.of(), Optional.of(file)))
        .isInstanceOf(SettingsException.class)
        .hasMessage("invalid --stall-time \"3 weeks\" (from " + file + ", key stall_time):"
            + " unknown unit \"weeks\"; expected ms, s, m, h or d");
  }

  @Test
  void postgresWithoutADatabaseUrlNamesTheMissingOption() {
    assertThatThrownBy(() -> SettingsResolver.resolve(
        Map.of(), Map.of("IMAGECACHE_DRIVER", "postgres"), Optional.empty()))
        .isInstanceOf(SettingsException.class)
        .hasMessage("invalid --driver \"postgres\" (from IMAGECACHE_DRIVER): driver postgres"
            + " needs --db-url (the jdbc:postgresql: URL of the database the fleet shares)");
  }

  @Test
  void postgresWithoutANodeUrlNamesTheMissingOption() {
    assertThatThrownBy(() -> SettingsResolver.resolve(
        Map.of("driver", "postgres", "db-url", "jdbc:postgresql://db/imagecache"), Map.of(),
        Optional.empty()))
        .isInstanceOf(SettingsException.class)
        .hasMessage("invalid --driver \"postgres\" (from the command line): driver postgres"
            + " needs --node-url (the URL other nodes reach this one at)");
  }

  @ParameterizedTest(name = "{0}={1}")
  @MethodSource("badValues")
  void everyBadValueIsReportedWithItsOptionAndSource(String option, String value,
      String problem) {
    assertThatThrownBy(() -> SettingsResolver.resolve(
        Map.of(option, value), Map.of(), Optional.empty()))
        .isInstanceOf(SettingsException.class)
        .hasMessage("invalid --" + option + " "
            + (ServeOption.forName(option).orElseThrow().isSecret() ? "(secret)" : "\"" + value + "\"")
            + " (from the command line): " + problem);
  }

  static Stream<Arguments> badValues() {
    return Stream.of(
        Arguments.of("driver", "mysql",
            "unknown driver \"mysql\": expected one of sqlite, xattr, postgres"),
        Arguments.of("cache-dir", " ", "a path is required"),
        Arguments.of("db-url", "postgres://db/x",
            "dbUrl must be a JDBC URL starting with jdbc:postgresql: \"postgres://db/x\""),
        Arguments.of("node-url", "node1:9292",
            "nodeUrl must be an http:// or https:// URL with a host: \"node1:9292\""),
        Arguments.of("origin-connect-timeout", "0s", "must be longer than 0"),
        Arguments.of("origin-idle-timeout", "-5s",
            "expected a whole number with a unit (ms, s, m, h, d), e.g. 90s, 30m, 24h"),
        Arguments.of("blocking-threads", "0", "expected a whole number from 1 to 4096"),
        Arguments.of("blocking-threads", "many", "expected a whole number from 1 to 4096"),
        Arguments.of("no-fsync", "maybe", "expected true or false"),
        Arguments.of("readyz-origin", "sometimes", "expected on or off"),
        Arguments.of("admin-token", "two words",
            "admin token must be non-empty visible ASCII without spaces"
                + " (it is sent in a header)"),
        Arguments.of("origin", " ",
            "an ORIGIN is required: a directory, http(s)://.../{id} or"
                + " glance+http(s)://HOST:PORT"));
  }

  @Test
  void aMissingConfigFileNamesWhereItsNameCameFrom() {
    Path missing = temp.resolve("nope.yaml");

    assertThatThrownBy(() -> SettingsResolver.resolve(
        Map.of(), Map.of("IMAGECACHE_CONFIG", missing.toString()), Optional.of(missing)))
        .isInstanceOf(SettingsException.class)
        .hasMessage("config file " + missing + " (from IMAGECACHE_CONFIG) does not exist");
  }

  @Test
  void aFlagThatIsNoServeOptionIsAProgrammingError() {
    assertThatThrownBy(() -> SettingsResolver.resolve(
        Map.of("max_size", "1GiB"), Map.of(), Optional.empty()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("not a serve option: \"max_size\"");
  }

  private static CacheConfig.Builder cache(ServeSettings defaults) {
    return defaults.cache().toBuilder();
  }

  private static Arguments row(String name, Map<String, String> flags, Map<String, String> env,
      Optional<String> yaml, Function<ServeSettings, ServeSettings> expected) {
    return Arguments.of(name, flags, env, yaml, expected);
  }
}
