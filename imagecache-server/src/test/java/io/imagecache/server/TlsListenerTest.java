package io.imagecache.server;

import static io.imagecache.server.ServerHarness.WAIT;
import static io.imagecache.server.ServerHarness.file;
import static io.imagecache.server.TestImages.MiB;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.imagecache.ImageId;
import io.imagecache.server.TestCa.KeyForm;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The TLS listener with real handshakes on 127.0.0.1: misses, hits and ranges arrive whole
 * (files go in chunks, not by sendfile), only TLS 1.2 and 1.3 with ALPN http/1.1, a new
 * certificate is picked up by new connections while an open one finishes its download, a broken
 * file keeps the running certificate, and mutual TLS admits only clients with a certificate.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class TlsListenerTest {
  private static final int SIZE = 3 * MiB + 5;
  private static final byte[] IMAGE = TestImages.bytes(12, SIZE);

  @TempDir
  Path tmp;
  private TestCa ca;
  private Path origin;
  private ServerHarness server;

  @BeforeEach
  void makeCaAndOrigin() throws Exception {
    ca = TestCa.create(tmp.resolve("ca"), "listener");
    origin = Files.createDirectories(tmp.resolve("origin"));
    Files.write(origin.resolve("tls-image"), IMAGE);
  }

  @AfterEach
  void stop() throws IOException {
    if (server != null) {
      server.close();
    }
  }

  private ServerHarness start(TestCa.Issued certificate, Optional<Path> clientCa)
      throws Exception {
    server = ServerHarness.start(ServerHarness.config(tmp.resolve("cache")).build(),
        Optional.of(origin.toString()), Optional.of(certificate), clientCa, OriginTls.SYSTEM);
    return server;
  }

  private HttpClient client(SSLContext context) {
    return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).sslContext(context)
        .connectTimeout(Duration.ofSeconds(10)).build();
  }

  private HttpRequest.Builder request(String path) {
    return HttpRequest.newBuilder(URI.create("https://localhost:" + server.tlsPort() + path))
        .timeout(WAIT);
  }

  @Test
  void servesMissHitAndRangeOverTls() throws Exception {
    start(ca.issue("server"), Optional.empty());
    HttpClient client = client(ca.clientContext());

    HttpResponse<byte[]> miss =
        client.send(request(file("tls-image")).build(), BodyHandlers.ofByteArray());
    assertThat(miss.statusCode()).isEqualTo(200);
    assertThat(miss.body()).isEqualTo(IMAGE);
    await().atMost(WAIT).until(() -> server.cache().isCached(ImageId.of("tls-image")));

    HttpResponse<byte[]> hit =
        client.send(request(file("tls-image")).build(), BodyHandlers.ofByteArray());
    assertThat(hit.statusCode()).isEqualTo(200);
    assertThat(hit.body()).isEqualTo(IMAGE);

    HttpResponse<byte[]> range = client.send(
        request(file("tls-image")).header("Range", "bytes=1000-2200000").build(),
        BodyHandlers.ofByteArray());
    assertThat(range.statusCode()).isEqualTo(206);
    assertThat(range.body()).isEqualTo(TestImages.range(IMAGE, 1000, 2200000));

    HttpResponse<byte[]> plain = server.get(file("tls-image"));
    assertThat(plain.body()).as("the plain listener beside it").isEqualTo(IMAGE);
  }

  @Test
  void speaksTls12And13WithAlpnHttp11AndRefusesTls11() throws Exception {
    start(ca.issue("server", "ec", KeyForm.TRADITIONAL), Optional.empty());
    String connect = "127.0.0.1:" + server.tlsPort();

    String tls13 = TestCa.openssl(tmp, "s_client", "-connect", connect, "-tls1_3", "-alpn",
        "http/1.1", "-CAfile", ca.certificate().toString(), "-verify_return_error");
    assertThat(tls13).contains("New, TLSv1.3").contains("ALPN protocol: http/1.1");
    String tls12 = TestCa.openssl(tmp, "s_client", "-connect", connect, "-tls1_2", "-alpn",
        "http/1.1", "-CAfile", ca.certificate().toString(), "-verify_return_error");
    assertThat(tls12).contains("New, TLSv1.2").contains("ECDHE");

    assertThatThrownBy(() -> TestCa.openssl(tmp, "s_client", "-connect", connect, "-tls1_1",
        "-cipher", "DEFAULT@SECLEVEL=0", "-CAfile", ca.certificate().toString()))
        .isInstanceOf(IOException.class)
        .hasMessageNotContaining("New, TLSv1.1");
  }

  @Test
  void newConnectionsGetAChangedCertificateWhileAnOpenDownloadFinishes() throws Exception {
    int size = 48 * MiB;
    Files.write(origin.resolve("big"), TestImages.bytes(13, size));
    TestCa.Issued first = ca.issue("first");
    start(first, Optional.empty());
    HttpClient client = client(ca.clientContext());
    client.send(request(file("big")).build(), BodyHandlers.discarding());
    await().atMost(WAIT).until(() -> server.cache().isCached(ImageId.of("big")));
    BigInteger firstSerial = serialOf(first.certificate());

    try (SSLSocket download = socket(ca.clientContext())) {
      download.getOutputStream().write(("GET " + file("big") + " HTTP/1.1\r\nHost: localhost\r\n"
          + "Connection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      InputStream in = download.getInputStream();
      byte[] start = in.readNBytes(MiB);
      assertThat(new String(start, 0, 15, StandardCharsets.US_ASCII)).isEqualTo("HTTP/1.1 200 OK");

      TestCa.Issued second = ca.issue("second");
      Files.copy(second.key(), first.key(), StandardCopyOption.REPLACE_EXISTING);
      Files.copy(second.certificate(), first.certificate(), StandardCopyOption.REPLACE_EXISTING);
      BigInteger secondSerial = serialOf(second.certificate());
      assertThat(secondSerial).isNotEqualTo(firstSerial);
      await().atMost(WAIT).until(() -> servedSerial().equals(secondSerial));
      assertThat(((X509Certificate) download.getSession().getPeerCertificates()[0])
          .getSerialNumber()).as("the open connection's session").isEqualTo(firstSerial);

      ByteArrayOutputStream rest = new ByteArrayOutputStream();
      rest.write(start);
      in.transferTo(rest);
      byte[] response = rest.toByteArray();
      int bodyStart = indexOf(response, "\r\n\r\n".getBytes(StandardCharsets.US_ASCII)) + 4;
      assertThat(response.length - bodyStart).as("body bytes of the open download")
          .isEqualTo(size);
      MessageDigest md5 = TestImages.newMd5();
      md5.update(response, bodyStart, size);
      assertThat(HexFormat.of().formatHex(md5.digest()))
          .isEqualTo(TestImages.md5(TestImages.bytes(13, size)));
    }
  }

  @Test
  void aBrokenNewCertificateKeepsTheRunningOneUntilAGoodOneComes() throws Exception {
    TestCa.Issued first = ca.issue("first");
    start(first, Optional.empty());
    BigInteger firstSerial = serialOf(first.certificate());
    byte[] good = Files.readAllBytes(first.certificate());

    Files.writeString(first.certificate(), "-----BEGIN CERTIFICATE-----\nbroken\n");
    server.server().reloadTls();
    assertThat(servedSerial()).isEqualTo(firstSerial);
    Files.write(first.certificate(), good);

    TestCa.Issued second = ca.issue("second");
    Files.copy(second.key(), first.key(), StandardCopyOption.REPLACE_EXISTING);
    server.server().reloadTls();
    assertThat(servedSerial()).as("a key that does not match keeps the running pair")
        .isEqualTo(firstSerial);
    Files.copy(second.certificate(), first.certificate(), StandardCopyOption.REPLACE_EXISTING);
    server.server().reloadTls();
    assertThat(servedSerial()).isEqualTo(serialOf(second.certificate()));
  }

  @Test
  void mutualTlsAdmitsOnlyClientsWithACertificateFromTheClientCa() throws Exception {
    TestCa other = TestCa.create(tmp.resolve("other"), "other");
    start(ca.issue("server"), Optional.of(ca.certificate()));

    HttpResponse<byte[]> admitted = client(ca.clientContext(ca.issue("client")))
        .send(request(file("tls-image")).build(), BodyHandlers.ofByteArray());
    assertThat(admitted.statusCode()).isEqualTo(200);
    assertThat(admitted.body()).isEqualTo(IMAGE);

    assertThatThrownBy(() -> client(ca.clientContext())
        .send(request(file("tls-image")).build(), BodyHandlers.ofByteArray()))
        .as("no client certificate").isInstanceOf(IOException.class);
    SSLContext foreign = ca.clientContext(other.issue("stranger"));
    assertThatThrownBy(() -> client(foreign)
        .send(request(file("tls-image")).build(), BodyHandlers.ofByteArray()))
        .as("a certificate from another CA").isInstanceOf(IOException.class);
  }

  private SSLSocket socket(SSLContext context) throws IOException {
    SSLSocket socket = (SSLSocket) context.getSocketFactory()
        .createSocket(InetAddress.getLoopbackAddress(), server.tlsPort());
    socket.setSoTimeout((int) WAIT.toMillis());
    socket.startHandshake();
    return socket;
  }

  /** The serial number of the certificate a new connection is served. */
  private BigInteger servedSerial() throws Exception {
    try (SSLSocket socket = socket(ca.clientContext())) {
      return ((X509Certificate) socket.getSession().getPeerCertificates()[0]).getSerialNumber();
    }
  }

  private static BigInteger serialOf(Path chain) {
    return PemFiles.certificates(chain).get(0).getSerialNumber();
  }

  private static int indexOf(byte[] bytes, byte[] part) {
    outer:
    for (int i = 0; i + part.length <= bytes.length; i++) {
      for (int j = 0; j < part.length; j++) {
        if (bytes[i + j] != part[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
