package io.imagecache.server;

import io.imagecache.Download;
import io.imagecache.ImageId;
import io.imagecache.ImageInfo;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.DefaultFileRegion;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.io.Closeable;
import java.io.IOException;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET|HEAD /v2/images/{id}/file}: asks the cache for the image (off the event loop) and
 * sends what it answers: a committed file as one zero-copy region, a fill as it grows, or the
 * origin's bytes streamed through. Single byte ranges are served in every case where the size is
 * known in advance; a fill or pass-through of unknown size is sent chunked.
 */
final class ImageFileExchange extends LocalExchange {
  private static final Logger LOG = LoggerFactory.getLogger(ImageFileExchange.class);

  private final ServerContext context;
  private final ImageId id;

  ImageFileExchange(ChannelHandlerContext ctx, RequestInfo request, ServerContext context,
      ImageId id) {
    super(ctx, request);
    this.context = context;
    this.id = id;
  }

  void start() {
    Optional<String> token = request.header("X-Auth-Token");
    if (request.isHead()) {
      Blocking.call(context.blocking(), () -> context.cache().describe(id, token))
          .whenComplete((info, failure) -> onLoop(() -> {
            if (failure != null) {
              fail(failure);
            } else {
              respondHead(info);
            }
          }));
      return;
    }
    Blocking.call(context.blocking(), () -> context.cache().download(id, token))
        .whenComplete((download, failure) -> onLoop(() -> {
          if (failure != null) {
            fail(failure);
          } else if (!ctx.channel().isActive()) {
            closeQuietly(download);
            abort();
          } else {
            serve(download);
          }
        }));
  }

  private void serve(Download download) {
    ImageInfo info = download.info();
    if (ImageHeaders.notModified(request, info)) {
      closeQuietly(download);
      FullHttpResponse response = Responses.empty(HttpResponseStatus.NOT_MODIFIED);
      ImageHeaders.describe(response.headers(), info);
      response.headers().remove(HttpHeaderNames.CONTENT_TYPE);
      respond(response);
      return;
    }
    ByteRange.Request range = info.size().isPresent()
        ? ByteRange.parse(ImageHeaders.effectiveRange(request, info), info.size().getAsLong())
        : new ByteRange.Whole();
    if (range instanceof ByteRange.Unsatisfiable) {
      closeQuietly(download);
      FullHttpResponse response = Responses.text(HttpResponseStatus.REQUESTED_RANGE_NOT_SATISFIABLE,
          "range not satisfiable: the image has " + info.size().getAsLong() + " bytes");
      response.headers().set(HttpHeaderNames.CONTENT_RANGE, "bytes */" + info.size().getAsLong());
      respond(response);
      return;
    }
    Optional<ByteRange> part = range instanceof ByteRange.Partial partial
        ? Optional.of(partial.range())
        : Optional.empty();
    HttpResponse head = head(info, part);
    if (download instanceof Download.Hit hit) {
      sendHit(hit, head, part);
    } else if (download instanceof Download.Filling filling) {
      new FillStreamer(this, ctx, filling, part).start(head);
    } else if (download instanceof Download.PassThrough passThrough) {
      new PassThroughStreamer(this, ctx, context.blocking(), passThrough).start(head);
    }
  }

  /** The response head: 200 or 206, image headers, a length when known, chunked otherwise. */
  private HttpResponse head(ImageInfo info, Optional<ByteRange> part) {
    HttpResponse response = new DefaultHttpResponse(HttpVersion.HTTP_1_1,
        part.isPresent() ? HttpResponseStatus.PARTIAL_CONTENT : HttpResponseStatus.OK);
    ImageHeaders.describe(response.headers(), info);
    if (part.isPresent()) {
      ByteRange range = part.get();
      response.headers().set(HttpHeaderNames.CONTENT_RANGE,
          range.contentRange(info.size().getAsLong()));
      HttpUtil.setContentLength(response, range.length());
    } else if (info.size().isPresent()) {
      HttpUtil.setContentLength(response, info.size().getAsLong());
    } else {
      HttpUtil.setTransferEncodingChunked(response, true);
    }
    Responses.setKeepAlive(response, request.keepAlive());
    return response;
  }

  private void sendHit(Download.Hit hit, HttpResponse head, Optional<ByteRange> part) {
    long first = part.map(ByteRange::first).orElse(0L);
    long length = part.map(ByteRange::length).orElse(hit.size());
    ctx.write(head);
    if (length > 0) {
      ctx.write(new DefaultFileRegion(hit.channel(), first, length));
    } else {
      closeQuietly(hit);
    }
    finish(ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT));
  }

  private void respondHead(ImageInfo info) {
    FullHttpResponse response = Responses.empty(HttpResponseStatus.OK);
    ImageHeaders.describe(response.headers(), info);
    if (info.size().isPresent()) {
      HttpUtil.setContentLength(response, info.size().getAsLong());
    } else {
      response.headers().remove(HttpHeaderNames.CONTENT_LENGTH);
    }
    respond(response);
  }

  private void fail(Throwable failure) {
    Failures.Answer answer = Failures.answer(failure);
    if (answer.status().code() >= 500) {
      LOG.warn("GET image {} failed: {}", id, Failures.unwrap(failure).toString());
    }
    respond(Responses.text(answer.status(), answer.message()));
  }

  /** Ends a streamed response cleanly (after its last content was written). */
  void streamed(io.netty.channel.ChannelFuture lastWrite) {
    finish(lastWrite);
  }

  /** Ends a streamed response by breaking the connection: the client must not see a clean end. */
  void broken(String why) {
    LOG.warn("image {}: response aborted: {}", id, why);
    abort();
  }

  /** Ends the exchange after the client went away or a write failed: nothing to tell anyone. */
  void abortQuietly() {
    abort();
  }

  static void closeQuietly(Closeable closeable) {
    try {
      closeable.close();
    } catch (IOException e) {
      LOG.debug("closing {} failed", closeable, e);
    }
  }
}
