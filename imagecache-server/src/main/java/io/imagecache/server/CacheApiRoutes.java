package io.imagecache.server;

import io.imagecache.ImageId;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Glance's v2 cache API under {@code /v2/cache} (the whole subtree is ours: nothing under it is
 * passed through to a Glance origin, so the admin token never leaves), plus the pin and status
 * extensions. Checks run in Glance's order: the path (static {@code clean}, {@code prune},
 * {@code nodes}, {@code status} before {@code {id}}), the method (405 with {@code Allow}), the
 * admin token (401, 403), a body where none is expected (400), the id (400), then the call.
 */
final class CacheApiRoutes implements RouteTable {
  private static final Logger LOG = LoggerFactory.getLogger(CacheApiRoutes.class);
  private static final String BASE = "/v2/cache";

  /** What one path under {@code /v2/cache} answers, by method. */
  private enum Resource {
    COLLECTION("GET, DELETE", Map.of(HttpMethod.GET, Call.LIST, HttpMethod.DELETE, Call.CLEAR)),
    CLEAN("POST", Map.of(HttpMethod.POST, Call.CLEAN)),
    PRUNE("POST", Map.of(HttpMethod.POST, Call.PRUNE)),
    STATUS("GET", Map.of(HttpMethod.GET, Call.STATUS)),
    NODES("GET", Map.of(HttpMethod.GET, Call.NODES)),
    IMAGE("DELETE, PUT", Map.of(HttpMethod.PUT, Call.QUEUE, HttpMethod.DELETE, Call.DELETE)),
    PIN("DELETE, PUT", Map.of(HttpMethod.PUT, Call.PIN, HttpMethod.DELETE, Call.UNPIN));

    private final String allow;
    private final Map<HttpMethod, Call> calls;

    Resource(String allow, Map<HttpMethod, Call> calls) {
      this.allow = allow;
      this.calls = calls;
    }
  }

  /** One endpoint; Glance rejects a request body on its two GETs that take no input. */
  private enum Call {
    LIST(true), CLEAR(false), CLEAN(false), PRUNE(false), STATUS(false), NODES(true),
    QUEUE(false), DELETE(false), PIN(false), UNPIN(false);

    private final boolean rejectsBody;

    Call(boolean rejectsBody) {
      this.rejectsBody = rejectsBody;
    }
  }

  /** A path matched to its resource, with the raw (still encoded) image id when it has one. */
  private record Match(Resource resource, Optional<String> rawId) {}

  private final ServerContext context;
  private final AdminAuth auth;
  private final CacheApiCalls calls;

  CacheApiRoutes(ServerContext context) {
    this.context = context;
    this.auth = context.adminAuth();
    this.calls = new CacheApiCalls(context.cache(), new CacheJson(context.json()));
  }

  @Override
  public Optional<Exchange> route(ChannelHandlerContext ctx, RequestInfo request) {
    String path = request.path();
    if (!path.equals(BASE) && !path.startsWith(BASE + "/")) {
      return Optional.empty();
    }
    LOG.debug("{} {}", request.method(), path);
    return Optional.of(answer(ctx, request, path));
  }

  private Exchange answer(ChannelHandlerContext ctx, RequestInfo request, String path) {
    Optional<Match> match = match(path);
    if (match.isEmpty()) {
      return send(ctx, request,
          Responses.glanceError(HttpResponseStatus.NOT_FOUND, "no such path: " + path));
    }
    Resource resource = match.get().resource();
    Call call = resource.calls.get(request.method());
    if (call == null) {
      FullHttpResponse response = Responses.glanceError(
          HttpResponseStatus.METHOD_NOT_ALLOWED, "use " + resource.allow);
      response.headers().set(HttpHeaderNames.ALLOW, resource.allow);
      return send(ctx, request, response);
    }
    Optional<String> keystoneToken = auth.keystoneToken(request);
    if (keystoneToken.isPresent()) {
      // Keystone may take a while: its check and the call run off the event loop together.
      return BlockingCallExchange.start(ctx, request, context.blocking(), () -> {
        Optional<FullHttpResponse> refused = auth.keystoneRefusal(keystoneToken.get());
        return refused.isPresent() ? refused.get() : authorized(call, request, match.get()).call();
      });
    }
    Optional<FullHttpResponse> refusal = auth.refusal(request);
    if (refusal.isPresent()) {
      return send(ctx, request, refusal.get());
    }
    if (call.rejectsBody && hasBody(request)) {
      return send(ctx, request, Responses.glanceError(HttpResponseStatus.BAD_REQUEST,
          "A body is not expected with this request."));
    }
    Callable<FullHttpResponse> work;
    try {
      work = work(call, request, match.get().rawId().map(ImageIdSegment::decode));
    } catch (IllegalArgumentException e) {
      return send(ctx, request,
          Responses.glanceError(HttpResponseStatus.BAD_REQUEST, e.getMessage()));
    }
    return BlockingCallExchange.start(ctx, request, context.blocking(), work);
  }

