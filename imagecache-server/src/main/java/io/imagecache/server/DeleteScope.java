package io.imagecache.server;

import io.imagecache.DriverKind;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.util.List;

/**
 * Where {@code DELETE /v2/cache/{id}} deletes, from its {@code scope} query parameter: this node
 * ({@code node}, or no parameter: Glance's behaviour) or every node of the fleet ({@code fleet},
 * driver postgres only).
 */
enum DeleteScope {
  NODE, FLEET;

  /**
   * The scope {@code uri} asks for on a cache with {@code driver}; {@link IllegalArgumentException}
   * (a 400) for another value, a repeated parameter, or {@code fleet} without driver postgres.
   */
  static DeleteScope parse(String uri, DriverKind driver) {
    List<String> values = new QueryStringDecoder(uri).parameters().get("scope");
    if (values == null) {
      return NODE;
    }
    if (values.size() != 1) {
      throw new IllegalArgumentException("Give the query parameter 'scope' at most once.");
    }
    return switch (values.get(0)) {
      case "node" -> NODE;
      case "fleet" -> {
        if (driver != DriverKind.POSTGRES) {
          throw new IllegalArgumentException("scope=fleet needs driver postgres (the nodes of a"
              + " fleet share its database); this node runs driver " + driver.configName() + ".");
        }
        yield FLEET;
      }
      default -> throw new IllegalArgumentException(
          "If provided, the query parameter 'scope' must be 'node' or 'fleet'.");
    };
  }
}
