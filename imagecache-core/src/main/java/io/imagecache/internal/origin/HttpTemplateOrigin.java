package io.imagecache.internal.origin;

import io.imagecache.ImageId;
import io.imagecache.internal.fill.ImageSource;
import io.imagecache.internal.fill.SourceResponse;
import io.imagecache.internal.store.ExpectedContent;
import java.io.IOException;
import io.imagecache.OriginConfig;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.ReadableByteChannel;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ExecutorService;

/**
 * Any HTTP store: {@code {id}} in the URL template is replaced by the image id (always URL-safe). The
 * size comes from {@code Content-Length}, digests from {@code Content-MD5} and {@code Repr-Digest};
 * {@code metadata} is a HEAD request. The cache's own token is sent as a bearer token on every
 * request (renewed once after a 401); the caller's token is not (it belongs to Glance origins).
 */
final class HttpTemplateOrigin implements Origin {
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
    HttpResponse<BodyChannel> response = OwnCredential.send(credential, token -> http.send(
        request(id, token).method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), id,
        info -> OptionalLong.empty()));
    response.body().close();
    ExpectedContent expected = ExpectedHeaders.expected(response.headers(), http.name());
    return new ImageMetadata(id, ImageMetadata.ACTIVE, expected);
  }

  @Override
  public ImageSource source(ImageId id, Optional<String> authToken) {
    return () -> {
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
   * The response's body, resumed with {@code Range} + {@code If-Range} requests where it breaks
   * when the origin allows (size known, {@code Accept-Ranges: bytes}, a validator) and resume
   * attempts are configured.
   */
  private ReadableByteChannel resumable(ImageId id, HttpResponse<BodyChannel> response,
      ExpectedContent expected) {
    int attempts = http.settings().resumeAttempts();
    Optional<String> validator = RangeValidator.of(response.headers());
    if (attempts == 0 || expected.size().isEmpty() || validator.isEmpty()) {
      return response.body();
    }
    long size = expected.size().getAsLong();
    return new ResumingBody("image " + id + " from " + http.name(), response.body(), attempts,
        offset -> OwnCredential.send(credential, token -> http.sendRange(request(id, token).GET()
            .header("Range", "bytes=" + offset + "-")
            .header("If-Range", validator.get())
            .build(), id, offset, size, validator)));
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
    ownedExecutor.ifPresent(ExecutorService::shutdownNow);
  }

  @Override
  public String toString() {
    return "HTTP origin " + template;
  }
}
