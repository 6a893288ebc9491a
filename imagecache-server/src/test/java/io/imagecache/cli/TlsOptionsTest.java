package io.imagecache.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.imagecache.CacheConfig;
import io.imagecache.server.OriginTls;
import io.imagecache.server.TestCa;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The TLS options resolve from every source into {@link TlsSettings}, show in the effective
 * configuration, options that cannot work alone are refused naming what is missing, and
 * {@code serve --check} reads the PEM files.
 */
class TlsOptionsTest {
  @TempDir
  Path temp;

  @Test
  void listenerAndOriginOptionsReachTheSettings() throws Exception {
    Path file = Files.writeString(temp.resolve("imagecache.yaml"),
        "tls_listen: 127.0.0.1:9443\ntls-key: /etc/imagecache/key.pem\n"
            + "origin-ca-file: /etc/imagecache/origin-ca.pem\n");

    ServeSettings settings = SettingsResolver.resolve(
        Map.of("tls-cert", "/etc/imagecache/cert.pem", "origin-client-cert", "/c.pem"),
        Map.of("IMAGECACHE_TLS_CLIENT_CA", "/etc/imagecache/clients.pem",
            "IMAGECACHE_ORIGIN_CLIENT_KEY", "/k.pem"),
        Optional.of(file));

    assertThat(settings.tls()).isEqualTo(new TlsSettings(
        Optional.of(new ListenAddress("127.0.0.1", 9443)),
        Optional.of(Path.of("/etc/imagecache/cert.pem")),
        Optional.of(Path.of("/etc/imagecache/key.pem")),
        Optional.of(Path.of("/etc/imagecache/clients.pem")),
        new OriginTls(Optional.of(Path.of("/etc/imagecache/origin-ca.pem")),
            Optional.of(Path.of("/c.pem")), Optional.of(Path.of("/k.pem"))),
        Optional.empty()));
    Map<ServeOption, String> shown = SettingValues.of(settings);
    assertThat(shown.get(ServeOption.TLS_LISTEN)).isEqualTo("127.0.0.1:9443");
    assertThat(shown.get(ServeOption.TLS_CLIENT_CA)).isEqualTo("/etc/imagecache/clients.pem");
    assertThat(shown.get(ServeOption.ORIGIN_CA_FILE)).isEqualTo("/etc/imagecache/origin-ca.pem");
  }

  @Test
  void withoutTlsOptionsThereIsNoListenerAndTheSystemsTrust() throws Exception {
    ServeSettings settings = SettingsResolver.resolve(Map.of(), Map.of(), Optional.empty());

    assertThat(settings.tls()).isEqualTo(TlsSettings.NONE);
    assertThat(SettingValues.of(settings).get(ServeOption.TLS_CERT)).isEqualTo("none");
    assertThat(SettingValues.of(settings).get(ServeOption.ORIGIN_CLIENT_KEY)).isEqualTo("none");
  }

  @Test
  void aTlsListenerWithoutAKeyNamesTheMissingOption() {
    assertThatThrownBy(() -> SettingsResolver.resolve(
        Map.of("tls-listen", "0.0.0.0:9443", "tls-cert", "/cert.pem"), Map.of(),
        Optional.empty()))
        .isInstanceOf(SettingsException.class)
        .hasMessage("invalid --tls-listen \"0.0.0.0:9443\" (from the command line):"
            + " the TLS listener needs --tls-key");
  }

  @Test
  void aCertificateWithoutATlsListenerIsRefused() {
    assertThatThrownBy(() -> SettingsResolver.resolve(
        Map.of(), Map.of("IMAGECACHE_TLS_CERT", "/cert.pem"), Optional.empty()))
        .isInstanceOf(SettingsException.class)
        .hasMessage("invalid --tls-cert \"/cert.pem\" (from IMAGECACHE_TLS_CERT):"
            + " serves only on a TLS listener: set --tls-listen too");
  }

  @Test
  void serveCheckRefusesAnUnreadableCertificateWithOneLine() throws Exception {
    Path notPem = Files.writeString(temp.resolve("cert.pem"), "not a certificate\n");

    assertThat(serveCheck("--tls-listen", "127.0.0.1:0", "--tls-cert", notPem.toString(),
        "--tls-key", notPem.toString()))
        .containsExactly("exit 2", "imagecache serve: certificate file " + notPem
            + " holds no PEM certificate (BEGIN CERTIFICATE)");
  }

