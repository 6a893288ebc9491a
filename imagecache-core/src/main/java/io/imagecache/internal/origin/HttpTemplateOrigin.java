package io.imagecache.internal.origin;

import io.imagecache.ImageId;
import io.imagecache.internal.fill.ImageSource;
import io.imagecache.internal.fill.SourceResponse;
import io.imagecache.internal.store.ExpectedContent;
import java.io.IOException;
import io.imagecache.OriginConfig;
import io.imagecache.OriginUnavailableException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.ReadableByteChannel;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ExecutorService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Any HTTP store: {@code {id}} in the URL template is replaced by the image id (always URL-safe). The
 * size comes from {@code Content-Length}, digests from {@code Content-MD5} and {@code Repr-Digest};
 * {@code metadata} is a HEAD request. The cache's own token is sent as a bearer token on every
 * request (renewed once after a 401); the caller's token is not (it belongs to Glance origins).
 */
final class HttpTemplateOrigin implements Origin {
  private static final Logger log = LoggerFactory.getLogger(HttpTemplateOrigin.class);
  private final String template;
  private final OriginHttp http;
  private final Optional<OriginConfig.Credential> credential;
  /** The executor this origin created and must shut down, if it was not injected. */
  private final Optional<ExecutorService> ownedExecutor;

  HttpTemplateOrigin(String template, OriginSettings settings, OriginHttp http, Optional<ExecutorService> ownedExecutor) {
    this.template = template;
    this.http = http;
    this.credential = settings.credential();
    this.ownedExecutor = ownedExecutor;
  }

  /** {@code GET /} of the template's host: any answer below 500 will do. */
  @Override
  public String check() throws IOException {
    URI sample = URI.create(template.replace(Origins.ID_PLACEHOLDER, "id"));
    return http.probe(sample.resolve("/"));
  }

  @Override
  public ImageMetadata metadata(ImageId id, Optional<String> authToken) throws IOException {
    HttpResponse<BodyChannel> response = head(id);
    ExpectedContent expected = ExpectedHeaders.expected(response.headers(), http.name());
    return new ImageMetadata(id, ImageMetadata.ACTIVE, expected);
  }

  /**
   * With more than one connection allowed, a {@code HEAD} first: a large image that can be fetched
   * by ranges is then fetched wholly in segments ({@link RangedFetch#segmentedBody}); otherwise,
   * and always with one connection, a {@code GET}.
   */
  @Override
  public ImageSource source(ImageId id, Optional<String> authToken) {
    return () -> {
      if (http.settings().connections() > 1) {
        Optional<SourceResponse> segmented = segmented(id);
        if (segmented.isPresent()) {
          return segmented.get();
        }
      }
      HttpResponse<BodyChannel> response = OwnCredential.send(credential, token -> http.send(
          request(id, token).GET().build(), id,
          info -> OriginHttp.lenientContentLength(info.headers())));
      try {
        ExpectedContent expected = ExpectedHeaders.expected(response.headers(), http.name());
        return SourceResponse.of(expected, resumable(id, response, expected));
      } catch (IOException | RuntimeException e) {
        response.body().close();
        throw e;
      }
    };
  }

  /**
   * The response's body, resumed with {@code Range} + {@code If-Range} requests where it breaks, or
   * fetched in segments over several connections, when the origin allows ({@link RangedFetch}).
   */
  private ReadableByteChannel resumable(ImageId id, HttpResponse<BodyChannel> response,
      ExpectedContent expected) {
    return RangedFetch.body(description(id), response, expected, http.settings(), ranges(id));
  }

  /**
   * The image fetched wholly in segments, if its {@code HEAD} shows that it can and should be; an
   * origin that answers {@code HEAD} with an error status is asked with a {@code GET} instead
   * (whose body then serves the first segment).
   */
  private Optional<SourceResponse> segmented(ImageId id) throws IOException {
    HttpResponse<BodyChannel> head;
    try {
      head = head(id);
    } catch (OriginUnavailableException e) {
      log.debug("{}: HEAD failed ({}); fetching over one connection", description(id),
          e.getMessage());
      return Optional.empty();
    }
    ExpectedContent announced = ExpectedHeaders.expected(head.headers(), http.name());
    return RangedFetch.segmentedBody(description(id), head.headers(), announced, http.settings(),
        ranges(id)).map(body -> SourceResponse.of(announced, body));
  }

  /** {@code HEAD} of image {@code id}, its (empty) body closed. */
  private HttpResponse<BodyChannel> head(ImageId id) throws IOException {
    HttpResponse<BodyChannel> response = OwnCredential.send(credential, token -> http.send(
        request(id, token).method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), id,
        info -> OptionalLong.empty()));
    response.body().close();
    return response;
  }

  /** Range requests for image {@code id}, with the cache's own token. */
  private RangedFetch.Sender ranges(ImageId id) {
    return range -> OwnCredential.send(credential, token -> http.sendRange(request(id, token).GET()
        .header("Range", range.header())
        .header("If-Range", range.validator())
        .build(), id, range.from(), range.to(), range.size(), Optional.of(range.validator())));
  }

  private String description(ImageId id) {
    return "image " + id + " from " + http.name();
  }

  private HttpRequest.Builder request(ImageId id, Optional<String> token) {
    HttpRequest.Builder builder = http.newRequest(URI.create(template.replace(Origins.ID_PLACEHOLDER, id.value())));
    token.ifPresent(value -> builder.header("Authorization", "Bearer " + value));
    return builder;
  }

  /** A {@code Range} request; an origin that answers it with the whole image is read past. */
  @Override
  public ReadableByteChannel rest(ImageId id, Optional<String> token, long offset, long size)
      throws IOException {
    try {
      return OwnCredential.send(credential, own -> http.sendRange(request(id, own).GET()
          .header("Range", "bytes=" + offset + "-").build(), id, offset, size, Optional.empty()));
    } catch (ResumeRefusedException e) {
      return Origin.super.rest(id, token, offset, size);
    }
  }

  @Override
  public void close() {
    http.close();
    ownedExecutor.ifPresent(ExecutorService::shutdownNow);
  }

  @Override
  public String toString() {
    return "HTTP origin " + template;
  }
}
