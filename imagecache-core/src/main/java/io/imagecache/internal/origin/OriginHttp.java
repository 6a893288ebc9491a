package io.imagecache.internal.origin;

import io.imagecache.Durations;
import io.imagecache.ImageId;
import io.imagecache.ImageNotFoundException;
import io.imagecache.OriginAccessDeniedException;
import io.imagecache.OriginUnavailableException;
import io.imagecache.internal.Throwables;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.Executor;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP side every HTTP origin shares: one JDK client (HTTP/1.1, redirects followed except
 * https→http, connect timeout), requests with the first-byte timeout, and the mapping of transport
 * failures and statuses to the origin exceptions. Response bodies are {@link BodyChannel}s: plain-HTTP
 * GETs are made by {@link PlainHttp} on the caller's thread, the rest by the JDK client.
 */
final class OriginHttp {
  private static final Logger log = LoggerFactory.getLogger(OriginHttp.class);

  private final HttpClient client;
  /** Makes the plain-HTTP GETs, whose bodies it reads straight from the socket. */
  private final PlainHttp plain;
  private final OriginSettings settings;
  /** {@code origin http://host:port}, the name used in every message (no path, no credentials). */
  private final String name;

  OriginHttp(URI base, OriginSettings settings, Executor executor) {
    this("origin", base, settings, executor);
  }

  /** As the origin's client, named {@code role} ({@code peer}) in messages and TLS failures. */
  OriginHttp(String role, URI base, OriginSettings settings, Executor executor) {
    this.settings = settings;
    this.name = role + " " + base.getScheme() + "://" + base.getHost()
        + (base.getPort() < 0 ? "" : ":" + base.getPort());
    HttpClient.Builder builder = HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .followRedirects(HttpClient.Redirect.NORMAL)
        .connectTimeout(settings.connectTimeout())
        .executor(executor);
    settings.tls().ifPresent(builder::sslContext);
    this.client = builder.build();
    this.plain = new PlainHttp(name, settings);
  }

  /** Closes the connections kept for the next request; bodies being read close theirs at their end. */
  void close() {
    plain.close();
  }

  /** How long a readiness probe waits for the origin's response head. */
  static final Duration PROBE_TIMEOUT = Duration.ofMillis(1500);

  /**
   * A readiness probe: {@code GET uri}, body discarded. Any answer below 500 means the origin
   * answers (a 404 or 401 at its root still does); a 5xx, a refused connection or a timeout throws
   * {@link OriginUnavailableException} naming the cause.
   */
  String probe(URI uri) throws IOException {
    HttpRequest request = HttpRequest.newBuilder(uri).timeout(PROBE_TIMEOUT)
        .header("User-Agent", "imagecache").GET().build();
    int status;
    try {
      status = client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while waiting for " + name);
    } catch (HttpTimeoutException e) {
      if (e instanceof HttpConnectTimeoutException) {
        throw TransportFailures.describe(name, uri, settings, e);
      }
      throw new OriginUnavailableException(
          name + " sent no response within " + Durations.format(PROBE_TIMEOUT), e);
    } catch (IOException e) {
      throw TransportFailures.describe(name, uri, settings, e);
    }
    if (status >= 500) {
      throw new OriginUnavailableException(name + " answered HTTP " + status + " to GET " + uri.getPath());
    }
    return name + " answered HTTP " + status + " to GET " + uri.getPath();
  }

  /** The settings this origin's requests are made with. */
  OriginSettings settings() {
    return settings;
  }

  /** The origin's name for messages, e.g. {@code origin http://127.0.0.1:9292}. */
  String name() {
    return name;
  }

  /** A request to {@code uri} that must see response headers within the first-byte timeout. */
  HttpRequest.Builder newRequest(URI uri) {
    return HttpRequest.newBuilder(uri)
        .timeout(settings.firstByteTimeout())
        .header("User-Agent", "imagecache");
  }

  /**
   * Sends {@code request} for image {@code id} and returns the 200 response, whose body must be
   * {@code expectedSize.apply(response info)} bytes when that is known. Every other outcome throws:
   * 404/410 → {@link ImageNotFoundException}, 401/403 → {@link OriginAccessDeniedException},
   * anything else (other statuses, refused connections, timeouts) → {@link OriginUnavailableException}.
   */
  HttpResponse<BodyChannel> send(
      HttpRequest request, ImageId id, Function<HttpResponse.ResponseInfo, OptionalLong> expectedSize)
      throws IOException {
    HttpResponse<BodyChannel> response = exchange(request, expectedSize);
    int status = response.statusCode();
    log.debug("{} {} -> {}", request.method(), request.uri(), status);
    if (status == 200) {
      return response;
    }
    response.body().close();
    throw failure(status, id);
  }

