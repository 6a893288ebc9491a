package io.imagecache.server;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * {@code GET /metrics}: the Prometheus text format, or OpenMetrics when the scrape's {@code Accept}
 * asks for it, scraped on the blocking executor (reading the cache's stats may block). Needs no
 * token.
 */
final class MetricsRoutes implements RouteTable {
  static final String PATH = "/metrics";

  private final ServerContext context;
  private final ServerMetrics metrics;

  MetricsRoutes(ServerContext context, ServerMetrics metrics) {
    this.context = context;
    this.metrics = metrics;
  }

  @Override
  public Optional<Exchange> route(ChannelHandlerContext ctx, RequestInfo request) {
    return RouteTable.readOnly(PATH, ctx, request, () -> {
      String contentType = ServerMetrics.contentType(request.header(HttpHeaderNames.ACCEPT));
      return BlockingCallExchange.start(ctx, request, context.blocking(),
          () -> Responses.full(HttpResponseStatus.OK, contentType,
              metrics.scrape(contentType).getBytes(StandardCharsets.UTF_8)));
    });
  }
}
