package io.imagecache.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The admin-token check on its own: 401 for none, 403 for any other value, pass for the token. */
class AdminAuthTest {
  private final AdminAuth auth = new AdminAuth("s3cret-token");

  @Test
  void theAdminTokenPasses() {
    assertThat(auth.refusal(request(Optional.of("s3cret-token")))).isEmpty();
  }

  @Test
  void noTokenOrAnEmptyOneIs401WithAChallenge() {
    for (Optional<String> token : List.of(Optional.<String>empty(), Optional.of(""))) {
      FullHttpResponse refusal = auth.refusal(request(token)).orElseThrow();
      try {
        assertThat(refusal.status().code()).isEqualTo(401);
        assertThat(refusal.headers().get("WWW-Authenticate")).isNotBlank();
      } finally {
        refusal.release();
      }
    }
  }

  @Test
  void anyOtherTokenIs403WhateverItsLength() {
    for (String wrong : new String[] {"s", "s3cret-tokem", "s3cret-token ", "S3CRET-TOKEN",
        "s3cret-token-and-more"}) {
      FullHttpResponse refusal = auth.refusal(request(Optional.of(wrong))).orElseThrow();
      try {
        assertThat(refusal.status().code()).as(wrong).isEqualTo(403);
      } finally {
        refusal.release();
      }
    }
  }

  @Test
  void anEmptyAdminTokenIsRefusedAtOnce() {
    assertThatThrownBy(() -> new AdminAuth(""))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("the admin token must not be empty");
  }

  private static RequestInfo request(Optional<String> token) {
    DefaultHttpRequest request =
        new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/v2/cache");
    token.ifPresent(value -> request.headers().set("X-Auth-Token", value));
    return RequestInfo.of(request);
  }
}
