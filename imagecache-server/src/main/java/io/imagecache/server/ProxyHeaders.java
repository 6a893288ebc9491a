package io.imagecache.server;

import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.util.Locale;
import java.util.Set;

/**
 * The header rewriting of the Glance pass-through: hop-by-hop headers out (RFC 9110 §7.6.1),
 * {@code Host} set to the origin, the origin's base path in front of the request path, and the
 * response framed for the client. Everything else, {@code X-Auth-Token} included, passes as is.
 */
final class ProxyHeaders {
  /** Hop-by-hop headers besides every {@code Proxy-*} one and those {@code Connection} names. */
  private static final Set<String> HOP_BY_HOP =
      Set.of("connection", "keep-alive", "te", "trailer", "upgrade");
  /** Framing headers that a {@code Connection} token must not remove (a smuggling trick). */
  private static final Set<String> FRAMING =
      Set.of("content-length", "transfer-encoding", "host");

  private ProxyHeaders() {}

  /**
   * The client's request as the origin sees it, sent to {@code target} (the normalised target the
   * router routed, never the raw one) under the origin's base path.
   */
  static HttpRequest upstreamRequest(HttpRequest client, RequestTarget target, String basePath,
      String authority) {
    HttpHeaders headers = endToEnd(client.headers());
    headers.set(HttpHeaderNames.HOST, authority);
    // One upstream connection per request: say so, and the origin closes after its response.
    headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    return new DefaultHttpRequest(HttpVersion.HTTP_1_1, client.method(),
        basePath + target.originForm(), headers);
  }

  /** A 1xx response (e.g. 100 Continue) as the client sees it. */
  static HttpResponse interimResponse(HttpResponse upstream) {
    return new DefaultHttpResponse(HttpVersion.HTTP_1_1, upstream.status(),
        endToEnd(upstream.headers()));
  }

  /** A final response head for the client and whether the client connection stays open after it. */
  record ClientResponse(HttpResponse head, boolean keepAlive) {
    ClientResponse {
      if (head == null) {
        throw new IllegalArgumentException("head must not be null");
      }
    }
  }

  /**
   * The origin's final response head as the client sees it. A body delimited by the origin closing
   * the connection is re-framed as chunked for an HTTP/1.1 client; an HTTP/1.0 client gets such a
   * body (or a chunked one, which it cannot read) delimited by close.
   *
   * @param keepAlive whether the client asked to keep the connection and its request is complete
   */
  static ClientResponse clientResponse(HttpResponse upstream, HttpMethod requestMethod,
      HttpVersion clientVersion, boolean keepAlive) {
    HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, upstream.status(),
        endToEnd(upstream.headers()));
    int code = upstream.status().code();
    boolean bodyless = HttpMethod.HEAD.equals(requestMethod) || code < 200 || code == 204
        || code == 304;
    boolean oldClient = HttpVersion.HTTP_1_0.equals(clientVersion);
    boolean stayOpen = keepAlive;
    if (!bodyless) {
      boolean chunked = HttpUtil.isTransferEncodingChunked(head);
      boolean sized = head.headers().contains(HttpHeaderNames.CONTENT_LENGTH);
      if (oldClient && chunked) {
        head.headers().remove(HttpHeaderNames.TRANSFER_ENCODING);
        stayOpen = false;
      } else if (!chunked && !sized) {
        if (oldClient) {
          stayOpen = false;
        } else {
          HttpUtil.setTransferEncodingChunked(head, true);
        }
      }
    }
    if (!stayOpen) {
      head.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    } else if (oldClient) {
      head.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
    }
    return new ClientResponse(head, stayOpen);
  }

  /** A copy of {@code headers} without the hop-by-hop ones. */
  static HttpHeaders endToEnd(HttpHeaders headers) {
    HttpHeaders copy = headers.copy();
    for (String listed : headers.getAll(HttpHeaderNames.CONNECTION)) {
      for (String token : listed.split(",")) {
        String name = token.trim().toLowerCase(Locale.ROOT);
        if (!name.isEmpty() && !FRAMING.contains(name)) {
          copy.remove(name);
        }
      }
    }
    for (String name : headers.names()) {
      String lower = name.toLowerCase(Locale.ROOT);
      if (HOP_BY_HOP.contains(lower) || lower.startsWith("proxy-")) {
        copy.remove(name);
      }
    }
    return copy;
  }
}
