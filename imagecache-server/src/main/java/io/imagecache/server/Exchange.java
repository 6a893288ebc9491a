package io.imagecache.server;

import io.netty.handler.codec.http.HttpContent;
import io.netty.util.concurrent.Future;

/**
 * One request being answered on a connection. The router hands it the request body and, once
 * {@link #completion()} is done, gives the connection to the next request.
 */
interface Exchange {

  /** A piece of the request body, which the exchange now owns (forwards or releases). */
  void content(HttpContent content);

  /**
   * Done when the whole response has been written (the connection may carry another request) or
   * the exchange gave up and closed the connection.
   */
  Future<?> completion();
}
