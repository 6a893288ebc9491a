package io.imagecache.server;

import io.netty.handler.codec.http.QueryStringDecoder;
import java.util.List;

/**
 * What {@code GET /v2/cache/nodes/{id}} answers, from its {@code detail} query parameter: Glance's
 * bare list of node URLs ({@code false}, or no parameter) or each live node's state
 * ({@code true}).
 */
final class NodesDetail {
  private NodesDetail() {}

  /**
   * Whether {@code uri} asks for the detail; {@link IllegalArgumentException} (a 400) for another
   * value or a repeated parameter.
   */
  static boolean parse(String uri) {
    List<String> values = new QueryStringDecoder(uri).parameters().get("detail");
    if (values == null) {
      return false;
    }
    if (values.size() != 1) {
      throw new IllegalArgumentException("Give the query parameter 'detail' at most once.");
    }
    return switch (values.get(0)) {
      case "true" -> true;
      case "false" -> false;
      default -> throw new IllegalArgumentException(
          "If provided, the query parameter 'detail' must be 'true' or 'false'.");
    };
  }
}
