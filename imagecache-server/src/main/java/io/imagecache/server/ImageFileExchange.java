package io.imagecache.server;

import io.imagecache.Download;
import io.imagecache.ImageId;
import io.imagecache.ImageInfo;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.io.Closeable;
import java.io.IOException;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET|HEAD /v2/images/{id}/file}: asks the cache for the image (on the event loop only for
 * a hit of a file the cache holds open, else off it) and sends what it answers: a committed file
 * as one zero-copy region, a fill as it grows, or the origin's bytes streamed through. Single
 * byte ranges are served from a committed file and from a fill of known size; a pass-through
 * sends the whole image. A fill or pass-through of unknown size is sent chunked.
 */
final class ImageFileExchange extends LocalExchange {
  private static final Logger LOG = LoggerFactory.getLogger(ImageFileExchange.class);

  private final ServerContext context;
  private final ImageId id;
  /** Whether the client speaks HTTP/1.1 or later and so understands a chunked body. */
  private final boolean chunkedAllowed;
  /**
   * Event-loop confined. Set when the body's end is the connection's end: an HTTP/1.0 client and
   * a size not known in advance. Such a body that goes wrong is ended with a reset, not a close.
   */
  private boolean closeDelimited;
  /** When the request was routed here ({@link System#nanoTime()}): the time to first byte's start. */
  private final long startNanos = System.nanoTime();

