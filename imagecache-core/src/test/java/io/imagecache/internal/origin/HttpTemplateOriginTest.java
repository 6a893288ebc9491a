package io.imagecache.internal.origin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.imagecache.ImageId;
import io.imagecache.ImageNotFoundException;
import io.imagecache.OriginAccessDeniedException;
import io.imagecache.OriginUnavailableException;
import io.imagecache.internal.fill.SourceResponse;
import io.imagecache.internal.store.ContentDigest;
import io.imagecache.internal.store.DigestAlgorithm;
import io.imagecache.internal.store.ExpectedContent;
import io.imagecache.testing.Gate;
import io.imagecache.testing.GeneratedImage;
import io.imagecache.testing.RecordedRequest;
import io.imagecache.testing.TestOrigin;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class HttpTemplateOriginTest {
  private static final ImageId IMAGE = ImageId.of("img-1");
  private static final byte[] BYTES = new GeneratedImage(7, 300_000).bytes(0, 300_000);
  private static final OriginSettings SETTINGS = OriginSettings.defaults()
      .withTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(5), Duration.ofSeconds(5));

  private TestOrigin testOrigin;
  private Origin origin;

  @BeforeEach
  void start() throws IOException {
    testOrigin = TestOrigin.start();
    origin = Origins.parse(testOrigin.httpTemplate(), SETTINGS);
  }

  @AfterEach
  void stop() {
    origin.close();
    testOrigin.close();
  }

  // ---- bytes and expected content

  @Test
  void downloadDeliversTheBytesAndAnnouncesSizeMd5AndReprDigests() throws Exception {
    testOrigin.put(IMAGE.value(), BYTES);

    SourceResponse response = origin.source(IMAGE, Optional.empty()).open();

    assertThat(response.expected()).isEqualTo(expectedWithAllDigests(BYTES));
    assertThat(ResponseBodies.readAll(response)).isEqualTo(BYTES);
    assertThat(testOrigin.requests("/images/img-1")).extracting(RecordedRequest::method).containsExactly("GET");
  }

  @Test
  void base64ContentMd5IsUnderstoodLikeHex() throws Exception {
    testOrigin.put(IMAGE.value(), BYTES).md5AsBase64();

    try (SourceResponse response = origin.source(IMAGE, Optional.empty()).open()) {
      assertThat(response.expected().md5()).contains(hex("MD5", BYTES));
    }
  }

  @Test
  void originWithoutDigestsAnnouncesOnlyTheSize() throws Exception {
    testOrigin.put(IMAGE.value(), BYTES).omitDigests();

    try (SourceResponse response = origin.source(IMAGE, Optional.empty()).open()) {
      assertThat(response.expected()).isEqualTo(new ExpectedContent(OptionalLong.of(BYTES.length), List.of()));
    }
  }

  @Test
  void wrongDigestsAreReportedAsAnnouncedForTheFillToReject() throws Exception {
    testOrigin.put(IMAGE.value(), BYTES).wrongMd5().wrongReprDigest();

    try (SourceResponse response = origin.source(IMAGE, Optional.empty()).open()) {
      assertThat(response.expected().md5()).isPresent().get().isNotEqualTo(hex("MD5", BYTES));
      assertThat(response.expected().digest(DigestAlgorithm.SHA_512)).isPresent().get()
          .isNotEqualTo(new ContentDigest(DigestAlgorithm.SHA_512, hex("SHA-512", BYTES)));
    }
  }

  @Test
  void emptyImageIsAnEmptyBodyOfExpectedSizeZero() throws Exception {
    testOrigin.put(IMAGE.value(), new byte[0]);

    SourceResponse response = origin.source(IMAGE, Optional.empty()).open();

    assertThat(response.expected().size()).hasValue(0);
    assertThat(ResponseBodies.readAll(response)).isEmpty();
  }

  @Test
  void largeGeneratedImageStreamsWithMatchingDigest() throws Exception {
    GeneratedImage image = new GeneratedImage(42, 8L << 20);
    testOrigin.put(IMAGE.value(), image);

    try (SourceResponse response = origin.source(IMAGE, Optional.empty()).open()) {
      MessageDigest sha512 = MessageDigest.getInstance("SHA-512");
      ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
      long total = 0;
      while (response.body().read(buffer) >= 0) {
        buffer.flip();
        total += buffer.remaining();
        sha512.update(buffer);
        buffer.clear();
      }
      assertThat(total).isEqualTo(image.size());
      assertThat(HexFormat.of().formatHex(sha512.digest())).isEqualTo(image.sha512());
      assertThat(response.expected()).isEqualTo(new ExpectedContent(OptionalLong.of(image.size()), List.of(
          image.digest(DigestAlgorithm.MD5), image.digest(DigestAlgorithm.SHA_256), image.digest(DigestAlgorithm.SHA_512))));
    }
  }

  @Test
  void metadataIsAHeadRequestWithSizeAndDigests() throws Exception {
    testOrigin.put(IMAGE.value(), BYTES);

    ImageMetadata metadata = origin.metadata(IMAGE, Optional.empty());

    assertThat(metadata).isEqualTo(new ImageMetadata(IMAGE, "active", expectedWithAllDigests(BYTES)));
    assertThat(testOrigin.requests("/images/img-1")).extracting(RecordedRequest::method).containsExactly("HEAD");
  }

  // ---- credentials

  @Test
  void bearerTokenIsSentAndTheCallersTokenIsNot() throws Exception {
    testOrigin.put(IMAGE.value(), BYTES);
    testOrigin.requireToken("store-secret");
    try (Origin withToken = Origins.parse(testOrigin.httpTemplate(), SETTINGS.withBearerToken("store-secret"))) {
      assertThat(ResponseBodies.readAll(withToken.source(IMAGE, Optional.of("caller-token")).open())).isEqualTo(BYTES);
      withToken.metadata(IMAGE, Optional.of("caller-token"));
    }

    assertThat(testOrigin.requests("/images/img-1")).hasSize(2).allSatisfy(request -> {
      assertThat(request.header("Authorization")).contains("Bearer store-secret");
      assertThat(request.header("X-Auth-Token")).isEmpty();
    });
  }

  @Test
  void missingBearerTokenIsAccessDenied() {
    testOrigin.put(IMAGE.value(), BYTES);
    testOrigin.requireToken("store-secret");

    assertThatThrownBy(() -> origin.source(IMAGE, Optional.empty()).open())
        .isInstanceOf(OriginAccessDeniedException.class)
        .hasMessage("origin denied access to image img-1 (HTTP 401)")
        .extracting(e -> ((OriginAccessDeniedException) e).reason())
        .isEqualTo(OriginAccessDeniedException.Reason.UNAUTHENTICATED);
  }

  // ---- statuses and failures

  @Test
  void status404IsImageNotFound() {
    assertThatThrownBy(() -> origin.source(IMAGE, Optional.empty()).open())
        .isInstanceOf(ImageNotFoundException.class)
        .hasMessage("image img-1 not found at the origin");
    assertThatThrownBy(() -> origin.metadata(IMAGE, Optional.empty()))
        .isInstanceOf(ImageNotFoundException.class);
  }

  @Test
  void status403IsAccessDeniedWithTheStatus() {
    testOrigin.put(IMAGE.value(), BYTES).status(403);

    assertThatThrownBy(() -> origin.source(IMAGE, Optional.empty()).open())
        .isInstanceOf(OriginAccessDeniedException.class)
        .extracting(e -> ((OriginAccessDeniedException) e).reason())
        .isEqualTo(OriginAccessDeniedException.Reason.FORBIDDEN);
  }

  @Test
  void serverErrorIsOriginUnavailable() {
    testOrigin.put(IMAGE.value(), BYTES);
    testOrigin.global().status(503);

    assertThatThrownBy(() -> origin.source(IMAGE, Optional.empty()).open())
        .isInstanceOf(OriginUnavailableException.class)
        .hasMessage("origin http://127.0.0.1:" + testOrigin.port() + " answered HTTP 503 for image img-1");
    assertThatThrownBy(() -> origin.metadata(IMAGE, Optional.empty()))
        .isInstanceOf(OriginUnavailableException.class)
        .hasMessage("origin http://127.0.0.1:" + testOrigin.port() + " answered HTTP 503 for image img-1");
  }

  @Test
  void refusedConnectionIsOriginUnavailable() throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    try (Origin unreachable = Origins.parse("http://127.0.0.1:" + closedPort + "/images/{id}", SETTINGS)) {
      assertThatThrownBy(() -> unreachable.source(IMAGE, Optional.empty()).open())
          .isInstanceOf(OriginUnavailableException.class)
          .hasMessage("could not connect to origin http://127.0.0.1:" + closedPort + ": connection refused");
    }
  }

  @Test
  void unknownHostIsReportedAsUnknownHostNotAsRefused() {
    try (Origin unknown = Origins.parse("http://no-such-host.invalid/images/{id}", SETTINGS)) {
      assertThatThrownBy(() -> unknown.source(IMAGE, Optional.empty()).open())
          .isInstanceOf(OriginUnavailableException.class)
          .hasMessage("could not connect to origin http://no-such-host.invalid: unknown host no-such-host.invalid");
    }
  }

  @Test
  void tlsToAPlainHttpServerIsReportedAsATlsFailure() throws Exception {
    try (ServerSocket plain = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      // A plain HTTP server answers a TLS hello with a plain 400, as nginx or Netty would; every
      // connection, since the JDK client tries a GET again on a connection that ends early.
      Thread answerer = new Thread(() -> {
        for (int connection = 0; connection < 10 && !plain.isClosed(); connection++) {
          try (Socket client = plain.accept()) {
            client.getOutputStream().write(
                "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            client.getOutputStream().flush();
            client.getInputStream().read(new byte[512]);
          } catch (IOException e) {
            // Closed at the end of the test; the test's assertion tells what went wrong.
          }
        }
      }, "plain-http-answerer");
      answerer.setDaemon(true);
      answerer.start();
      try (Origin tls = Origins.parse("https://127.0.0.1:" + plain.getLocalPort() + "/images/{id}", SETTINGS)) {
        assertThatThrownBy(() -> tls.source(IMAGE, Optional.empty()).open())
            .isInstanceOf(OriginUnavailableException.class)
            .hasMessage("origin TLS failure (origin https://127.0.0.1:" + plain.getLocalPort() + ")");
      }
    }
  }

  @Test
  void truncatedBodyFailsWithEofExceptionSayingHowMuchCame() throws Exception {
    testOrigin.put(IMAGE.value(), BYTES).truncateAfter(100_000);

    try (SourceResponse response = origin.source(IMAGE, Optional.empty()).open()) {
      assertThatThrownBy(() -> ResponseBodies.readAll(response.body()))
          .isInstanceOf(EOFException.class)
          .hasMessageStartingWith("origin http://127.0.0.1:" + testOrigin.port() + " sent 100000 of 300000 bytes");
      assertThatThrownBy(() -> response.body().read(ByteBuffer.allocate(10)))
          .as("a later read must not look like a clean end")
          .isInstanceOf(IOException.class);
    }
  }

  // ---- timeouts

  @Test
  void silentOriginFailsTheBlockedReadAfterTheIdleTimeout() throws Exception {
    Gate pause = testOrigin.put(IMAGE.value(), BYTES).pauseAfter(1000);
    try (Origin impatient = Origins.parse(testOrigin.httpTemplate(),
            SETTINGS.withTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(5), Duration.ofMillis(300)));
        SourceResponse response = impatient.source(IMAGE, Optional.empty()).open()) {
      long started = System.nanoTime();
      CompletableFuture<byte[]> read = readInBackground(response);

      await().atMost(Duration.ofSeconds(5)).until(read::isDone);

      assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
      assertThat(cause(read))
          .isInstanceOf(OriginUnavailableException.class)
          .hasMessage("origin http://127.0.0.1:" + testOrigin.port()
              + " sent nothing for 300ms (idle timeout) after 1000 of 300000 bytes");
    } finally {
      pause.release();
    }
  }

  @Test
  void closingTheResponseEndsAReadBlockedOnASilentOrigin() throws Exception {
    Gate pause = testOrigin.put(IMAGE.value(), BYTES).pauseAfter(1000);
    SourceResponse response = origin.source(IMAGE, Optional.empty()).open();
    try {
      CompletableFuture<byte[]> read = new CompletableFuture<>();
      Thread reader = new Thread(() -> {
        try {
          read.complete(ResponseBodies.readAll(response.body()));
        } catch (Throwable t) {
          read.completeExceptionally(t);
        }
      }, "test-reader");
      reader.setDaemon(true);
      reader.start();
      await().atMost(Duration.ofSeconds(5)).until(() -> waitingForBytes(reader));

      response.close();

      await().atMost(Duration.ofSeconds(2)).until(read::isDone);
      assertThat(cause(read)).isInstanceOf(AsynchronousCloseException.class);
    } finally {
      response.close();
      pause.release();
    }
  }

  @Test
  void originThatHoldsItsHeadersFailsAfterTheFirstByteTimeout() throws Exception {
    Gate held = testOrigin.put(IMAGE.value(), BYTES).holdHeaders();
    try (Origin impatient = Origins.parse(testOrigin.httpTemplate(),
        SETTINGS.withTimeouts(Duration.ofSeconds(2), Duration.ofMillis(300), Duration.ofSeconds(5)))) {
      assertThatThrownBy(() -> impatient.source(IMAGE, Optional.empty()).open())
          .isInstanceOf(OriginUnavailableException.class)
          .hasMessage("origin http://127.0.0.1:" + testOrigin.port() + " sent no response within 300ms");
    } finally {
      held.release();
    }
  }

  @Test
  void slowBodyOutlastingTheFirstByteTimeoutIsNotCutOff() throws Exception {
    testOrigin.put(IMAGE.value(), BYTES).rateLimit(BYTES.length); // about a second
    try (Origin impatient = Origins.parse(testOrigin.httpTemplate(),
        SETTINGS.withTimeouts(Duration.ofSeconds(2), Duration.ofMillis(300), Duration.ofSeconds(5)))) {
      long started = System.nanoTime();

      assertThat(ResponseBodies.readAll(impatient.source(IMAGE, Optional.empty()).open())).isEqualTo(BYTES);
      assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThan(Duration.ofMillis(600));
    }
  }

  @Test
  void sourceDoesNothingUntilOpened() {
    testOrigin.put(IMAGE.value(), BYTES);

    origin.source(IMAGE, Optional.empty());

    assertThat(testOrigin.requests()).isEmpty();
  }

  // ---- helpers

  private static CompletableFuture<byte[]> readInBackground(SourceResponse response) {
    CompletableFuture<byte[]> read = new CompletableFuture<>();
    Thread reader = new Thread(() -> {
      try {
        read.complete(ResponseBodies.readAll(response.body()));
      } catch (Throwable t) {
        read.completeExceptionally(t);
      }
    }, "test-reader");
    reader.setDaemon(true);
    reader.start();
    return read;
  }

  private static Throwable cause(CompletableFuture<?> future) {
    try {
      future.get();
      throw new AssertionError("the read succeeded");
    } catch (ExecutionException e) {
      return e.getCause();
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    }
  }

  static ExpectedContent expectedWithAllDigests(byte[] bytes) {
    return new ExpectedContent(OptionalLong.of(bytes.length), List.of(
        new ContentDigest(DigestAlgorithm.MD5, hex("MD5", bytes)),
        new ContentDigest(DigestAlgorithm.SHA_256, hex("SHA-256", bytes)),
        new ContentDigest(DigestAlgorithm.SHA_512, hex("SHA-512", bytes))));
  }

  static String hex(String algorithm, byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance(algorithm).digest(bytes));
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  /**
   * Whether {@code reader} waits for the origin's next bytes: parked with a timeout (a body the
   * JDK client delivers) or in the native wait of a select (a body read from the socket).
   */
  private static boolean waitingForBytes(Thread reader) {
    if (reader.getState() == Thread.State.TIMED_WAITING) {
      return true;
    }
    StackTraceElement[] stack = reader.getStackTrace();
    return reader.getState() == Thread.State.RUNNABLE && stack.length > 0
        && stack[0].isNativeMethod()
        && Arrays.stream(stack).anyMatch(frame -> frame.getMethodName().startsWith("select"));
  }

}
