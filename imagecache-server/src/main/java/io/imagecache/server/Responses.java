package io.imagecache.server;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;

/** Builds and sends small complete responses: text, JSON, empty. */
final class Responses {
  private Responses() {}

  /** A complete response with a body of {@code contentType}. */
  static FullHttpResponse full(HttpResponseStatus status, String contentType, byte[] body) {
    return full(status, contentType, Unpooled.wrappedBuffer(body));
  }

  /** A complete response with a body of {@code contentType}, which it owns. */
  static FullHttpResponse full(HttpResponseStatus status, String contentType, ByteBuf body) {
    FullHttpResponse response =
        new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, body);
    if (body.isReadable() || status.code() >= 200) {
      response.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
    }
    HttpUtil.setContentLength(response, body.readableBytes());
    return response;
  }

  /** A plain-text response: the message and a newline. */
  static FullHttpResponse text(HttpResponseStatus status, String message) {
    return full(status, "text/plain; charset=UTF-8",
        (message + "\n").getBytes(StandardCharsets.UTF_8));
  }

  /** A JSON response. */
  static FullHttpResponse json(HttpResponseStatus status, byte[] json) {
    return full(status, "application/json", json);
  }

  /** A JSON response whose body it owns. */
  static FullHttpResponse json(HttpResponseStatus status, ByteBuf json) {
    return full(status, "application/json", json);
  }

  /**
   * A plain-text error of the cache API, one line that starts with the status as Glance's does
   * ({@code 404 Not Found: Image x not found.}): glanceclient prints a text body after
   * {@code HTTP }, so the glance CLI shows what it shows against Glance.
   */
  static FullHttpResponse glanceError(HttpResponseStatus status, String message) {
    // No trailing newline: the glance CLI quotes the body inside its own message.
    return full(status, "text/plain; charset=UTF-8",
        (status + ": " + message).getBytes(StandardCharsets.UTF_8));
  }

  /** 405 with the methods the path allows. */
  static FullHttpResponse allow(String methods) {
    FullHttpResponse response =
        text(HttpResponseStatus.METHOD_NOT_ALLOWED, "method not allowed; use " + methods);
    response.headers().set(HttpHeaderNames.ALLOW, methods);
    return response;
  }

  /** A response without a body (204, 202, 304). */
  static FullHttpResponse empty(HttpResponseStatus status) {
    FullHttpResponse response =
        new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.EMPTY_BUFFER);
    if (status.code() != 204 && status.code() != 304) {
      HttpUtil.setContentLength(response, 0);
    }
    return response;
  }

  /**
   * Sends a complete response and keeps the connection open when the request allows it. For HEAD
   * the headers are sent with the body left out.
   */
  static ChannelFuture send(ChannelHandlerContext ctx, RequestInfo request, FullHttpResponse response) {
    boolean keepAlive = request.keepAlive();
    HttpUtil.setKeepAlive(response, keepAlive);
    FullHttpResponse toSend = response;
    if (request.isHead()) {
      toSend = response.replace(Unpooled.EMPTY_BUFFER);
      response.release();
    }
    ChannelFuture future = ctx.writeAndFlush(toSend);
    if (!keepAlive) {
      future.addListener(ChannelFutureListener.CLOSE);
    }
    return future;
  }

  /** Marks a streamed response's headers for keep-alive or close. */
  static void setKeepAlive(HttpResponse response, boolean keepAlive) {
    if (keepAlive) {
      response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
    } else {
      response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    }
  }
}
