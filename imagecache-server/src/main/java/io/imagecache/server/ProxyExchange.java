package io.imagecache.server;

import io.netty.channel.Channel;
import io.netty.channel.ChannelConfig;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.PrematureChannelClosureException;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.nio.channels.ClosedChannelException;
import java.util.ArrayDeque;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One request relayed to the Glance origin and its response streamed back: made by
 * {@link GlanceProxy#start}, fed with {@link #content}, finished when {@link #completion()} is.
 *
 * <p>Phases, all on the inbound channel's event loop (so no locks):
 * <ol>
 *   <li>CONNECTING: the upstream connection is being opened; request contents that arrive are
 *       kept in {@code pending} and inbound reading is paused, so at most one read's worth waits.
 *   <li>OPEN: the request head and pending contents have been written; request contents stream
 *       up and response objects stream down as they arrive.
 *   <li>ENDING: the response's last content (or a 502) has been handed to the inbound channel.
 *   <li>DONE: {@link #completion()} is complete; contents still arriving are released.
 * </ol>
 *
 * <p>Backpressure: inbound reading is paused while the upstream channel is not writable
 * (its writability events arrive through {@link ProxyUpstreamHandler}); upstream reading is paused
 * while the inbound channel is not writable and resumes when the last write handed to it has
 * completed, i.e. when everything queued has drained. The inbound channel's writability events
 * belong to the router, so this side does not need them.
 *
 * <p>Failures: any upstream failure (refused, DNS, TLS, closed, unparsable) before the final
 * response head has gone to the client becomes {@code 502 Bad Gateway} with "Glance origin
 * unreachable: reason"; after it, the inbound connection is closed so that the client sees a
 * broken transfer rather than a clean end of a short body. The inbound connection closing closes
 * the upstream one. Every {@code ByteBuf} is either forwarded or released.
 */
final class ProxyExchange {
  private static final Logger log = LoggerFactory.getLogger(ProxyExchange.class);

  private enum Phase { CONNECTING, OPEN, ENDING, DONE }

  private final ChannelHandlerContext inbound;
  private final RequestInfo request;
  private final HttpVersion clientVersion;
  private final HttpRequest upstreamHead;
  private final String authority;
  private final Promise<Void> completion;
  private final ChannelFutureListener inboundClosed = future -> inboundClosed();
  private final ChannelFutureListener clientWritten = this::clientWritten;
  private final ChannelFutureListener upstreamWritten = this::upstreamWritten;
  private final ChannelFutureListener responseWritten = this::responseWritten;

  // Everything below is confined to the inbound channel's event loop.
  /** Request contents that arrived before the upstream connection was open. */
  private final ArrayDeque<HttpContent> pending = new ArrayDeque<>();
  /** The upstream channel once connecting has started; null before that or if it never did. */
  private Channel upstream;
  private Phase phase = Phase.CONNECTING;
  /** The router has handed over the request's {@code LastHttpContent}. */
  private boolean requestComplete;
  /** The final (non-1xx) response head has been written to the client. */
  private boolean responseStarted;
  /** The status of the origin's final response once its head has arrived; null before. */
  private HttpResponseStatus originStatus;
  /** A 1xx response is being relayed; its last content does not end the exchange. */
  private boolean interim;
  /** Whether the inbound connection stays open after the response. */
  private boolean keepAlive;
  /** The upstream channel is not writable, so inbound reading is paused. */
  private boolean upstreamBackedUp;
  /** The inbound channel was not writable, so upstream reading is paused until it drains. */
  private boolean upstreamReadPaused;
  /** The latest write handed to the inbound channel; when it completes, all before it have. */
  private ChannelFuture lastClientWrite;

  ProxyExchange(ChannelHandlerContext inbound, HttpRequest clientRequest, HttpRequest upstreamHead,
      String authority) {
    this.inbound = inbound;
    this.request = RequestInfo.of(clientRequest);
    this.clientVersion = clientRequest.protocolVersion();
    this.upstreamHead = upstreamHead;
    this.authority = authority;
    this.completion = inbound.executor().newPromise();
  }

  /**
   * Hands over the next content of the request, the {@code LastHttpContent} included. The
   * exchange owns it from here: it is forwarded upstream or released.
   */
  void content(HttpContent content) {
    if (phase == Phase.ENDING || phase == Phase.DONE || requestComplete) {
      ReferenceCountUtil.release(content);
      return;
    }
    if (content instanceof LastHttpContent) {
      requestComplete = true;
    }
    if (phase == Phase.CONNECTING) {
      pending.add(content);
    } else {
      upstream.writeAndFlush(content).addListener(upstreamWritten);
      upstreamBackedUp = !upstream.isWritable();
    }
    updateInboundReading();
  }

  /**
   * Completes when the exchange is over and the inbound connection is the router's again:
   * successfully once a whole response (the origin's, or a 502) has been written, after which
   * the connection is open for the next request unless the client asked to close it or the
   * request body was not read to its end (then the exchange has closed it); with a failure when
   * the exchange was aborted and the inbound connection closed.
   */
  Future<Void> completion() {
    return completion;
  }

  /**
   * The status of the origin's final response to this request; empty when none arrived (the
   * client got a 502, or went away first). Call on the inbound channel's event loop, e.g. from a
   * listener of {@link #completion()}.
   */
  Optional<HttpResponseStatus> originStatus() {
    return Optional.ofNullable(originStatus);
  }

  /** Starts connecting upstream with {@code pipeline}; called once, by {@link GlanceProxy}. */
  void connect(ProxyConnector connector, ChannelHandler pipeline) {
    inbound.channel().closeFuture().addListener(inboundClosed);
    if (phase == Phase.DONE) {
      return;
    }
    updateInboundReading();
    // In a later task: by then the rest of the read that brought the head (for a request without
    // a body, its end) has been handed over, so an immediate failure can keep the connection.
    inbound.executor().execute(() -> openUpstream(connector, pipeline));
  }

  private void openUpstream(ProxyConnector connector, ChannelHandler pipeline) {
    if (phase != Phase.CONNECTING) {
      return;
    }
    ChannelFuture connecting;
    try {
      connecting = connector.connect(inbound.channel(), pipeline);
    } catch (RuntimeException e) {
      upstreamFailed(e);
      return;
    }
    upstream = connecting.channel();
    connecting.addListener((ChannelFutureListener) this::connected);
  }

  private void connected(ChannelFuture connecting) {
    if (phase != Phase.CONNECTING) {
      connecting.channel().close();
      return;
    }
    if (!connecting.isSuccess()) {
      upstreamFailed(connecting.cause());
      return;
    }
    phase = Phase.OPEN;
    upstream.write(upstreamHead).addListener(upstreamWritten);
    for (HttpContent content = pending.poll(); content != null; content = pending.poll()) {
      upstream.write(content).addListener(upstreamWritten);
    }
    upstream.flush();
    upstreamBackedUp = !upstream.isWritable();
    updateInboundReading();
  }

  // ---- events from the upstream connection (ProxyUpstreamHandler) ----

  /** A response head or content from the origin: relayed to the client. */
  void upstreamRead(Object msg) {
    if (phase != Phase.OPEN) {
      ReferenceCountUtil.release(msg);
      return;
    }
    if (msg instanceof HttpObject object && object.decoderResult().isFailure()) {
      ReferenceCountUtil.release(msg);
      upstreamFailed(object.decoderResult().cause());
      return;
    }
    // HttpClientCodec without an aggregator: heads and contents always arrive as separate objects.
    if (msg instanceof HttpResponse head) {
      responseHead(head);
    } else if (msg instanceof HttpContent content) {
      responseContent(content);
    } else {
      ReferenceCountUtil.release(msg);
    }
  }

  /** The end of one read from the origin: flush what it produced to the client. */
  void upstreamReadComplete() {
    if (phase == Phase.OPEN) {
      inbound.flush();
    }
  }

  /** The upstream channel filled up or drained: pause or resume reading the client. */
  void upstreamWritabilityChanged() {
    if (phase == Phase.OPEN) {
      upstreamBackedUp = !upstream.isWritable();
      updateInboundReading();
    }
  }

  /** The upstream connection closed: a failure unless the response had already ended. */
  void upstreamClosed() {
    if (phase == Phase.CONNECTING || phase == Phase.OPEN) {
      upstreamFailed(new PrematureChannelClosureException(responseStarted
          ? "origin closed the connection in the middle of the response"
          : "origin closed the connection before a response"));
    }
  }

  /** The upstream connection failed: 502 before the response started, abort after. */
  void upstreamFailed(Throwable cause) {
    if (phase == Phase.ENDING || phase == Phase.DONE) {
      return;
    }
    if (upstream != null) {
      upstream.close();
    }
    if (responseStarted) {
      abort(cause);
    } else {
      badGateway(cause);
    }
  }

  // ---- the response, toward the client ----

  private void responseHead(HttpResponse head) {
    if (head.status().codeClass() == HttpStatusClass.INFORMATIONAL) {
      if (head.status().code() == HttpResponseStatus.SWITCHING_PROTOCOLS.code()) {
        upstreamFailed(new IllegalStateException("origin switched protocols unasked"));
        return;
      }
      interim = true;
      if (!HttpVersion.HTTP_1_0.equals(clientVersion)) { // HTTP/1.0 clients get no 1xx
        writeToClient(ProxyHeaders.interimResponse(head));
      }
      return;
    }
    ProxyHeaders.ClientResponse response = ProxyHeaders.clientResponse(head, request.method(),
        clientVersion, request.keepAlive() && requestComplete);
    keepAlive = response.keepAlive();
    responseStarted = true;
    originStatus = head.status();
    log.debug("{} {} -> {} {}", request.method(), request.uri(), authority, head.status().code());
    writeToClient(response.head());
  }

  private void responseContent(HttpContent content) {
    if (interim) {
      interim = !(content instanceof LastHttpContent);
      if (HttpVersion.HTTP_1_0.equals(clientVersion)) {
        ReferenceCountUtil.release(content);
      } else {
        writeToClient(content);
      }
      return;
    }
    if (!responseStarted) {
      ReferenceCountUtil.release(content);
      return;
    }
    if (content instanceof LastHttpContent) {
      phase = Phase.ENDING;
      upstream.close();
      inbound.writeAndFlush(content).addListener(responseWritten);
      return;
    }
    writeToClient(content);
  }

  /** Writes toward the client, pausing upstream reading while the inbound channel is full. */
  private void writeToClient(HttpObject msg) {
    ChannelFuture write = inbound.write(msg);
    lastClientWrite = write;
    if (!upstreamReadPaused && !inbound.channel().isWritable()) {
      upstreamReadPaused = true;
      upstream.config().setAutoRead(false);
    }
    write.addListener(clientWritten);
  }

  private void clientWritten(ChannelFuture write) {
    if (!write.isSuccess()) {
      abort(write.cause());
      return;
    }
    // Writes complete in order: once the latest one has, the inbound channel has drained.
    if (upstreamReadPaused && write == lastClientWrite && phase == Phase.OPEN) {
      upstreamReadPaused = false;
      upstream.config().setAutoRead(true);
    }
  }

  private void badGateway(Throwable cause) {
    phase = Phase.ENDING;
    releasePending();
    String message = "Glance origin unreachable: " + ProxyFailureReason.describe(cause, authority);
    if (ProxyFailureReason.isTls(cause)) {
      log.warn("{} {} -> 502: TLS with Glance origin {} failed", request.method(), request.uri(),
          authority, cause);
    } else {
      log.debug("{} {} -> 502: {}", request.method(), request.uri(), message, cause);
    }
    keepAlive = request.keepAlive() && requestComplete;
    RequestInfo answering = new RequestInfo(request.method(), request.uri(), request.path(),
        request.headers(), keepAlive);
    Responses.send(inbound, answering, Responses.text(HttpResponseStatus.BAD_GATEWAY, message))
        .addListener(responseWritten);
  }

  /** The response's last write is done: the exchange is over, the connection kept or closed. */
  private void responseWritten(ChannelFuture write) {
    if (!write.isSuccess()) {
      abort(write.cause());
      return;
    }
    finish(null);
    if (!keepAlive) {
      inbound.close();
    }
  }

  // ---- the end ----

  private void upstreamWritten(ChannelFuture write) {
    if (!write.isSuccess()) {
      // A failed request write ends in the upstream channel closing, which decides the outcome.
      log.debug("write to {} failed", authority, write.cause());
      write.channel().close();
    }
  }

  private void inboundClosed() {
    // While ENDING the last write's own outcome decides; before that the client has gone away.
    if (phase == Phase.CONNECTING || phase == Phase.OPEN) {
      finish(new ClosedChannelException());
    }
  }

  /** Ends the exchange by closing the client connection: it must not see a clean end. */
  private void abort(Throwable cause) {
    if (phase == Phase.DONE) {
      return;
    }
    log.debug("{} {} via {} aborted", request.method(), request.uri(), authority, cause);
    finish(cause);
    inbound.close();
  }

  private void finish(Throwable failure) {
    if (phase == Phase.DONE) {
      return;
    }
    phase = Phase.DONE;
    inbound.channel().closeFuture().removeListener(inboundClosed);
    releasePending();
    if (upstream != null) {
      upstream.close();
    }
    updateInboundReading();
    if (failure == null) {
      completion.trySuccess(null);
    } else {
      completion.tryFailure(failure);
    }
  }

  private void releasePending() {
    for (HttpContent content = pending.poll(); content != null; content = pending.poll()) {
      ReferenceCountUtil.release(content);
    }
  }

  /** Inbound reading is ours while the request body flows; back to on once it has been read. */
  private void updateInboundReading() {
    boolean read = phase == Phase.DONE || requestComplete
        || (phase == Phase.OPEN && !upstreamBackedUp);
    ChannelConfig config = inbound.channel().config();
    if (config.isAutoRead() != read) {
      config.setAutoRead(read);
    }
  }
}