  @Test
  void aFleetCaFileIsTrustedForPeersWhichAreShownTheNodesOwnCertificate() throws Exception {
    ServeSettings settings = SettingsResolver.resolve(
        Map.of("driver", "postgres", "db-url", "jdbc:postgresql://db/imagecache",
            "node-url", "https://node1:9443", "fleet-token", "t0ken", "tls-listen", "0.0.0.0:9443",
            "tls-cert", "/node.crt", "tls-key", "/node.key", "fleet-ca-file", "/fleet-ca.pem"),
        Map.of(), Optional.empty());

    assertThat(settings.tls().peers()).isEqualTo(new OriginTls(
        Optional.of(Path.of("/fleet-ca.pem")), Optional.of(Path.of("/node.crt")),
        Optional.of(Path.of("/node.key"))));
    assertThat(SettingValues.of(settings).get(ServeOption.FLEET_CA_FILE))
        .isEqualTo("/fleet-ca.pem");
  }

  @Test
  void theServedCacheReachesPeersWithAFleetTlsContextOnlyWhenThereIsSomethingToConfigure()
      throws Exception {
    TestCa ca = TestCa.create(temp.resolve("ca"), "fleet");
    Map<String, String> fleet = Map.of("driver", "postgres",
        "db-url", "jdbc:postgresql://db/imagecache", "node-url", "https://node1:9443",
        "fleet-token", "t0ken");
    Map<String, String> withCa = new HashMap<>(fleet);
    withCa.put("fleet-ca-file", ca.certificate().toString());

    CacheConfig plain = HttpServerRunner.withPeerTls(
        SettingsResolver.resolve(fleet, Map.of(), Optional.empty()));
    CacheConfig trusting = HttpServerRunner.withPeerTls(
        SettingsResolver.resolve(withCa, Map.of(), Optional.empty()));

    assertThat(plain.fleet().orElseThrow().tls()).isEmpty();
    assertThat(trusting.fleet().orElseThrow().tls()).isPresent();
  }

  @Test
  void aFleetCaFileWithoutAFleetIsRefused() {
    assertThatThrownBy(() -> SettingsResolver.resolve(
        Map.of("fleet-ca-file", "/fleet-ca.pem"), Map.of(), Optional.empty()))
        .isInstanceOf(SettingsException.class)
        .hasMessage("invalid --fleet-ca-file \"/fleet-ca.pem\" (from the command line):"
            + " it applies to a fleet only: set --fleet-token (and driver postgres) too");
  }

  @Test
  void serveCheckRefusesAnUnreadableFleetCaFileWithOneLine() throws Exception {
    Path notPem = Files.writeString(temp.resolve("fleet-ca.pem"), "not a certificate\n");

    assertThat(serveCheck("--driver", "postgres", "--db-url",
        "jdbc:postgresql://127.0.0.1:1/imagecache", "--node-url", "https://127.0.0.1:9443",
        "--fleet-token", "t0ken", "--fleet-ca-file", notPem.toString()))
        .containsExactly("exit 2", "imagecache serve: certificate file " + notPem
            + " holds no PEM certificate (BEGIN CERTIFICATE)");
  }

  @Test
  void anOriginClientCertificateWithoutItsKeyIsRefused() {
    assertThatThrownBy(() -> SettingsResolver.resolve(
        Map.of("origin-client-cert", "/c.pem"), Map.of(), Optional.empty()))
        .isInstanceOf(SettingsException.class)
        .hasMessage("invalid --origin-client-cert \"/c.pem\" (from the command line):"
            + " needs --origin-client-key too");
  }

  /** {@code serve --check} of a cache in the temp dir with {@code options}: exit, stderr. */
  private List<String> serveCheck(String... options) {
    StringWriter err = new StringWriter();
    CommandLine commandLine = Main.commandLine(settings -> {
      throw new AssertionError("serve --check must not start the server");
    }, Map.of());
    commandLine.setOut(new PrintWriter(new StringWriter(), true));
    commandLine.setErr(new PrintWriter(err, true));
    List<String> args = new ArrayList<>(List.of("serve", "--check", "--cache-dir",
        temp.resolve("cache").toString()));
    args.addAll(List.of(options));
    int exit = commandLine.execute(args.toArray(new String[0]));
    List<String> result = new ArrayList<>(List.of("exit " + exit));
    result.addAll(err.toString().lines().toList());
    return result;
  }
}
