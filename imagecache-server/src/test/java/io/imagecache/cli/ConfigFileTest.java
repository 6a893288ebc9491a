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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Literal YAML config files, resolved with no flags and no environment. */
class ConfigFileTest {

  @TempDir
  Path temp;

  @Test
  void aFullFileSetsEveryOption() throws Exception {
    ServeSettings settings = resolve("""
        # imagecache serve settings
        listen: 0.0.0.0:9292
        cache-dir: /var/cache/imagecache
        driver: postgres
        origin: glance+https://glance.example.org:9292
        max-size: 20GiB
        stall-time: 12h
        admin-token: t0ken
        db-url: jdbc:postgresql://db.example.org:5432/imagecache
        node-url: http://node1.example.org:9292
        origin-connect-timeout: 5s
        origin-first-byte-timeout: 1m
        origin-idle-timeout: 2m
        no-fsync: true
        blocking-threads: 32
        shutdown-grace: 2m
        readyz-origin: on
        """);

    assertThat(settings).isEqualTo(new ServeSettings(
        CacheConfig.builder(Path.of("/var/cache/imagecache"))
            .driver(DriverKind.POSTGRES)
            .maxSize(20L << 30)
            .stallTime(Duration.ofHours(12))
            .durable(false)
            .dbUrl("jdbc:postgresql://db.example.org:5432/imagecache")
            .nodeUrl("http://node1.example.org:9292")
            .build(),
        new ListenAddress("0.0.0.0", 9292),
        Optional.of("glance+https://glance.example.org:9292"),
        Optional.of("t0ken"),
        new OriginTimeouts(Duration.ofSeconds(5), Duration.ofMinutes(1), Duration.ofMinutes(2)),
        Optional.empty(), 32, Duration.ofMinutes(2), ClientLimits.DEFAULT,
        true, TlsSettings.NONE));
  }

  @Test
  void snakeCaseKeysWorkLikeTheOptionNames() throws Exception {
    ServeSettings settings = resolve("""
        cache_dir: /var/cache/imagecache
        max_size: 500MB
        no_fsync: yes
        origin_idle_timeout: 90s
        """);

    assertThat(settings).isEqualTo(ServeSettings.defaults(
            CacheConfig.builder(Path.of("/var/cache/imagecache"))
                .maxSize(500_000_000L).durable(false).build())
        .withOriginTimeouts(new OriginTimeouts(
            Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofSeconds(90))));
  }

  @Test
  void plainNumbersAreBytesAndSeconds() throws Exception {
    ServeSettings settings = resolve("max-size: 1048576\nstall-time: 3600\n");

    assertThat(settings.cache().maxSize()).isEqualTo(1_048_576L);
    assertThat(settings.cache().stallTime()).isEqualTo(Duration.ofHours(1));
  }

  @Test
  void anEmptyFileMeansTheDefaults() throws Exception {
    assertThat(resolve("# nothing configured yet\n"))
        .isEqualTo(SettingsResolver.resolve(Map.of(), Map.of(), Optional.empty()));
  }

  @Test
  void anUnknownKeyIsNamedWithTheFile() throws IOException {
    Path file = write("max-size: 1GiB\nmaxsize: 2GiB\n");

    assertThatThrownBy(() -> resolve(file))
        .isInstanceOf(SettingsException.class)
        .hasMessage("unknown key \"maxsize\" in config file " + file + "; known keys: listen,"
            + " tls-listen, tls-cert, tls-key, tls-client-ca,"
            + " cache-dir, driver, origin, max-size, stall-time, admin-token,"
            + " admin-token-file, origin-token-file, db-password, db-password-file, db-url, node-url,"
            + " fleet-token, fleet-token-file, node-dead-after, peer-uploads,"
            + " origin-connect-timeout, origin-first-byte-timeout, origin-idle-timeout,"
            + " origin-ca-file, origin-client-cert, origin-client-key,"
            + " verify, origin-resume-attempts, origin-connections,"
            + " origin-token,"
            + " keystone-url, admin-role, origin-auth-application-credential-id,"
            + " origin-auth-application-credential-secret,"
            + " origin-auth-application-credential-secret-file, origin-auth-username,"
            + " origin-auth-password, origin-auth-password-file, origin-auth-project,"
            + " origin-auth-domain,"
            + " prefetch-workers, prefetch-attempts, high-water, low-water,"
            + " min-free-disk, prune-interval, clean-interval, no-fsync, blocking-threads,"
            + " header-timeout, idle-timeout, write-stall-timeout, max-connections, max-header-size,"
            + " shutdown-grace, readyz-origin, log-level, log-format, access-log");
  }

