package io.imagecache.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.imagecache.CacheStoreException;
import io.imagecache.FillCancelledException;
import io.imagecache.ImageId;
import io.imagecache.ImageNotActiveException;
import io.imagecache.ImageNotFoundException;
import io.imagecache.InvalidRequestException;
import io.imagecache.OriginAccessDeniedException;
import io.imagecache.OriginUnavailableException;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.io.EOFException;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

/**
 * {@link Failures#answer}: what a reader of an image is told, one test per failure row of the
 * README's status table for {@code GET /v2/images/{id}/file}, and that it names no server path.
 * (The rows answered before the core is called, an invalid id, two tokens and 405, are tested
 * through the server: BadRequestTest, GlanceOriginServingTest, ServerRoutesTest.)
 */
class ImageFailuresTest {
  private static final ImageId ID = ImageId.of("img-006");
  private static final String CACHE_DIR = "/var/lib/imagecache/cache";

  @Test
  void aLostCacheFileIsAServiceFailureWithoutItsPath() {
    Failures.Answer answer = Failures.answer(
        new CompletionException(new NoSuchFileException(CACHE_DIR + "/img-006")));

    assertThat(answer.status()).isEqualTo(HttpResponseStatus.SERVICE_UNAVAILABLE);
    assertThat(answer.message()).doesNotContain("/");
  }

  @Test
  void aLocalFailureWrappedInAFillFailureKeepsItsPathOutOfTheAnswer() {
    IOException local = new AccessDeniedException(CACHE_DIR + "/incomplete/img-006");
    Failures.Answer answer = Failures.answer(
        new IOException("fill of image img-006 failed: " + local.getMessage(), local));

    assertThat(answer.status()).isEqualTo(HttpResponseStatus.SERVICE_UNAVAILABLE);
    assertThat(answer.message()).doesNotContain(CACHE_DIR).doesNotContain("/");
  }

  @Test
  void aMetadataStoreFailureKeepsTheDatabasePathOutOfTheAnswer() {
    Failures.Answer answer = Failures.answer(
        new CacheStoreException("sqlite get of image img-006 in " + CACHE_DIR + "/cache.db failed",
            new java.sql.SQLException("database is locked")));

    assertThat(answer.status()).isEqualTo(HttpResponseStatus.SERVICE_UNAVAILABLE);
    assertThat(answer.message()).doesNotContain(CACHE_DIR);
  }

  @Test
  void aFillCancelledByADeleteIsA503WithTheReason_notTheOriginsFault() {
    FillCancelledException cancelled = new FillCancelledException(
        ID, "the image was deleted from the cache while it was being filled");

    Failures.Answer answer = Failures.answer(
        new IOException("fill of image img-006 failed: " + cancelled.getMessage(), cancelled));

    assertThat(answer).isEqualTo(new Failures.Answer(HttpResponseStatus.SERVICE_UNAVAILABLE,
        "image img-006 not available: the image was deleted from the cache while it was being"
            + " filled"));
  }

  @Test
  void anUnreadableDirectoryOriginIsABadGatewayWithoutItsPath() {
    Failures.Answer answer = Failures.answer(new OriginUnavailableException(
        "cannot read image img-006 from origin directory /srv/images",
        new AccessDeniedException("/srv/images/img-006")));

    assertThat(answer.status()).isEqualTo(HttpResponseStatus.BAD_GATEWAY);
    assertThat(answer.message()).doesNotContain("/");
  }

  @Test
  void originFailuresStayBadGateways() {
    assertThat(Failures.answer(new IOException("fill failed",
        new OriginUnavailableException("origin down"))))
        .isEqualTo(new Failures.Answer(HttpResponseStatus.BAD_GATEWAY, "origin down"));
    assertThat(Failures.answer(new EOFException("http://origin sent 5 of 10 bytes")).status())
        .isEqualTo(HttpResponseStatus.BAD_GATEWAY);
  }

  @Test
  void aCallersRequestTheCoreRefusesIsABadRequestWithTheReason() {
    assertThat(Failures.answer(new CompletionException(
        new InvalidRequestException("auth token is empty"))))
        .isEqualTo(new Failures.Answer(HttpResponseStatus.BAD_REQUEST, "auth token is empty"));
  }

  @Test
  void anOriginRefusingTheCallersTokenPassesItsStatusOn() {
    assertThat(Failures.answer(new OriginAccessDeniedException(
        ID, OriginAccessDeniedException.Reason.UNAUTHENTICATED, "HTTP 401")))
        .isEqualTo(new Failures.Answer(HttpResponseStatus.UNAUTHORIZED,
            "origin denied access to image img-006 (HTTP 401)"));
    assertThat(Failures.answer(new OriginAccessDeniedException(
        ID, OriginAccessDeniedException.Reason.FORBIDDEN, "HTTP 403")).status())
        .isEqualTo(HttpResponseStatus.FORBIDDEN);
  }

  @Test
  void anImageThatIsNotActiveIsForbidden() {
    ImageNotActiveException notActive = new ImageNotActiveException(ID, "saving");

    assertThat(Failures.answer(notActive))
        .isEqualTo(new Failures.Answer(HttpResponseStatus.FORBIDDEN, notActive.getMessage()));
  }

  @Test
  void anImageNeitherCachedNorAtTheOriginIsNotFound() {
    ImageNotFoundException notFound = new ImageNotFoundException(ID);

    assertThat(Failures.answer(new CompletionException(notFound)))
        .isEqualTo(new Failures.Answer(HttpResponseStatus.NOT_FOUND, notFound.getMessage()));
  }

  @Test
  void wrongBytesFromTheOriginBeforeTheBodyStartedAreABadGateway() {
    // What the core's content check throws is an IOException of its own (internal): the server
    // maps it as any I/O failure of the origin's bytes.
    assertThat(Failures.answer(
        new java.io.IOException("image img-006: md5 mismatch: expected a, computed b")))
        .isEqualTo(new Failures.Answer(HttpResponseStatus.BAD_GATEWAY,
            "image not available: image img-006: md5 mismatch: expected a, computed b"));
  }

  @Test
  void aBugOfTheCacheIsAnInternalErrorThatKeepsItsDetail() {
    for (RuntimeException bug : new RuntimeException[] {
        new IllegalArgumentException("size must not be negative: -1"),
        new IllegalStateException("writer of image img-006 is committed already"),
        new NullPointerException("expected")}) {
      assertThat(Failures.answer(new CompletionException(bug))).as(bug.toString()).isEqualTo(
          new Failures.Answer(HttpResponseStatus.INTERNAL_SERVER_ERROR, "internal error"));
    }
  }
}
