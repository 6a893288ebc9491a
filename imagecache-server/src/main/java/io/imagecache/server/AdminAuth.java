package io.imagecache.server;

import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Optional;

/**
 * Admin authentication of management calls: {@code X-Auth-Token} must equal the admin token.
 * Missing (or empty) is 401, anything else 403. Both sides are hashed before a constant-time
 * comparison, so that neither the content nor the length of the token leaks through timing.
 */
final class AdminAuth {
  static final String HEADER = "X-Auth-Token";

  /** SHA-256 of the admin token; immutable. */
  private final byte[] expected;

  AdminAuth(String adminToken) {
    if (adminToken == null || adminToken.isEmpty()) {
      throw new IllegalArgumentException("the admin token must not be empty");
    }
    this.expected = sha256(adminToken);
  }

  /** The refusal to send, or empty when the request carries the admin token. */
  Optional<FullHttpResponse> refusal(RequestInfo request) {
    Optional<String> token = request.header(HEADER).filter(value -> !value.isEmpty());
    if (token.isEmpty()) {
      FullHttpResponse response = Responses.glanceError(HttpResponseStatus.UNAUTHORIZED,
          "this call needs the admin token in the X-Auth-Token header");
      response.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, "X-Auth-Token realm=\"imagecache\"");
      return Optional.of(response);
    }
    if (!isAdminToken(token.get())) {
      return Optional.of(Responses.glanceError(HttpResponseStatus.FORBIDDEN,
          "the X-Auth-Token is not the admin token"));
    }
    return Optional.empty();
  }

  /** Whether {@code token} is the admin token (in constant time). */
  boolean isAdminToken(String token) {
    return MessageDigest.isEqual(sha256(token), expected);
  }

  private static byte[] sha256(String value) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
  }
}
