package io.imagecache.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.imagecache.CacheStoreException;
import io.imagecache.FillCancelledException;
import io.imagecache.ImageId;
import io.imagecache.OriginUnavailableException;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.io.EOFException;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

/** {@link Failures#answer}: what a reader of an image is told, and that it names no server path. */
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
}
