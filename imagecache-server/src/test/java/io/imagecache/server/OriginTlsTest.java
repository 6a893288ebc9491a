package io.imagecache.server;

import static io.imagecache.server.ServerHarness.file;
import static io.imagecache.server.TestImages.MiB;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * HTTPS origins with a private CA, a real TLS server on 127.0.0.1 (another imagecache's TLS
 * listener): trusted with {@code origin-ca-file}, refused without it, where the client sees a 502
 * "origin TLS failure" and no certificate internals; a certificate for another host name is
 * refused even from a trusted CA; a client certificate for an origin that wants
 * one; the same for requests passed through to a Glance origin.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class OriginTlsTest {
  private static final byte[] IMAGE = TestImages.bytes(21, 2 * MiB + 3);

  @TempDir
  Path tmp;
  private TestCa originCa;
  private final List<ServerHarness> servers = new ArrayList<>();

  @BeforeEach
  void makeCa() throws IOException {
    originCa = TestCa.create(tmp.resolve("origin-ca"), "origin");
    Path images = Files.createDirectories(tmp.resolve("images"));
    Files.write(images.resolve("private"), IMAGE);
  }

  @AfterEach
  void stop() throws IOException {
    for (ServerHarness server : servers) {
      server.close();
    }
  }

  private ServerHarness origin(Optional<Path> clientCa) throws Exception {
    return origin(originCa.issue("origin"), clientCa);
  }

  private ServerHarness origin(TestCa.Issued certificate, Optional<Path> clientCa)
      throws Exception {
    ServerHarness origin = ServerHarness.start(
        ServerHarness.config(tmp.resolve("origin-cache")).build(),
        Optional.of(tmp.resolve("images").toString()), Optional.of(certificate),
        clientCa, OriginTls.SYSTEM);
    servers.add(origin);
    return origin;
  }

  private ServerHarness cache(String originSpec, OriginTls tls) throws Exception {
    ServerHarness cache = ServerHarness.start(
        ServerHarness.config(tmp.resolve("cache-" + servers.size())).build(),
        Optional.of(originSpec), Optional.empty(), Optional.empty(), tls);
    servers.add(cache);
    return cache;
  }

  private static String template(ServerHarness origin) {
    return "https://localhost:" + origin.tlsPort() + "/v2/images/{id}/file";
  }

  @Test
  void aPrivateCaIsTrustedWithTheCaFileAndRefusedWithoutIt() throws Exception {
    ServerHarness origin = origin(Optional.empty());

    HttpResponse<byte[]> refused =
        cache(template(origin), OriginTls.SYSTEM).get(file("private"));
    assertThat(refused.statusCode()).isEqualTo(502);
    assertNoInternals(refused);

    OriginTls trusting =
        new OriginTls(Optional.of(originCa.certificate()), Optional.empty(), Optional.empty());
    HttpResponse<byte[]> served = cache(template(origin), trusting).get(file("private"));
    assertThat(served.statusCode()).isEqualTo(200);
    assertThat(served.body()).isEqualTo(IMAGE);
  }

  @Test
  void aCertificateForAnotherHostIsRefusedEvenFromATrustedCa() throws Exception {
    ServerHarness origin =
        origin(originCa.issueFor("elsewhere", "DNS:elsewhere.example"), Optional.empty());
    OriginTls trusting =
        new OriginTls(Optional.of(originCa.certificate()), Optional.empty(), Optional.empty());

    HttpResponse<byte[]> byName = cache(template(origin), trusting).get(file("private"));
    assertThat(byName.statusCode()).isEqualTo(502);
    assertNoInternals(byName);
    assertThat(new String(byName.body(), StandardCharsets.UTF_8))
        .doesNotContain("elsewhere", "subject", "No name matching");

    HttpResponse<byte[]> byAddress = cache(
        "https://127.0.0.1:" + origin.tlsPort() + "/v2/images/{id}/file", trusting)
        .get(file("private"));
    assertThat(byAddress.statusCode()).isEqualTo(502);
    assertNoInternals(byAddress);

    HttpResponse<byte[]> passedThrough = cache("glance+https://localhost:" + origin.tlsPort(),
        trusting).get("/v2/schemas/image");
    assertThat(passedThrough.statusCode()).isEqualTo(502);
    assertNoInternals(passedThrough);
  }

  @Test
  void anOriginWantingAClientCertificateGetsTheConfiguredOne() throws Exception {
    TestCa clientCa = TestCa.create(tmp.resolve("client-ca"), "clients");
    ServerHarness origin = origin(Optional.of(clientCa.certificate()));
    TestCa.Issued client = clientCa.issue("cache-node");

    OriginTls withoutCertificate =
        new OriginTls(Optional.of(originCa.certificate()), Optional.empty(), Optional.empty());
    HttpResponse<byte[]> refused = cache(template(origin), withoutCertificate)
        .get(file("private"));
    assertThat(refused.statusCode()).isEqualTo(502);
    // In TLS 1.3 the server refuses the missing certificate after the client's handshake is done,
    // so the cache may see the refusal as the connection ending rather than as a TLS alert.
    assertThat(new String(refused.body(), StandardCharsets.UTF_8))
        .doesNotContain("PKIX", "sun.security", "certification path", "Exception", "bad_certificate");

    OriginTls withCertificate = new OriginTls(Optional.of(originCa.certificate()),
        Optional.of(client.certificate()), Optional.of(client.key()));
    HttpResponse<byte[]> served = cache(template(origin), withCertificate).get(file("private"));
    assertThat(served.statusCode()).isEqualTo(200);
    assertThat(served.body()).isEqualTo(IMAGE);
  }

  @Test
  void aRenewedClientCertificateIsPresentedWithoutARestart() throws Exception {
    TestCa clientCa = TestCa.create(tmp.resolve("client-ca"), "clients");
    TestCa otherCa = TestCa.create(tmp.resolve("other-ca"), "others");
    ServerHarness origin = origin(Optional.of(clientCa.certificate()));
    Path certificate = tmp.resolve("client.pem");
    Path key = tmp.resolve("client-key.pem");
    TestCa.Issued untrusted = otherCa.issue("cache-node");
    Files.copy(untrusted.certificate(), certificate);
    Files.copy(untrusted.key(), key);
    ServerHarness cache = cache(template(origin),
        new OriginTls(Optional.of(originCa.certificate()), Optional.of(certificate), Optional.of(key)));
    assertThat(cache.get(file("private")).statusCode()).isEqualTo(502);

    TestCa.Issued renewed = clientCa.issue("cache-node-renewed");
    Files.copy(renewed.certificate(), certificate, StandardCopyOption.REPLACE_EXISTING);
    Files.copy(renewed.key(), key, StandardCopyOption.REPLACE_EXISTING);

    await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(200))
        .until(() -> cache.get(file("private")).statusCode() == 200);
    assertThat(cache.get(file("private")).body()).isEqualTo(IMAGE);
  }

  @Test
  void aClientKeyThatIsNotTheCertificatesIsRefusedAtStart() throws Exception {
    TestCa clientCa = TestCa.create(tmp.resolve("client-ca"), "clients");
    TestCa.Issued one = clientCa.issue("one");
    TestCa.Issued other = clientCa.issue("other");

    OriginTls mismatched = new OriginTls(Optional.empty(), Optional.of(one.certificate()),
        Optional.of(other.key()));

    assertThatThrownBy(mismatched::sslContext).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("does not belong to the certificate");
  }

  @Test
  void passThroughToAGlanceOriginUsesTheSameTrust() throws Exception {
    ServerHarness origin = origin(Optional.empty());
    String glance = "glance+https://localhost:" + origin.tlsPort();

    HttpResponse<byte[]> refused = cache(glance, OriginTls.SYSTEM).get("/v2/schemas/image");
    assertThat(refused.statusCode()).isEqualTo(502);
    assertNoInternals(refused);

    OriginTls trusting =
        new OriginTls(Optional.of(originCa.certificate()), Optional.empty(), Optional.empty());
    HttpResponse<byte[]> passed = cache(glance, trusting).get("/v2/schemas/image");
    assertThat(passed.statusCode()).as("the origin's own answer, passed through")
        .isNotEqualTo(502);
  }

  private static void assertNoInternals(HttpResponse<byte[]> response) {
    String body = new String(response.body(), StandardCharsets.UTF_8);
    assertThat(body).contains("origin TLS failure")
        .doesNotContain("PKIX", "sun.security", "certification path", "Exception", "bad_certificate");
  }
}
