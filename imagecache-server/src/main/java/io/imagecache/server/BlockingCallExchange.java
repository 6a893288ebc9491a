package io.imagecache.server;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpResponse;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An exchange answered by one call that may block (the cache API, metrics): the call runs on the
 * blocking executor and its response (or its failure, through {@link Failures#cacheApiAnswer}, as
 * a {@link Responses#glanceError} line) is sent back on the connection's event loop.
 */
final class BlockingCallExchange extends LocalExchange {
  private static final Logger LOG = LoggerFactory.getLogger(BlockingCallExchange.class);

  private BlockingCallExchange(ChannelHandlerContext ctx, RequestInfo request) {
    super(ctx, request);
  }

  /** Starts {@code call} on {@code blocking} and answers with what it returns. */
  static Exchange start(ChannelHandlerContext ctx, RequestInfo request, Executor blocking,
      Callable<FullHttpResponse> call) {
    return answer(ctx, request, Blocking.call(blocking, call));
  }

  /** Answers with the response {@code answer} completes with, sent on the event loop. */
  static Exchange answer(ChannelHandlerContext ctx, RequestInfo request,
      CompletableFuture<FullHttpResponse> answer) {
    BlockingCallExchange exchange = new BlockingCallExchange(ctx, request);
    answer.whenComplete((response, failure) -> exchange.onLoop(() -> {
      if (failure == null) {
        exchange.respond(response);
      } else {
        exchange.fail(failure);
      }
    }));
    return exchange;
  }

  private void fail(Throwable failure) {
    Failures.Answer answer = Failures.cacheApiAnswer(failure);
    Throwable cause = Failures.unwrap(failure);
    if (answer.status().code() == 500) {
      // Not a condition the table knows: a bug, whose stack trace is needed.
      LOG.warn("{} {} failed", request.method(), request.path(), cause);
    } else if (answer.status().code() > 500) {
      // The origin or the cache's disk: one line with the real cause, the trace only at DEBUG.
      LOG.warn("{} {} failed ({}): {}", request.method(), request.path(),
          answer.status().code(), Failures.describe(cause));
      LOG.debug("{} {} failed", request.method(), request.path(), cause);
    } else {
      LOG.debug("{} {}: {} {}", request.method(), request.path(), answer.status().code(),
          answer.message());
    }
    respond(Responses.glanceError(answer.status(), answer.message()));
  }
}