  /**
   * Sends {@code request}, a {@code Range: bytes=offset-} request for image {@code id} of
   * {@code size} bytes sent with {@code If-Range: validator}, and returns the body of its 206 response, which must be the rest from
   * {@code offset}. A 200 (the image changed, so the origin sends all of it), another range or
   * another {@code ETag} is a {@link ResumeRefusedException}; other statuses fail as in
   * {@link #send}.
   */
  BodyChannel sendRange(HttpRequest request, ImageId id, long offset, long size,
      Optional<String> validator)
      throws IOException {
    return sendRange(request, id, offset, size, size, validator);
  }

  /**
   * {@link #sendRange(HttpRequest, ImageId, long, long, Optional)} for the bytes
   * {@code [offset, end)} only: {@code request} asks for {@code Range: bytes=offset-(end-1)}, and
   * the 206 must say exactly that range.
   */
  BodyChannel sendRange(HttpRequest request, ImageId id, long offset, long end, long size,
      Optional<String> validator)
      throws IOException {
    HttpResponse<BodyChannel> response = exchange(request,
        info -> OptionalLong.of(info.statusCode() == 206 ? end - offset : size));
    int status = response.statusCode();
    log.debug("{} {} (from byte {}) -> {}", request.method(), request.uri(), offset, status);
    if (status != 206) {
      response.body().close();
      if (status == 200) {
        throw new ResumeRefusedException(name + " answered 200, not 206, to resume image " + id
            + " from byte " + offset + ": it changed since the download began, or ignored the"
            + " range" + validator.map(v -> " (If-Range: " + v + ")").orElse(""));
      }
      throw failure(status, id);
    }
    String expectedRange = "bytes " + offset + "-" + (end - 1) + "/" + size;
    Optional<String> range = response.headers().firstValue("Content-Range").map(String::strip);
    Optional<String> etag = response.headers().firstValue("ETag").map(String::strip);
    String refused = null;
    if (!range.equals(Optional.of(expectedRange))) {
      refused = "Content-Range " + range.orElse("(none)") + " instead of " + expectedRange;
    } else if (validator.filter(v -> v.startsWith("\"")).isPresent() && etag.isPresent()
        && !etag.equals(validator)) {
      refused = "ETag " + etag.get() + " instead of " + validator.get();
    }
    if (refused != null) {
      response.body().close();
      throw new ResumeRefusedException(
          name + " answered the resume of image " + id + " with " + refused);
    }
    return response.body();
  }

  /**
   * Sends {@code request} and returns its response with a body of
   * {@code expectedSize.apply(response info)} bytes when known: a plain-HTTP GET is made by
   * {@link PlainHttp} (its body read straight from the socket), anything else, and a redirect,
   * by the JDK client. Transport failures are worded by {@link TransportFailures}.
   */
  private HttpResponse<BodyChannel> exchange(HttpRequest request,
      Function<HttpResponse.ResponseInfo, OptionalLong> expectedSize) throws IOException {
    try {
      if (PlainHttp.handles(request)) {
        Optional<HttpResponse<BodyChannel>> response = plain.send(request, expectedSize);
        if (response.isPresent()) {
          return response.get();
        }
      }
      return client.send(request,
          info -> new SubscriberBody(name, settings.idleTimeout(), expectedSize.apply(info)));
    } catch (InterruptedException | InterruptedIOException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while waiting for " + name);
    } catch (IOException e) {
      throw TransportFailures.describe(name, request.uri(), settings, e);
    }
  }

  /** The failure a response status other than 200 or 206 stands for. */
  private IOException failure(int status, ImageId id) {
    switch (status) {
      case 404:
      case 410:
        return new ImageNotFoundException(id);
      case 401:
        return new OriginAccessDeniedException(
            id, OriginAccessDeniedException.Reason.UNAUTHENTICATED, "HTTP 401");
      case 403:
        return new OriginAccessDeniedException(
            id, OriginAccessDeniedException.Reason.FORBIDDEN, "HTTP 403");
      default:
        return new OriginUnavailableException(name + " answered HTTP " + status + " for image " + id);
    }
  }

  /** Reads a whole (small) body, failing when it is longer than {@code limit} bytes. */
  byte[] readSmallBody(BodyChannel body, int limit, String what) throws IOException {
    try (body) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      ByteBuffer buffer = ByteBuffer.allocate(8192);
      while (body.read(buffer) >= 0) {
        if (out.size() + buffer.position() > limit) {
          throw new OriginUnavailableException(name + " sent " + what + " larger than " + limit + " bytes");
        }
        out.write(buffer.array(), 0, buffer.position());
        buffer.clear();
      }
      return out.toByteArray();
    }
  }

  /**
   * The {@code Content-Length} of a response, parsed leniently (empty when missing or not a number);
   * {@link ExpectedHeaders#contentLength} validates it strictly once the response is in hand.
   */
  static OptionalLong lenientContentLength(HttpHeaders headers) {
    try {
      OptionalLong length = headers.firstValueAsLong("Content-Length");
      return length.isPresent() && length.getAsLong() >= 0 ? length : OptionalLong.empty();
    } catch (NumberFormatException e) {
      return OptionalLong.empty();
    }
  }
}
