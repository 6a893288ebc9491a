package io.imagecache.server;

import static io.imagecache.server.ServerHarness.WAIT;
import static io.imagecache.server.ServerHarness.file;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * 1000 bounded attempts at the TLS listener that are not a proper TLS client (random bytes, plain
 * HTTP, a TLS record cut short, a close before or right after the handshake, a client offering
 * only ciphers the server refuses), from a fixed seed; afterwards a normal TLS GET is served.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class TlsFuzzTest {
  private static final int ATTEMPTS = 1000;
  private static final int SOCKET_TIMEOUT_MILLIS = 5000;
  private static final byte[] IMAGE = TestImages.bytes(31, 300_000);

  /** The kinds of bad client, taken in turn. */
  private enum Attempt {
    RANDOM_BYTES, PLAIN_HTTP, CUT_RECORD, CLOSE_AT_ONCE, CLOSE_AFTER_HANDSHAKE, WEAK_CIPHERS_ONLY
  }

  @TempDir
  Path tmp;

  @Test
  void badClientsLeaveTheTlsListenerServing() throws Exception {
    TestCa ca = TestCa.create(tmp.resolve("ca"), "fuzz");
    Path origin = Files.createDirectories(tmp.resolve("origin"));
    Files.write(origin.resolve("after-fuzz"), IMAGE);
    try (ServerHarness server = ServerHarness.start(
        ServerHarness.config(tmp.resolve("cache")).build(), Optional.of(origin.toString()),
        Optional.of(ca.issue("server")), Optional.empty(), OriginTls.SYSTEM)) {
      SSLContext context = ca.clientContext();
      InetSocketAddress address =
          new InetSocketAddress(InetAddress.getLoopbackAddress(), server.tlsPort());
      Random random = new Random(20261202L);
      Map<Attempt, Integer> plainAnswers = new EnumMap<>(Attempt.class);
      for (int i = 0; i < ATTEMPTS; i++) {
        Attempt attempt = Attempt.values()[i % Attempt.values().length];
        if (attempt(attempt, address, context, random)) {
          plainAnswers.merge(attempt, 1, Integer::sum);
        }
      }
      assertThat(plainAnswers).as("attempts answered with a plain HTTP response").isEmpty();

      HttpClient client = HttpClient.newBuilder().sslContext(context)
          .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build();
      HttpResponse<byte[]> response = client.send(HttpRequest.newBuilder(
              URI.create("https://localhost:" + server.tlsPort() + file("after-fuzz")))
          .timeout(WAIT).build(), BodyHandlers.ofByteArray());
      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.body()).isEqualTo(IMAGE);
    }
  }

  /** One bad client; true when it got something that reads like a plain HTTP response. */
  private static boolean attempt(Attempt attempt, InetSocketAddress address, SSLContext context,
      Random random) throws IOException {
    switch (attempt) {
      case CLOSE_AFTER_HANDSHAKE, WEAK_CIPHERS_ONLY -> {
        try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket()) {
          socket.connect(address, SOCKET_TIMEOUT_MILLIS);
          socket.setSoTimeout(SOCKET_TIMEOUT_MILLIS);
          if (attempt == Attempt.WEAK_CIPHERS_ONLY) {
            SSLParameters parameters = socket.getSSLParameters();
            parameters.setProtocols(new String[] {"TLSv1.2"});
            parameters.setCipherSuites(new String[] {"TLS_RSA_WITH_AES_128_CBC_SHA256"});
            socket.setSSLParameters(parameters);
          }
          socket.startHandshake();
        } catch (IOException refused) {
          // What a bad client gets.
        }
        return false;
      }
      default -> {
        try (Socket socket = new Socket()) {
          socket.connect(address, SOCKET_TIMEOUT_MILLIS);
          socket.setSoTimeout(SOCKET_TIMEOUT_MILLIS);
          OutputStream out = socket.getOutputStream();
          switch (attempt) {
            case RANDOM_BYTES -> {
              byte[] bytes = new byte[1 + random.nextInt(2000)];
              random.nextBytes(bytes);
              out.write(bytes);
            }
            case PLAIN_HTTP -> {
              out.write(("GET " + file("after-fuzz") + " HTTP/1.1\r\nHost: localhost\r\n\r\n")
                  .getBytes(StandardCharsets.US_ASCII));
              return readsLikeHttp(socket.getInputStream());
            }
            case CUT_RECORD -> {
              byte[] body = new byte[random.nextInt(300)];
              random.nextBytes(body);
              out.write(new byte[] {0x16, 0x03, 0x01, 0x02, 0x00, 0x01});
              out.write(body);
            }
            default -> {
              // CLOSE_AT_ONCE: connect, then close.
            }
          }
        } catch (IOException reset) {
          // The server may reset a connection it gave up on.
        }
        return false;
      }
    }
  }

  private static boolean readsLikeHttp(InputStream in) {
    try {
      byte[] start = in.readNBytes(5);
      return new String(start, StandardCharsets.US_ASCII).equals("HTTP/");
    } catch (IOException e) {
      return false;
    }
  }
}
