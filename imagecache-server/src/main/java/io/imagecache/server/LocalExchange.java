package io.imagecache.server;

import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;

/**
 * An exchange answered by this server itself: the request body is not needed and is released;
 * the response ends with {@link #finish}, {@link #respond} or {@link #abort}. Event-loop confined.
 */
abstract class LocalExchange implements Exchange {
  protected final ChannelHandlerContext ctx;
  protected final RequestInfo request;
  private final Promise<Void> completion;

  LocalExchange(ChannelHandlerContext ctx, RequestInfo request) {
    this.ctx = ctx;
    this.request = request;
    this.completion = ctx.executor().newPromise();
  }

  @Override
  public void content(HttpContent content) {
    ReferenceCountUtil.release(content);
  }

  @Override
  public Future<?> completion() {
    return completion;
  }

  /** Sends a complete response and finishes with it. */
  final void respond(FullHttpResponse response) {
    finish(Responses.send(ctx, request, response));
  }

  /** Finishes once {@code lastWrite} is done: the connection is then free or closed. */
  final void finish(ChannelFuture lastWrite) {
    lastWrite.addListener((ChannelFutureListener) future -> {
      if (!future.isSuccess() || !request.keepAlive()) {
        future.channel().close();
      }
      completion.trySuccess(null);
    });
  }

  /** Closes the connection mid-response, so the client sees a broken transfer, and finishes. */
  final void abort() {
    ctx.channel().close();
    completion.trySuccess(null);
  }

  /** Runs {@code task} on this connection's event loop. */
  final void onLoop(Runnable task) {
    if (ctx.executor().inEventLoop()) {
      task.run();
    } else {
      ctx.executor().execute(task);
    }
  }
}
