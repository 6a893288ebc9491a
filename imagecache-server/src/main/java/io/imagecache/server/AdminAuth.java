package io.imagecache.server;

import io.imagecache.keystone.KeystoneRoleCheck;
import io.imagecache.keystone.KeystoneUnavailableException;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import java.util.Optional;

/**
 * Admin authentication of management calls: {@code X-Auth-Token} must equal the admin token.
 * Missing (or empty) is 401, anything else 403. Both sides are hashed before a constant-time
 * comparison, so that neither the content nor the length of the token leaks through timing.
 *
 * <p>With Keystone configured, any other token is Keystone's to judge ({@link #keystoneToken},
 * then {@link #keystoneRefusal} off the event loop), as Glance does: invalid, expired or revoked
 * 401, valid without the admin role 403, Keystone unreachable 503.
 */
final class AdminAuth {
  static final String HEADER = "X-Auth-Token";
  private static final Logger LOG = LoggerFactory.getLogger(AdminAuth.class);

  /** SHA-256 of the admin token; immutable. */
  private final byte[] expected;
  private final Optional<KeystoneRoleCheck> keystone;

  AdminAuth(String adminToken) {
    this(adminToken, Optional.empty());
  }

  AdminAuth(String adminToken, Optional<KeystoneRoleCheck> keystone) {
    if (adminToken == null || adminToken.isEmpty()) {
      throw new IllegalArgumentException("the admin token must not be empty");
    }
    this.expected = sha256(adminToken);
    this.keystone = Objects.requireNonNull(keystone, "keystone");
  }

  /** The token Keystone must judge: with Keystone configured, one that is not the admin token. */
  Optional<String> keystoneToken(RequestInfo request) {
    if (keystone.isEmpty()) {
      return Optional.empty();
    }
    return request.header(HEADER).filter(value -> !value.isEmpty() && !isAdminToken(value));
  }

  /** Keystone's refusal of {@code token}, or empty when it carries the role; blocks. */
  Optional<FullHttpResponse> keystoneRefusal(String token) {
    KeystoneRoleCheck check = keystone.orElseThrow();
    KeystoneRoleCheck.Verdict verdict;
    try {
      verdict = check.check(token);
    } catch (KeystoneUnavailableException e) {
      LOG.warn("cannot check a management call's token: {}", e.getMessage());
      return Optional.of(Responses.glanceError(HttpResponseStatus.SERVICE_UNAVAILABLE,
          "Keystone cannot check the X-Auth-Token now; the admin token still works"));
    }
    return switch (verdict) {
      case ALLOWED -> Optional.empty();
      case MISSING_ROLE -> Optional.of(Responses.glanceError(HttpResponseStatus.FORBIDDEN,
          "the X-Auth-Token does not carry the role " + check.role()));
      case INVALID -> {
        FullHttpResponse response = Responses.glanceError(HttpResponseStatus.UNAUTHORIZED,
            "Keystone does not accept the X-Auth-Token (invalid, expired or revoked)");
        response.headers().set(HttpHeaderNames.WWW_AUTHENTICATE,
            "X-Auth-Token realm=\"imagecache\"");
        yield Optional.of(response);
      }
    };
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
