package io.imagecache.server;

import io.imagecache.ImageId;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routes each request on one connection to the exchange that answers it, one exchange at a time:
 * a request that arrives while an earlier response is still being sent waits its turn (HTTP/1.1
 * pipelining), and reading stops meanwhile. Every target is normalised once ({@link
 * RequestTarget}) and routed in that form: the image file, the cache API, versions, health,
 * metrics; with a Glance origin every other path is passed through to it, in that same form,
 * except what still looks like a cache API, which is answered here (404).
 *
 * <p>One instance per connection, confined to its event loop.
 */
final class RequestRouter extends ChannelInboundHandlerAdapter {
  private static final Logger LOG = LoggerFactory.getLogger(RequestRouter.class);
  private static final Pattern IMAGE_FILE = Pattern.compile("^/v2/images/([^/]*)/file$");
  private static final Pattern IMAGE = Pattern.compile("^/v2/images/([^/]+)$");

  private final ServerContext context;
  private final RouteTable routes;
  /** The exchange answering the current request, or null between requests. */
  private Exchange current;
  /** Whether the current request's body has been read to its end. */
  private boolean bodyDone;
  /** Messages of later requests that arrived while the current one was answered. */
  private final ArrayDeque<Object> pending = new ArrayDeque<>();
  /** Whether the server is draining: close once no request is being answered. */
  private boolean draining;

  RequestRouter(ServerContext context, RouteTable routes) {
    this.context = context;
    this.routes = routes;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (current != null && bodyDone) {
      pending.add(msg);
      return;
    }
    dispatch(ctx, msg);
  }

