package io.imagecache.server;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
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
    if (!request.path().equals(PATH)) {
      return Optional.empty();
    }
    if (!HttpMethod.GET.equals(request.method()) && !request.isHead()) {
      return Optional.of(ImmediateExchange.send(ctx, request, Responses.allow("GET, HEAD")));
    }
    return Optional.of(BlockingCallExchange.answer(ctx, request,
        readiness.check().thenApply(report -> {
          try {
            return Responses.json(
                report.ready() ? HttpResponseStatus.OK : HttpResponseStatus.SERVICE_UNAVAILABLE,
                report.json(context.json()));
          } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
          }
        })));
  }
}
