package io.imagecache.server;

import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import java.util.Optional;

/** What a handler needs of a request once its head has arrived: method, path, headers. */
record RequestInfo(HttpMethod method, String uri, String path, HttpHeaders headers, boolean keepAlive) {

  static RequestInfo of(HttpRequest request) {
    String uri = request.uri();
    int query = uri.indexOf('?');
    String path = query < 0 ? uri : uri.substring(0, query);
    return new RequestInfo(request.method(), uri, path, request.headers(), HttpUtil.isKeepAlive(request));
  }

  /** The same request, answered as if it had asked to close the connection. */
  RequestInfo closing() {
    return new RequestInfo(method, uri, path, headers, false);
  }

  /** The same request with its path normalised (e.g. {@code /v2.16/cache} to {@code /v2/cache}). */
  RequestInfo withPath(String normalised) {
    return new RequestInfo(method, uri, normalised, headers, keepAlive);
  }

  boolean isHead() {
    return HttpMethod.HEAD.equals(method);
  }

  Optional<String> header(CharSequence name) {
    return Optional.ofNullable(headers.get(name));
  }
}
