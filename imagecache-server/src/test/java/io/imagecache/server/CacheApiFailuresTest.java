package io.imagecache.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.imagecache.ImageId;
import io.imagecache.ImageNotActiveException;
import io.imagecache.ImageNotFoundException;
import io.imagecache.InvalidRequestException;
import io.imagecache.OriginAccessDeniedException;
import io.imagecache.OriginUnavailableException;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

/** Every row of {@link Failures#cacheApiAnswer}: the cache API's own and those it falls back to. */
class CacheApiFailuresTest {
  private static final ImageId ID = ImageId.of("img");

  @Test
  void anUnknownImageIsGlances404() {
    assertThat(Failures.cacheApiAnswer(new ImageNotFoundException(ID)))
        .isEqualTo(new Failures.Answer(HttpResponseStatus.NOT_FOUND, "Image img not found."));
  }

  @Test
  void anImageThatIsNotActiveIsGlances400WithItsStatus() {
    assertThat(Failures.cacheApiAnswer(new ImageNotActiveException(ID, "saving")))
        .isEqualTo(new Failures.Answer(HttpResponseStatus.BAD_REQUEST,
            "Only images with status active can be targeted for queueing (image img is saving)"));
  }

  @Test
  void anOriginRefusingTheCacheIsABadGatewayNotTheAdminsFault() {
    assertThat(Failures.cacheApiAnswer(new OriginAccessDeniedException(
        ID, OriginAccessDeniedException.Reason.UNAUTHENTICATED, "HTTP 401")))
        .isEqualTo(new Failures.Answer(HttpResponseStatus.BAD_GATEWAY,
            "origin denied access to image img (HTTP 401)"));
    assertThat(Failures.cacheApiAnswer(new OriginAccessDeniedException(
        ID, OriginAccessDeniedException.Reason.FORBIDDEN, "HTTP 403")).status())
        .isEqualTo(HttpResponseStatus.BAD_GATEWAY);
  }

  @Test
  void otherFailuresAreAnsweredAsOnTheDataPath() {
    assertThat(Failures.cacheApiAnswer(new OriginUnavailableException("origin down")))
        .isEqualTo(new Failures.Answer(HttpResponseStatus.BAD_GATEWAY, "origin down"));
    assertThat(Failures.cacheApiAnswer(new InvalidRequestException("bad value")))
        .isEqualTo(new Failures.Answer(HttpResponseStatus.BAD_REQUEST, "bad value"));
    assertThat(Failures.cacheApiAnswer(new IllegalArgumentException("a bug's detail")))
        .isEqualTo(new Failures.Answer(HttpResponseStatus.INTERNAL_SERVER_ERROR, "internal error"));
    assertThat(Failures.cacheApiAnswer(new IllegalStateException("secret detail")))
        .isEqualTo(new Failures.Answer(HttpResponseStatus.INTERNAL_SERVER_ERROR, "internal error"));
  }

  @Test
  void wrappersOfFuturesAreSeenThrough() {
    assertThat(Failures.cacheApiAnswer(
        new CompletionException(new ImageNotActiveException(ID, "queued"))).status())
        .isEqualTo(HttpResponseStatus.BAD_REQUEST);
  }
}
