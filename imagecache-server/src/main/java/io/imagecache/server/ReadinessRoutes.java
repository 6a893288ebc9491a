package io.imagecache.server;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Optional;

/**
 * {@code GET /readyz}: 200 when every {@link Readiness} check passes, else 503, with a JSON body
 * naming each check. Needs no token. ({@code /healthz} stays liveness: the process answers.)
 */
final class ReadinessRoutes implements RouteTable {
  static final String PATH = "/readyz";

  private final ServerContext context;
  private final Readiness readiness;

  ReadinessRoutes(ServerContext context, Readiness readiness) {
    this.context = context;
    this.readiness = readiness;
  }

  @Override
  public Optional<Exchange> route(ChannelHandlerContext ctx, RequestInfo request) {
    return RouteTable.readOnly(PATH, ctx, request, () -> BlockingCallExchange.answer(ctx, request,
        readiness.check().thenApply(report -> {
          try {
            return Responses.json(
                report.ready() ? HttpResponseStatus.OK : HttpResponseStatus.SERVICE_UNAVAILABLE,
                report.json(context.json()));
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        })));
  }
}
