package io.imagecache.server;

import io.netty.channel.ChannelHandlerContext;
import java.util.List;
import java.util.Optional;

/**
 * Routes of the server beyond the image file: the cache API, metrics. Answers the exchange for a
 * request it owns, started, or empty when the path is not its own.
 */
@FunctionalInterface
interface RouteTable {

  Optional<Exchange> route(ChannelHandlerContext ctx, RequestInfo request);

  /** The first table that owns the request answers it. */
  static RouteTable of(List<RouteTable> tables) {
    return (ctx, request) -> {
      for (RouteTable table : tables) {
        Optional<Exchange> exchange = table.route(ctx, request);
        if (exchange.isPresent()) {
          return exchange;
        }
      }
      return Optional.empty();
    };
  }
}