  @Test
  void theConfigKeyIsNotAllowedInsideTheConfigFile() throws IOException {
    Path file = write("config: /etc/other.yaml\n");

    assertThatThrownBy(() -> resolve(file))
        .isInstanceOf(SettingsException.class)
        .hasMessageStartingWith("unknown key \"config\" in config file " + file + "; ");
  }

  @Test
  void aBadSizeNamesTheOptionTheFileAndTheKey() throws IOException {
    Path file = write("max-size: 12XB\n");

    assertThatThrownBy(() -> resolve(file))
        .isInstanceOf(SettingsException.class)
        .hasMessage("invalid --max-size \"12XB\" (from " + file + ", key max-size):"
            + " unknown unit \"XB\"; expected B, KB, MB, GB, TB, KiB, MiB, GiB, TiB");
  }

  @Test
  void bothSpellingsOfOneOptionAreAnError() throws IOException {
    Path file = write("cache-dir: /a\ncache_dir: /b\n");

    assertThatThrownBy(() -> resolve(file))
        .isInstanceOf(SettingsException.class)
        .hasMessage("config file " + file
            + " sets cache-dir twice, as \"cache-dir\" and as \"cache_dir\"");
  }

  @Test
  void aRepeatedKeyIsAnError() throws IOException {
    Path file = write("max-size: 1GiB\nmax-size: 2GiB\n");

    assertThatThrownBy(() -> resolve(file))
        .isInstanceOf(SettingsException.class)
        .hasMessageStartingWith("config file " + file + " is not valid YAML: ")
        .hasMessageContaining("max-size");
  }

  @Test
  void aNestedValueIsAnError() throws IOException {
    Path file = write("listen:\n  host: 0.0.0.0\n  port: 9292\n");

    assertThatThrownBy(() -> resolve(file))
        .isInstanceOf(SettingsException.class)
        .hasMessage("key \"listen\" in config file " + file
            + " must be a single value, not a mapping");
  }

  @Test
  void aKeyWithoutValueIsAnError() throws IOException {
    Path file = write("origin:\n");

    assertThatThrownBy(() -> resolve(file))
        .isInstanceOf(SettingsException.class)
        .hasMessage("key \"origin\" in config file " + file + " has no value");
  }

  @Test
  void aFileThatIsNotAMappingIsAnError() throws IOException {
    Path file = write("- listen: 0.0.0.0:9292\n");

    assertThatThrownBy(() -> resolve(file))
        .isInstanceOf(SettingsException.class)
        .hasMessage("config file " + file
            + " must be a mapping of option names to values, e.g. \"max-size: 20GiB\"");
  }

  @Test
  void brokenYamlIsReportedWithItsLine() throws IOException {
    Path file = write("listen: 0.0.0.0:9292\nmax-size: [1GiB\n");

    assertThatThrownBy(() -> resolve(file))
        .isInstanceOf(SettingsException.class)
        .hasMessageStartingWith("config file " + file + " is not valid YAML: ")
        .hasMessageMatching("(?s).*\\(line \\d+\\)");
  }

  private ServeSettings resolve(String yaml) throws Exception {
    return resolve(write(yaml));
  }

  private static ServeSettings resolve(Path file) throws SettingsException {
    return SettingsResolver.resolve(Map.of(), Map.of(), Optional.of(file));
  }

  private Path write(String yaml) throws IOException {
    return Files.writeString(temp.resolve("imagecache.yaml"), yaml);
  }
}
