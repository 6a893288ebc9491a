package io.imagecache.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.imagecache.server.PemFiles;
import io.imagecache.server.TestCa;
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
}
