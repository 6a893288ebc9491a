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

  boolean isHead() {
    return HttpMethod.HEAD.equals(method);
  }

  Optional<String> header(CharSequence name) {
    return Optional.ofNullable(headers.get(name));
  }
}
