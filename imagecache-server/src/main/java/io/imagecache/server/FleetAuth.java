package io.imagecache.server;

import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.Optional;

/**
 * Authentication of peers: a request that carries {@link #HEADER} is a peer's, and the header
 * must hold this node's fleet token. Empty is 401; anything else, or any token on a node that is
 * in no fleet, is 403. Both sides are hashed before a constant-time comparison, so neither the
 * content nor the length of the token leaks through timing. Immutable.
 */
final class FleetAuth {
  /** The header a peer sends the fleet token in; its presence makes a request a peer's. */
  static final String HEADER = "X-Imagecache-Fleet-Token";

  /** SHA-256 of the fleet token; empty on a node outside a fleet. */
  private final Optional<byte[]> expected;

  FleetAuth(Optional<String> fleetToken) {
    this.expected = fleetToken.map(FleetAuth::sha256);
  }

  /** Whether {@code request} is a peer's: it carries the fleet token header. */
  static boolean isPeerRequest(RequestInfo request) {
    return request.header(HEADER).isPresent();
  }

  /** The refusal to send to a peer request, or empty when its token is this fleet's. */
  Optional<FullHttpResponse> refusal(RequestInfo request, List<String> values) {
    if (values.size() > 1) {
      return Optional.of(Responses.text(HttpResponseStatus.BAD_REQUEST,
          "the request has more than one " + HEADER + " header: send one"));
    }
    String token = values.isEmpty() ? "" : values.get(0);
    if (token.isEmpty()) {
      FullHttpResponse response = Responses.text(HttpResponseStatus.UNAUTHORIZED,
          "a peer request needs the fleet token in the " + HEADER + " header");
      response.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, HEADER + " realm=\"imagecache\"");
      return Optional.of(response);
    }
    if (expected.isEmpty()) {
      return Optional.of(Responses.text(HttpResponseStatus.FORBIDDEN,
          "this node is not in a fleet: it serves no peers"));
    }
    if (!MessageDigest.isEqual(sha256(token), expected.get())) {
      return Optional.of(Responses.text(HttpResponseStatus.FORBIDDEN,
          "the " + HEADER + " is not this fleet's token"));
    }
    return Optional.empty();
  }

  private static byte[] sha256(String value) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
  }
}
