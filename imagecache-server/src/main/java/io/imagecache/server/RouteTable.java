package io.imagecache.server;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpMethod;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Routes of the server beyond the image file: the cache API, metrics. Answers the exchange for a
 * request it owns, started, or empty when the path is not its own.
 */
@FunctionalInterface
interface RouteTable {

  Optional<Exchange> route(ChannelHandlerContext ctx, RequestInfo request);

  /**
   * The answer of a table owning one read-only {@code path}: empty for another path, 405 for a
   * method other than GET or HEAD, else the exchange {@code answer} starts.
   */
  static Optional<Exchange> readOnly(String path, ChannelHandlerContext ctx, RequestInfo request,
      Supplier<Exchange> answer) {
    if (!request.path().equals(path)) {
      return Optional.empty();
    }
    if (!HttpMethod.GET.equals(request.method()) && !request.isHead()) {
      return Optional.of(ImmediateExchange.send(ctx, request, Responses.allow("GET, HEAD")));
    }
    return Optional.of(answer.get());
  }

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