  ImageFileExchange(ChannelHandlerContext ctx, RequestInfo request, ServerContext context,
      ImageId id, boolean chunkedAllowed) {
    super(ctx, request);
    this.context = context;
    this.id = id;
    this.chunkedAllowed = chunkedAllowed;
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
    // A hit of a file the cache holds open is answered right here; anything else off the loop.
    Optional<Download> hot = context.cache().downloadWithoutBlocking(id, token);
    if (hot.isPresent()) {
      serve(hot.get());
      return;
    }
    context.cache().download(id, token, context.blocking())
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

  /**
   * For a peer (its fleet token checked by the caller): no reader check, never a new fill; the
   * committed file or the live fill, else 404; beyond the per-image upload limit 503 with
   * {@code Retry-After}, so that the peer takes another source.
   */
  void startForPeer() {
    PeerUploads uploads = context.peerUploads();
    if (!uploads.tryAcquire(id)) {
      FullHttpResponse busy = Responses.text(HttpResponseStatus.SERVICE_UNAVAILABLE,
          "image " + id + " is being sent to " + uploads.limit() + " peers already");
      busy.headers().set(HttpHeaderNames.RETRY_AFTER, "1");
      respond(busy);
      return;
    }
    AtomicBoolean released = new AtomicBoolean();
    Runnable release = () -> {
      if (released.compareAndSet(false, true)) {
        uploads.release(id);
      }
    };
    completion().addListener(done -> release.run());
    ctx.channel().closeFuture().addListener(closed -> release.run());
    Blocking.call(context.blocking(), () -> context.cache().downloadForPeer(id))
        .whenComplete((download, failure) -> onLoop(() -> {
          if (failure != null) {
            fail(failure);
          } else if (download.isEmpty()) {
            AccessLogHandler.result(ctx, AccessResult.ERROR);
            respond(Responses.text(HttpResponseStatus.NOT_FOUND,
                "image " + id + " is neither cached nor being filled on this node"));
          } else if (!ctx.channel().isActive()) {
            closeQuietly(download.get());
            abort();
          } else if (request.isHead()) {
            closeQuietly(download.get());
            respondHead(download.get().info());
          } else {
            serve(download.get());
          }
        }));
  }

  private void serve(Download download) {
    ServerMetrics.imageServed(ctx, request, startNanos, download, completion());
    AccessLogHandler.result(ctx, accessResult(download));
    ImageInfo info = download.info();
    if (ImageHeaders.notModified(request, info)) {
      closeQuietly(download);
      respondNotModified(info);
      return;
    }
    // A pass-through body comes from the origin from its first byte and is verified as a whole:
    // a range of it is answered with the whole image (RFC 9110 lets a server ignore Range).
    boolean rangesServed =
        info.size().isPresent() && !(download instanceof Download.PassThrough);
    ByteRange.Request range = rangesServed
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
    if (!rangesServed) {
      head.headers().set(HttpHeaderNames.ACCEPT_RANGES, HttpHeaderValues.NONE);
    }
    if (download instanceof Download.Hit hit) {
      sendHit(hit, head, part);
    } else if (download instanceof Download.Filling filling) {
      new FillStreamer(this, ctx, filling, part).start(head);
    } else if (download instanceof Download.PassThrough passThrough) {
      new PassThroughStreamer(this, ctx, context.blocking(), passThrough).start(head);
    }
  }

  private static AccessResult accessResult(Download download) {
    if (download instanceof Download.Hit) {
      return AccessResult.HIT;
    }
    if (download instanceof Download.Filling filling) {
      return filling.joined() ? AccessResult.JOINED : AccessResult.MISS;
    }
    return AccessResult.PASS_THROUGH;
  }

  /**
   * The response head: 200 or 206, image headers, a length when known, else chunked (HTTP/1.0:
   * neither, the connection's end ends the body).
   */
  private HttpResponse head(ImageInfo info, Optional<ByteRange> part) {
    HttpResponse response = new DefaultHttpResponse(HttpVersion.HTTP_1_1,
        part.isPresent() ? HttpResponseStatus.PARTIAL_CONTENT : HttpResponseStatus.OK);
    ImageHeaders.describe(response.headers(), info);
    if (part.isPresent()) {
      ByteRange range = part.get();
      response.headers().set(HttpHeaderNames.CONTENT_RANGE,
          range.contentRange(info.size().getAsLong()));
      // Content-MD5 is the digest of the body sent, which a part is not (RFC 1864); ETag stays.
      response.headers().remove(HttpHeaderNames.CONTENT_MD5);
      HttpUtil.setContentLength(response, range.length());
    } else if (info.size().isPresent()) {
      HttpUtil.setContentLength(response, info.size().getAsLong());
    } else if (chunkedAllowed) {
      HttpUtil.setTransferEncodingChunked(response, true);
    } else {
      closeDelimited = true;
    }
    Responses.setKeepAlive(response, request.keepAlive() && !closeDelimited);
    return response;
  }

  private void sendHit(Download.Hit hit, HttpResponse head, Optional<ByteRange> part) {
    long first = part.map(ByteRange::first).orElse(0L);
    long length = part.map(ByteRange::length).orElse(hit.size());
    TcpCork.Corked corked = TcpCork.on(ctx);
    ctx.write(head);
    if (length > 0) {
      ctx.write(FileBody.of(ctx, hit.channel(), first, length, hit));
    } else {
      closeQuietly(hit);
    }
    ChannelFuture last = ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
    corked.until(last);
    finish(last);
  }

  /** 304: the client's copy, named by {@code If-None-Match}, is this image. */
  private void respondNotModified(ImageInfo info) {
    FullHttpResponse response = Responses.empty(HttpResponseStatus.NOT_MODIFIED);
    ImageHeaders.describe(response.headers(), info);
    response.headers().remove(HttpHeaderNames.CONTENT_TYPE);
    respond(response);
  }

  private void respondHead(ImageInfo info) {
    if (ImageHeaders.notModified(request, info)) {
      respondNotModified(info);
      return;
    }
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
    AccessLogHandler.result(ctx, AccessResult.ERROR);
    Failures.Answer answer = Failures.answer(failure);
    ServerMetrics.imageFailed(ctx, request, startNanos, answer.status());
    if (answer.status().equals(HttpResponseStatus.INTERNAL_SERVER_ERROR)) {
      LOG.error("{} image {} failed", request.method(), id, Failures.unwrap(failure));
    } else if (answer.status().code() >= 500) {
      LOG.warn("{} image {} failed: {}", request.method(), id,
          Failures.unwrap(failure).toString());
    }
    respond(Responses.text(answer.status(), answer.message()));
  }

  /** Ends a streamed response cleanly (after its last content was written). */
  void streamed(ChannelFuture lastWrite) {
    if (closeDelimited) {
      lastWrite.addListener(ChannelFutureListener.CLOSE);
    }
    finish(lastWrite);
  }

  /**
   * Ends a streamed response by breaking the connection: the client must not see a clean end.
   * A body delimited by the connection's end is reset instead (SO_LINGER 0), which the client
   * cannot take for that end.
   */
  void broken(String why) {
    LOG.warn("image {}: response aborted: {}", id, why);
    if (closeDelimited) {
      ctx.channel().config().setOption(ChannelOption.SO_LINGER, 0);
    }
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
