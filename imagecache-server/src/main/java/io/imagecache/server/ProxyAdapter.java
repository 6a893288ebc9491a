package io.imagecache.server;

import io.netty.handler.codec.http.HttpContent;
import io.netty.util.concurrent.Future;

/** A request passed through to the Glance origin, seen by the router as any other exchange. */
record ProxyAdapter(ProxyExchange exchange) implements Exchange {
  @Override
  public void content(HttpContent content) {
    exchange.content(content);
  }

  @Override
  public Future<?> completion() {
    return exchange.completion();
  }
}