  /** The answer to an authorized {@code call}: the call's work, or 400 for what it rejects. */
  private Callable<FullHttpResponse> authorized(Call call, RequestInfo request, Match match) {
    if (call.rejectsBody && hasBody(request)) {
      return () -> Responses.glanceError(HttpResponseStatus.BAD_REQUEST,
          "A body is not expected with this request.");
    }
    try {
      return work(call, request, match.rawId().map(ImageIdSegment::decode));
    } catch (IllegalArgumentException e) {
      String message = e.getMessage();
      return () -> Responses.glanceError(HttpResponseStatus.BAD_REQUEST, message);
    }
  }

  /** The blocking work of {@code call}; {@link IllegalArgumentException} for a bad header. */
  private Callable<FullHttpResponse> work(Call call, RequestInfo request, Optional<ImageId> id) {
    return switch (call) {
      case LIST -> calls::list;
      case CLEAR -> {
        ClearTarget target = ClearTarget.parse(request.header(ClearTarget.HEADER));
        yield () -> calls.clear(target);
      }
      case CLEAN -> calls::clean;
      case PRUNE -> calls::prune;
      case STATUS -> calls::status;
      case NODES -> () -> calls.nodes(id.orElseThrow());
      case QUEUE -> () -> calls.queue(id.orElseThrow());
      case DELETE -> {
        DeleteScope scope = DeleteScope.parse(request.uri(), context.cache().config().driver());
        yield scope == DeleteScope.FLEET
            ? () -> calls.deleteFleetWide(id.orElseThrow())
            : () -> calls.delete(id.orElseThrow());
      }
      case PIN -> () -> calls.pin(id.orElseThrow());
      case UNPIN -> () -> calls.unpin(id.orElseThrow());
    };
  }

  /** The resource {@code path} names; static names win over an image id, as in Glance. */
  private static Optional<Match> match(String path) {
    if (path.equals(BASE)) {
      return Optional.of(new Match(Resource.COLLECTION, Optional.empty()));
    }
    List<String> segments = Arrays.asList(path.substring(BASE.length() + 1).split("/", -1));
    if (segments.stream().anyMatch(String::isEmpty)) {
      return Optional.empty();
    }
    if (segments.size() == 1) {
      String only = segments.get(0);
      return Optional.of(switch (only) {
        case "clean" -> new Match(Resource.CLEAN, Optional.empty());
        case "prune" -> new Match(Resource.PRUNE, Optional.empty());
        case "status" -> new Match(Resource.STATUS, Optional.empty());
        default -> new Match(Resource.IMAGE, Optional.of(only));
      });
    }
    if (segments.size() == 2 && segments.get(0).equals("nodes")) {
      return Optional.of(new Match(Resource.NODES, Optional.of(segments.get(1))));
    }
    if (segments.size() == 2 && segments.get(1).equals("pin")) {
      return Optional.of(new Match(Resource.PIN, Optional.of(segments.get(0))));
    }
    return Optional.empty();
  }

  /** Whether the request announces a body: a positive Content-Length or chunked encoding. */
  private static boolean hasBody(RequestInfo request) {
    if (request.headers().containsValue(
        HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED, true)) {
      return true;
    }
    Optional<String> length = request.header(HttpHeaderNames.CONTENT_LENGTH);
    if (length.isEmpty()) {
      return false;
    }
    try {
      return Long.parseLong(length.get().strip()) > 0;
    } catch (NumberFormatException e) {
      return true;
    }
  }

  private static Exchange send(ChannelHandlerContext ctx, RequestInfo request,
      FullHttpResponse response) {
    return ImmediateExchange.send(ctx, request, response);
  }
}
