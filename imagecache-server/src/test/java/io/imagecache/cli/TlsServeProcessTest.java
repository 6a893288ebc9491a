package io.imagecache.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.imagecache.server.PemFiles;
import io.imagecache.server.TestCa;
import java.io.IOException;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code imagecache serve --tls-listen … --tls-cert … --tls-key …} in its own JVM: it names the
 * HTTPS address and engine, serves images over TLS, and after a new certificate and SIGHUP new
 * connections get the new certificate.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TlsServeProcessTest {
  private static final Pattern SERVING_TLS =
      Pattern.compile("on https://127\\.0\\.0\\.1:(\\d+) \\(TLS by (openssl|jdk)");

  @TempDir
  Path dir;

  @Test
  void servesOverTlsAndTakesANewCertificateOnSighup() throws Exception {
    TestCa ca = TestCa.create(dir.resolve("ca"), "serve");
    TestCa.Issued first = ca.issue("first");
    Path origin = Files.createDirectories(dir.resolve("origin"));
    byte[] image = new byte[100_000];
    new Random(5).nextBytes(image);
    Files.write(origin.resolve("over-tls"), image);

    try (ServeProcess serve = ServeProcess.start(dir.resolve("serve.log"), Map.of(),
        "--cache-dir", dir.resolve("cache").toString(), "--origin", origin.toString(),
        "--admin-token", "t", "--tls-listen", "127.0.0.1:0",
        "--tls-cert", first.certificate().toString(), "--tls-key", first.key().toString())) {
      int port = Integer.parseInt(serve.awaitLine(SERVING_TLS).group(1));
      SSLContext context = ca.clientContext();
      HttpClient client = HttpClient.newBuilder().sslContext(context)
          .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build();
      URI uri = URI.create("https://localhost:" + port + "/v2/images/over-tls/file");

      HttpResponse<byte[]> response = client.send(
          HttpRequest.newBuilder(uri).timeout(ServeProcess.WAIT).build(),
          BodyHandlers.ofByteArray());
      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.body()).isEqualTo(image);

      TestCa.Issued second = ca.issue("second");
      Files.copy(second.key(), first.key(), StandardCopyOption.REPLACE_EXISTING);
      Files.copy(second.certificate(), first.certificate(), StandardCopyOption.REPLACE_EXISTING);
      serve.hangUp();
      serve.awaitLine(Pattern.compile("TLS certificate .* \\(re\\)loaded for new connections"));

      HttpClient fresh = HttpClient.newBuilder().sslContext(ca.clientContext())
          .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build();
      HttpResponse<byte[]> after = fresh.send(
          HttpRequest.newBuilder(uri).timeout(ServeProcess.WAIT).build(),
          BodyHandlers.ofByteArray());
      assertThat(after.body()).isEqualTo(image);
      BigInteger served = ((X509Certificate) after.sslSession().orElseThrow()
          .getPeerCertificates()[0]).getSerialNumber();
      assertThat(served).isEqualTo(
          PemFiles.certificates(second.certificate()).get(0)
              .getSerialNumber());
    }
  }

  /**
   * The new pair is written with the old files' size and modification time, which is all the
   * file poll compares: only the SIGHUP can make new connections see it.
   */
  @Test
  void aSighupAloneReloadsACertificateThePollCannotSeeChange() throws Exception {
    TestCa ca = TestCa.create(dir.resolve("ca"), "serve");
    TestCa.Issued first = ca.issue("cert0");
    TestCa.Issued second = sameSizes(ca, first);
    BigInteger firstSerial = serial(first);
    BigInteger secondSerial = serial(second);
    Path origin = Files.createDirectories(dir.resolve("origin"));
    Files.write(origin.resolve("img"), new byte[1000]);

    try (ServeProcess serve = ServeProcess.start(dir.resolve("serve.log"), Map.of(),
        "--cache-dir", dir.resolve("cache").toString(), "--origin", origin.toString(),
        "--admin-token", "t", "--tls-listen", "127.0.0.1:0",
        "--tls-cert", first.certificate().toString(), "--tls-key", first.key().toString())) {
      int port = Integer.parseInt(serve.awaitLine(SERVING_TLS).group(1));
      URI uri = URI.create("https://localhost:" + port + "/v2/images/img/file");
      assertThat(servedSerial(ca, uri)).isEqualTo(firstSerial);

      // The new files get the old ones' times before they take their names (by rename, which
      // keeps them): copying in place and restoring the times after left a moment in which the
      // poll saw a new time, and under load it did.
      replaceKeepingTime(second.key(), first.key());
      replaceKeepingTime(second.certificate(), first.certificate());
      // The poll runs every 2 s; three of them pass and the old certificate is still served.
      long threePolls = System.nanoTime() + TimeUnit.SECONDS.toNanos(6);
      await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500))
          .until(() -> {
            assertThat(servedSerial(ca, uri)).isEqualTo(firstSerial);
            return System.nanoTime() > threePolls;
          });
      assertThat(serve.output()).doesNotContain("(re)loaded for new connections");

      serve.hangUp();
      serve.awaitLine(Pattern.compile("TLS certificate .* \\(re\\)loaded for new connections"));

      assertThat(servedSerial(ca, uri)).isEqualTo(secondSerial);
      assertThat(serve.isAlive()).isTrue();
    }
  }

  /** Puts a copy of {@code source} in place of {@code target}, with {@code target}'s time, at once. */
  private static void replaceKeepingTime(Path source, Path target) throws IOException {
    Path next = target.resolveSibling(target.getFileName() + ".next");
    Files.copy(source, next, StandardCopyOption.REPLACE_EXISTING);
    Files.setLastModifiedTime(next, Files.getLastModifiedTime(target));
    Files.move(next, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  /** A second certificate and key whose files have the sizes of {@code first}'s. */
  private static TestCa.Issued sameSizes(TestCa ca, TestCa.Issued first) throws Exception {
    for (int i = 1; i < 40; i++) {
      TestCa.Issued next = ca.issue("cert" + (char) ('a' + i % 26) + "");
      if (Files.size(next.certificate()) == Files.size(first.certificate())
          && Files.size(next.key()) == Files.size(first.key())) {
        return next;
      }
    }
    throw new AssertionError("no certificate of the same size in 40 tries");
  }

  private static BigInteger serial(TestCa.Issued issued) {
    return PemFiles.certificates(issued.certificate()).get(0).getSerialNumber();
  }

  /** The serial of the certificate a new connection to {@code uri} is served. */
  private static BigInteger servedSerial(TestCa ca, URI uri) throws Exception {
    HttpClient fresh = HttpClient.newBuilder().sslContext(ca.clientContext())
        .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build();
    HttpResponse<byte[]> response = fresh.send(
        HttpRequest.newBuilder(uri).timeout(ServeProcess.WAIT).build(),
        BodyHandlers.ofByteArray());
    assertThat(response.statusCode()).isEqualTo(200);
    return ((X509Certificate) response.sslSession().orElseThrow()
        .getPeerCertificates()[0]).getSerialNumber();
  }
}
