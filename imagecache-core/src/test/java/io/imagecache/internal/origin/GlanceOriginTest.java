package io.imagecache.internal.origin;

import static io.imagecache.internal.origin.HttpTemplateOriginTest.hex;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.imagecache.ImageId;
import io.imagecache.ImageNotActiveException;
import io.imagecache.ImageNotFoundException;
import io.imagecache.InvalidRequestException;
import io.imagecache.OriginAccessDeniedException;
import io.imagecache.OriginUnavailableException;
import io.imagecache.internal.fill.SourceResponse;
import io.imagecache.internal.store.ContentDigest;
import io.imagecache.internal.store.DigestAlgorithm;
import io.imagecache.internal.store.ExpectedContent;
import io.imagecache.testing.GeneratedImage;
import io.imagecache.testing.RecordedRequest;
import io.imagecache.testing.TestOrigin;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class GlanceOriginTest {
  private static final ImageId IMAGE = ImageId.of("6f0c7e2a-1b0e-4c1f-9a57-3c2d0c5e8b11");
  private static final String METADATA_PATH = "/v2/images/" + IMAGE;
  private static final String FILE_PATH = "/v2/images/" + IMAGE + "/file";
  private static final byte[] BYTES = new GeneratedImage(3, 200_000).bytes(0, 200_000);
  private static final ExpectedContent EXPECTED = new ExpectedContent(OptionalLong.of(BYTES.length), List.of(
      new ContentDigest(DigestAlgorithm.MD5, hex("MD5", BYTES)),
      new ContentDigest(DigestAlgorithm.SHA_512, hex("SHA-512", BYTES))));
  private static final OriginSettings SETTINGS = OriginSettings.defaults()
      .withTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(5), Duration.ofSeconds(5));

  private TestOrigin glance;
  private Origin origin;

  @BeforeEach
  void start() throws IOException {
    glance = TestOrigin.start();
    origin = Origins.parse(glance.glanceSpec(), SETTINGS);
  }

  @AfterEach
  void stop() {
    origin.close();
    glance.close();
  }

  // ---- metadata

  @Test
  void metadataGivesStatusSizeChecksumAndMultihash() throws Exception {
    glance.put(IMAGE.value(), BYTES);

    assertThat(origin.metadata(IMAGE, Optional.of("tok"))).isEqualTo(new ImageMetadata(IMAGE, "active", EXPECTED));
  }

  @Test
  void metadataOfAQueuedImageHasItsStatusAndNoSize() throws Exception {
    glance.put(IMAGE.value(), BYTES).glanceStatus("queued");

    ImageMetadata metadata = origin.metadata(IMAGE, Optional.empty());

    assertThat(metadata.status()).isEqualTo("queued");
    assertThat(metadata.isActive()).isFalse();
    assertThat(metadata.expected()).isEqualTo(ExpectedContent.unknown());
  }

  @Test
  void unknownHashAlgorithmIsIgnoredButTheChecksumKept() throws Exception {
    glance.put(IMAGE.value(), BYTES).glanceField("os_hash_algo", "sha3_512");

    assertThat(origin.metadata(IMAGE, Optional.empty()).expected().digests())
        .containsExactly(new ContentDigest(DigestAlgorithm.MD5, hex("MD5", BYTES)));
  }

  @Test
  void malformedMetadataIsOriginUnavailable() {
    String name = "origin http://127.0.0.1:" + glance.port() + ": metadata of image " + IMAGE;
    glance.put(IMAGE.value(), BYTES).glanceField("size", "big");
    assertThatThrownBy(() -> origin.metadata(IMAGE, Optional.empty()))
        .isInstanceOf(OriginUnavailableException.class)
        .hasMessage(name + " has an invalid size \"big\"");

    glance.put(IMAGE.value(), BYTES).glanceField("checksum", "abc");
    assertThatThrownBy(() -> origin.metadata(IMAGE, Optional.empty()))
        .isInstanceOf(OriginUnavailableException.class)
        .hasMessage(name + " has an invalid md5 digest \"abc\"");

    glance.put(IMAGE.value(), BYTES).glanceField("status", null);
    assertThatThrownBy(() -> origin.metadata(IMAGE, Optional.empty()))
        .isInstanceOf(OriginUnavailableException.class)
        .hasMessage(name + " has no status");
  }

  // ---- download

  @Test
  void downloadTakesSizeAndDigestsFromMetadataWhileGlanceStreamsChunked() throws Exception {
    glance.put(IMAGE.value(), BYTES);

    SourceResponse response = origin.source(IMAGE, Optional.of("tok")).open();

    assertThat(response.expected()).isEqualTo(EXPECTED);
    assertThat(ResponseBodies.readAll(response)).isEqualTo(BYTES);
    assertThat(glance.requests()).extracting(RecordedRequest::path).containsExactly(METADATA_PATH, FILE_PATH);
  }

  @Test
  void callersTokenIsForwardedAsXAuthTokenOnBothRequests() throws Exception {
    glance.put(IMAGE.value(), BYTES);
    glance.requireToken("user-token");

    ResponseBodies.readAll(origin.source(IMAGE, Optional.of("user-token")).open());

    assertThat(glance.requests()).hasSize(2)
        .allSatisfy(request -> assertThat(request.header("X-Auth-Token")).contains("user-token"));
  }

  @Test
  void bearerTokenOfTheSettingsIsNeverSentToGlance() throws Exception {
    glance.put(IMAGE.value(), BYTES);
    try (Origin withBearer = Origins.parse(glance.glanceSpec(), SETTINGS.withBearerToken("service-secret"))) {
      ResponseBodies.readAll(withBearer.source(IMAGE, Optional.empty()).open());
    }

    assertThat(glance.requests()).hasSize(2).allSatisfy(request -> {
      assertThat(request.header("X-Auth-Token")).isEmpty();
      assertThat(request.header("Authorization")).isEmpty();
    });
  }

  @Test
  void missingOrWrongTokenIsAccessDenied() {
    glance.put(IMAGE.value(), BYTES);
    glance.requireToken("user-token");

    assertThatThrownBy(() -> origin.metadata(IMAGE, Optional.empty()))
        .isInstanceOf(OriginAccessDeniedException.class)
        .extracting(e -> ((OriginAccessDeniedException) e).reason())
        .isEqualTo(OriginAccessDeniedException.Reason.UNAUTHENTICATED);
    assertThatThrownBy(() -> origin.source(IMAGE, Optional.of("other")).open())
        .isInstanceOf(OriginAccessDeniedException.class)
        .hasMessage("origin denied access to image " + IMAGE + " (HTTP 401)");
  }

  @Test
  void tokenThatCannotBeAHeaderIsRefusedBeforeAnyRequest() {
    assertThatThrownBy(() -> origin.metadata(IMAGE, Optional.of("two\r\nlines")))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessage("auth token may contain only visible ASCII characters (found one at position 3)");
    assertThatThrownBy(() -> origin.source(IMAGE, Optional.of("")))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessage("auth token is empty");
    assertThat(glance.requests()).isEmpty();
  }

  @Test
  void imageInvisibleToTheCallerIsNotFoundAsGlanceAnswers() throws Exception {
    glance.put(IMAGE.value(), BYTES).visibleTo("alice");

    assertThatThrownBy(() -> origin.source(IMAGE, Optional.of("bob")).open())
        .isInstanceOf(ImageNotFoundException.class)
        .hasMessage("image " + IMAGE + " not found at the origin");
    assertThat(origin.metadata(IMAGE, Optional.of("alice")).isActive()).isTrue();
  }

  @Test
  void imageThatIsNotActiveIsNeverDownloaded() {
    for (String status : List.of("queued", "deactivated", "saving")) {
      glance.put(IMAGE.value(), BYTES).glanceStatus(status);

      assertThatThrownBy(() -> origin.source(IMAGE, Optional.empty()).open())
          .as(status)
          .isInstanceOf(ImageNotActiveException.class)
          .hasMessage("image " + IMAGE + " is not active at the origin (status " + status + ")")
          .extracting(e -> ((ImageNotActiveException) e).status()).isEqualTo(status);
    }
    assertThat(glance.requestCount(FILE_PATH)).isZero();
  }

  @Test
  void forbiddenAndServerErrorsAreTyped() {
    glance.put(IMAGE.value(), BYTES).status(403);
    assertThatThrownBy(() -> origin.source(IMAGE, Optional.empty()).open())
        .isInstanceOf(OriginAccessDeniedException.class)
        .extracting(e -> ((OriginAccessDeniedException) e).reason())
        .isEqualTo(OriginAccessDeniedException.Reason.FORBIDDEN);

    glance.put(IMAGE.value(), BYTES).status(500);
    assertThatThrownBy(() -> origin.metadata(IMAGE, Optional.empty()))
        .isInstanceOf(OriginUnavailableException.class)
        .hasMessage("origin http://127.0.0.1:" + glance.port() + " answered HTTP 500 for image " + IMAGE);
  }

  @Test
  void unknownImageIsNotFound() {
    assertThatThrownBy(() -> origin.metadata(IMAGE, Optional.empty()))
        .isInstanceOf(ImageNotFoundException.class);
  }

  @Test
  void truncatedChunkedBodyFailsWithEofExceptionAgainstTheMetadataSize() throws Exception {
    glance.put(IMAGE.value(), BYTES).truncateAfter(50_000);

    try (SourceResponse response = origin.source(IMAGE, Optional.empty()).open()) {
      assertThatThrownBy(() -> ResponseBodies.readAll(response.body()))
          .isInstanceOf(EOFException.class)
          .hasMessageStartingWith("origin http://127.0.0.1:" + glance.port() + " sent 50000 of 200000 bytes");
    }
  }

  @Test
  void chunkedBodyThatEndsCleanlyBeforeTheMetadataSizeFailsAndStaysFailed() throws Exception {
    glance.put(IMAGE.value(), BYTES).glanceField("size", BYTES.length + 10);

    try (SourceResponse response = origin.source(IMAGE, Optional.empty()).open()) {
      assertThatThrownBy(() -> ResponseBodies.readAll(response.body()))
          .isInstanceOf(EOFException.class)
          .hasMessage("origin http://127.0.0.1:" + glance.port() + " sent 200000 of 200010 bytes");
      assertThatThrownBy(() -> response.body().read(ByteBuffer.allocate(10)))
          .isInstanceOf(ClosedChannelException.class);
    }
  }

  @Test
  void chunkedBodyLongerThanTheMetadataSizeFails() throws Exception {
    glance.put(IMAGE.value(), BYTES).glanceField("size", BYTES.length - 10);

    try (SourceResponse response = origin.source(IMAGE, Optional.empty()).open()) {
      assertThatThrownBy(() -> ResponseBodies.readAll(response.body()))
          .isInstanceOf(IOException.class)
          .hasMessage("origin http://127.0.0.1:" + glance.port() + " sent more than the expected "
              + (BYTES.length - 10) + " bytes");
    }
  }
}