  private void dispatch(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof HttpRequest request) {
      if (request.decoderResult().isFailure()) {
        ReferenceCountUtil.release(msg);
        RequestInfo info = RequestInfo.of(request).closing();
        begin(ctx, ImmediateExchange.send(ctx, info, malformed(request.decoderResult().cause())),
            true);
        return;
      }
      boolean complete = msg instanceof LastHttpContent;
      Exchange exchange = route(ctx, request);
      if (complete && !(exchange instanceof ProxyAdapter)) {
        ReferenceCountUtil.release(msg);
      }
      begin(ctx, exchange, complete);
    } else if (msg instanceof HttpContent content) {
      if (current == null) {
        // The exchange answered before its request's body ended: the rest is read and dropped.
        content.release();
        return;
      }
      boolean last = content instanceof LastHttpContent;
      current.content(content);
      if (last) {
        bodyDone = true;
        pauseReading(ctx);
      }
    } else {
      ReferenceCountUtil.release(msg);
    }
  }

  /** 431 for headers beyond the limit, 414 for a request line beyond it, else 400. */
  private static FullHttpResponse malformed(Throwable cause) {
    if (cause instanceof TooLongHttpHeaderException) {
      return Responses.text(HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE,
          "request headers too large: " + cause.getMessage());
    }
    if (cause instanceof TooLongHttpLineException) {
      return Responses.text(HttpResponseStatus.REQUEST_URI_TOO_LONG,
          "request line too long: " + cause.getMessage());
    }
    return Responses.text(HttpResponseStatus.BAD_REQUEST, "malformed request: " + cause.getMessage());
  }

  private void begin(ChannelHandlerContext ctx, Exchange exchange, boolean complete) {
    current = exchange;
    bodyDone = complete;
    if (complete) {
      pauseReading(ctx);
    }
    exchange.completion().addListener(done -> ctx.executor().execute(() -> end(ctx, exchange)));
  }

  private void end(ChannelHandlerContext ctx, Exchange exchange) {
    if (current != exchange) {
      return;
    }
    current = null;
    bodyDone = false;
    if (draining) {
      // Requests that came in behind it are not answered: their client sees the close.
      ctx.close();
      return;
    }
    while (!pending.isEmpty() && (current == null || !bodyDone)) {
      dispatch(ctx, pending.poll());
    }
    // Read on while no request is being answered, or while the current one's body is still due.
    if ((current == null || !bodyDone) && ctx.channel().isActive()) {
      ctx.channel().config().setAutoRead(true);
      ctx.read();
    }
  }

  private static void pauseReading(ChannelHandlerContext ctx) {
    ctx.channel().config().setAutoRead(false);
  }

  /** Picks the exchange for a request head. */
  private Exchange route(ChannelHandlerContext ctx, HttpRequest httpRequest) {
    RequestInfo request = RequestInfo.of(httpRequest);
    RequestTarget target;
    try {
      target = RequestTarget.parse(httpRequest.uri());
    } catch (IllegalArgumentException e) {
      return ImmediateExchange.send(ctx, request,
          Responses.text(HttpResponseStatus.BAD_REQUEST, e.getMessage()));
    }
    if (httpRequest.headers().getAll(AdminAuth.HEADER).size() > 1) {
      // An ambiguous credential: neither checked here nor passed on to the origin.
      return ImmediateExchange.send(ctx, request, Responses.text(HttpResponseStatus.BAD_REQUEST,
          "the request has more than one X-Auth-Token header: send one"));
    }
    if (target.unknownVersion()) {
      return versions(ctx, request, HttpResponseStatus.MULTIPLE_CHOICES);
    }
    String path = target.path();
    request = request.withPath(path);
    boolean cacheApi = path.equals("/v2/cache") || path.startsWith("/v2/cache/");
    if (!cacheApi) {
      dropAdminToken(httpRequest);
    }
    if (path.equals("/versions") || path.equals("/")) {
      return versions(ctx, request,
          path.equals("/") ? HttpResponseStatus.MULTIPLE_CHOICES : HttpResponseStatus.OK);
    }
    if (path.equals("/healthz")) {
      return ImmediateExchange.send(ctx, request, Responses.text(HttpResponseStatus.OK, "ok"));
    }
    Matcher image = IMAGE_FILE.matcher(path);
    if (image.matches() && (HttpMethod.GET.equals(request.method()) || request.isHead())) {
      boolean chunkedAllowed =
          httpRequest.protocolVersion().compareTo(HttpVersion.HTTP_1_1) >= 0;
      if (FleetAuth.isPeerRequest(request)) {
        Optional<FullHttpResponse> refusal = context.fleetAuth().refusal(request,
            httpRequest.headers().getAll(FleetAuth.HEADER));
        if (refusal.isPresent()) {
          return ImmediateExchange.send(ctx, request, refusal.get());
        }
        return imageFile(ctx, request, image.group(1), chunkedAllowed, true);
      }
      return imageFile(ctx, request, image.group(1), chunkedAllowed, false);
    }
    // The fleet token never leaves the fleet: not passed on to the origin.
    httpRequest.headers().remove(FleetAuth.HEADER);
    Optional<Exchange> local = routes.route(ctx, request);
    if (local.isPresent()) {
      return local.get();
    }
    if (!target.mayPassThrough()) {
      // Never passed through: Glance could read it as its own cache API, admin token and all.
      return ImmediateExchange.send(ctx, request, Responses.glanceError(
          HttpResponseStatus.NOT_FOUND, "no such path: " + path
              + " (the cache API is /v2/cache, and it is answered by imagecache only)"));
    }
    if (context.proxy().isPresent()) {
      ProxyExchange exchange = context.proxy().get().start(ctx, httpRequest, target);
      evictWhenDeleted(request, path, exchange);
      AccessLogHandler.result(ctx, AccessResult.PROXIED);
      return new ProxyAdapter(exchange);
    }
    if (image.matches()) {
      return ImmediateExchange.send(ctx, request, Responses.allow("GET, HEAD"));
    }
    return ImmediateExchange.send(ctx, request,
        Responses.text(HttpResponseStatus.NOT_FOUND, "no such path: " + path));
  }

  /**
   * The admin token never leaves imagecache: sent by mistake on a path that reads the caller's
   * token (an image read asks Glance with it, a proxied call carries it), it is taken out, and
   * Glance sees a caller without a token.
   */
  private void dropAdminToken(HttpRequest request) {
    String token = request.headers().get(AdminAuth.HEADER);
    if (token != null && context.adminAuth().isAdminToken(token)) {
      request.headers().remove(AdminAuth.HEADER);
      LOG.debug("{} {}: the admin token is not passed on to the origin", request.method(),
          request.uri());
    }
  }

  /**
   * After {@code DELETE /v2/images/{id}} went through to Glance, drops the cached copy when Glance
   * accepted the caller's delete (2xx) and, asked with the cache's own credential, no longer has
   * the image (Glance's cache middleware evicts on image delete too). A refused delete (401, 403,
   * 404, …) never evicts, whatever the cache's own check says.
   */
  private void evictWhenDeleted(RequestInfo request, String path, ProxyExchange exchange) {
    Matcher image = IMAGE.matcher(path);
    if (!HttpMethod.DELETE.equals(request.method()) || !image.matches()) {
      return;
    }
    ImageId id;
    try {
      id = ImageIdSegment.decode(image.group(1));
    } catch (IllegalArgumentException e) {
      return; // not an id the cache could hold
    }
    exchange.completion().addListener(done -> {
      boolean deleted = done.isSuccess() && exchange.originStatus()
          .filter(status -> status.codeClass() == HttpStatusClass.SUCCESS).isPresent();
      if (!deleted) {
        LOG.debug("delete of image {} not accepted by the origin ({}): cached copy kept", id,
            exchange.originStatus().map(HttpResponseStatus::toString).orElse("no response"));
        return;
      }
      Blocking.call(context.blocking(), () -> {
        if (context.cache().isCached(id) && !context.cache().originHas(id)) {
          context.cache().delete(id);
          LOG.info("image {} deleted at the origin: evicted from the cache", id);
        }
        return null;
      }).whenComplete((ignored, failure) -> {
        if (failure != null) {
          LOG.warn("could not check whether deleted image {} should be evicted: {}", id,
              Failures.unwrap(failure).toString());
        }
      });
    });
  }

  /**
   * The image's file, for a client, or for a peer ({@code forPeer}, its fleet token checked):
   * a peer is answered from a hit or a live fill only.
   */
  private Exchange imageFile(ChannelHandlerContext ctx, RequestInfo request, String rawId,
      boolean chunkedAllowed, boolean forPeer) {
    ImageId id;
    try {
      id = ImageIdSegment.decode(rawId);
    } catch (IllegalArgumentException e) {
      return ImmediateExchange.send(ctx, request,
          Responses.text(HttpResponseStatus.BAD_REQUEST, e.getMessage()));
    }
    LOG.debug("{} image {}{}", request.method(), id, forPeer ? " for a peer" : "");
    ImageFileExchange exchange = new ImageFileExchange(ctx, request, context, id, chunkedAllowed);
    if (forPeer) {
      exchange.startForPeer();
    } else {
      exchange.start();
    }
    return exchange;
  }

  private Exchange versions(ChannelHandlerContext ctx, RequestInfo request,
      HttpResponseStatus status) {
    byte[] body = VersionsDocument.render(context.json(), request.header(HttpHeaderNames.HOST));
    return ImmediateExchange.send(ctx, request, Responses.json(status, body));
  }

  /** On {@link Connections#DRAIN}: closes now if idle, else once the current response is sent. */
  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
    if (event != Connections.DRAIN) {
      super.userEventTriggered(ctx, event);
      return;
    }
    draining = true;
    if (current == null) {
      ctx.close();
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    while (!pending.isEmpty()) {
      ReferenceCountUtil.release(pending.poll());
    }
    super.channelInactive(ctx);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    LOG.debug("connection {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
    ctx.close();
  }
}
