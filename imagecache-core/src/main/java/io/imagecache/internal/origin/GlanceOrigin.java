package io.imagecache.internal.origin;

import io.imagecache.ImageNotActiveException;
import io.imagecache.InvalidRequestException;
import io.imagecache.OriginConfig;
import io.imagecache.OriginUnavailableException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.imagecache.ImageId;
import io.imagecache.ImageNotActiveException;
import io.imagecache.OriginUnavailableException;
import io.imagecache.internal.fill.ImageSource;
import io.imagecache.internal.fill.SourceResponse;
import io.imagecache.internal.store.ContentDigest;
import io.imagecache.internal.store.DigestAlgorithm;
import io.imagecache.internal.store.ExpectedContent;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.ReadableByteChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ExecutorService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Glance API: metadata from {@code GET /v2/images/{id}} (status, size, {@code checksum},
 * {@code os_hash_algo}/{@code os_hash_value}), bytes from {@code GET /v2/images/{id}/file}, each with
 * the caller's {@code X-Auth-Token}, so Glance decides who may see which image (it answers 404 for an
 * image the caller may not see). Prefetches alone ({@link #prefetchSource}) send the cache's own
 * token (the settings' credential, renewed once after a 401) when one is configured. Only {@code active} images are downloaded. The download's expected
 * size and digests come from the metadata, because Glance streams a cache miss without
 * {@code Content-Length}; a {@code Content-Length} or {@code Content-MD5} that contradicts the
 * metadata makes the download fail before any byte is used.
 */
final class GlanceOrigin implements Origin {
  private static final Logger log = LoggerFactory.getLogger(GlanceOrigin.class);
  /** Glance image documents are a few KiB; anything beyond this is not one. */
  private static final int METADATA_LIMIT = 1 << 20;

  /** {@code http(s)://host:port[/prefix]} without a trailing slash. */
  private final String base;
  private final OriginHttp http;
  private final ObjectMapper json = new ObjectMapper();
  /** The executor this origin created and must shut down, if it was not injected. */
  private final Optional<ExecutorService> ownedExecutor;
  /** The cache's own token, sent only by {@link #prefetchSource}; never by client requests. */
  private final Optional<OriginConfig.Credential> serviceToken;

  GlanceOrigin(String base, OriginHttp http, Optional<ExecutorService> ownedExecutor,
      Optional<OriginConfig.Credential> serviceToken) {
    this.base = base;
    this.http = http;
    this.ownedExecutor = ownedExecutor;
    this.serviceToken = serviceToken;
  }

  /** {@code GET /versions}, which Glance answers without a token. */
  @Override
  public String check() throws IOException {
    return http.probe(URI.create(base + "/versions"));
  }

  @Override
  public boolean authorizesReaders() {
    return true;
  }

  @Override
  public Optional<URI> apiEndpoint() {
    return Optional.of(URI.create(base));
  }

  @Override
  public ImageMetadata metadata(ImageId id, Optional<String> authToken) throws IOException {
    HttpRequest request = request("/v2/images/" + id.value(), checkedToken(authToken))
        .header("Accept", "application/json")
        .GET()
        .build();
    HttpResponse<BodyChannel> response =
        http.send(request, id, info -> OriginHttp.lenientContentLength(info.headers()));
    return parse(id, http.readSmallBody(response.body(), METADATA_LIMIT, "image metadata"));
  }

  @Override
  public ImageSource source(ImageId id, Optional<String> authToken) {
    Optional<String> token = checkedToken(authToken);
    return () -> {
      ImageMetadata metadata = metadata(id, token);
      if (!metadata.isActive()) {
        throw new ImageNotActiveException(id, metadata.status());
      }
      HttpRequest request = request("/v2/images/" + id.value() + "/file", token).GET().build();
      HttpResponse<BodyChannel> response = http.send(request, id, info -> metadata.size().isPresent()
          ? metadata.size()
          : OriginHttp.lenientContentLength(info.headers()));
      try {
        ExpectedContent expected = downloadExpectation(id, metadata, response.headers());
        return SourceResponse.of(expected, resumable(id, token, response, expected));
      } catch (IOException | RuntimeException e) {
        response.body().close();
        throw e;
      }
    };
  }

  /**
   * The body, resumed with {@code Range} + {@code If-Range} requests where it breaks, under the
   * same conditions as an HTTP store's ({@link RangedFetch}), or fetched in segments over several
   * connections. Glance itself answers ranges with
   * 206 but sends neither {@code Accept-Ranges} nor a validator, so its downloads resume only
   * behind a front that adds them.
   */
  private ReadableByteChannel resumable(ImageId id, Optional<String> token,
      HttpResponse<BodyChannel> response, ExpectedContent expected) {
    return RangedFetch.body("image " + id + " from " + http.name(), response, expected,
        http.settings(), range -> http.sendRange(
            request("/v2/images/" + id.value() + "/file", token).GET()
                .header("Range", range.header())
                .header("If-Range", range.validator())
                .build(), id, range.from(), range.to(), range.size(),
            Optional.of(range.validator())));
  }

  /** With the cache's own token when one is configured, else the caller's. */
  @Override
  public ImageMetadata managementMetadata(ImageId id, Optional<String> callerToken)
      throws IOException {
    if (serviceToken.isEmpty()) {
      return metadata(id, callerToken);
    }
    return OwnCredential.send(serviceToken, token -> metadata(id, token));
  }

  @Override
  public ImageSource prefetchSource(ImageId id, Optional<String> callerToken) {
    if (serviceToken.isEmpty()) {
      return source(id, callerToken);
    }
    return () -> OwnCredential.send(serviceToken, token -> source(id, token).open());
  }

  private HttpRequest.Builder request(String path, Optional<String> token) {
    HttpRequest.Builder builder = http.newRequest(URI.create(base + path));
    token.ifPresent(value -> builder.header("X-Auth-Token", value));
    return builder;
  }

  /** The caller's token; one that cannot be sent in a header is the caller's error. */
  private static Optional<String> checkedToken(Optional<String> authToken) {
    try {
      return authToken.map(token -> HeaderValues.requireToken("auth token", token));
    } catch (IllegalArgumentException e) {
      throw new InvalidRequestException(e.getMessage());
    }
  }

  /** Parses Glance's image document; anything that is not a usable one is malformed. */
  private ImageMetadata parse(ImageId id, byte[] body) throws OriginUnavailableException {
    JsonNode root;
    try {
      root = json.readTree(body);
    } catch (JsonProcessingException e) {
      throw malformed(id, "is not JSON");
    } catch (IOException e) {
      throw malformed(id, "cannot be read: " + e.getMessage());
    }
    if (root == null || !root.isObject()) {
      throw malformed(id, "is not a JSON object");
    }
    JsonNode status = root.get("status");
    if (status == null || !status.isTextual() || status.asText().isBlank()) {
      throw malformed(id, "has no status");
    }
    List<ContentDigest> digests = new ArrayList<>();
    Optional<String> checksum = textField(root, "checksum");
    if (checksum.isPresent()) {
      digests.add(digest(id, DigestAlgorithm.MD5, checksum.get()));
    }
    Optional<String> hashAlgo = textField(root, "os_hash_algo");
    Optional<String> hashValue = textField(root, "os_hash_value");
    if (hashAlgo.isPresent() && hashValue.isPresent()) {
      Optional<DigestAlgorithm> algorithm = DigestAlgorithm.byName(hashAlgo.get());
      if (algorithm.isEmpty()) {
        log.debug("image {}: os_hash_algo {} is not one we verify; ignoring it", id, hashAlgo.get());
      } else {
        addConsistent(id, digests, digest(id, algorithm.get(), hashValue.get()), "os_hash_value");
      }
    }
    return new ImageMetadata(id, status.asText(), new ExpectedContent(size(id, root), digests));
  }

  private OptionalLong size(ImageId id, JsonNode root) throws OriginUnavailableException {
    JsonNode size = root.get("size");
    if (size == null || size.isNull()) {
      return OptionalLong.empty();
    }
    if (!size.isIntegralNumber() || !size.canConvertToLong() || size.asLong() < 0) {
      throw malformed(id, "has an invalid size " + size);
    }
    return OptionalLong.of(size.asLong());
  }

  /** The expectation for a download: the metadata's, checked against the file response's headers. */
  private ExpectedContent downloadExpectation(ImageId id, ImageMetadata metadata, HttpHeaders headers)
      throws OriginUnavailableException {
    OptionalLong size = metadata.size();
    OptionalLong length = ExpectedHeaders.contentLength(headers, http.name());
    if (size.isPresent() && length.isPresent() && size.getAsLong() != length.getAsLong()) {
      throw new OriginUnavailableException(http.name() + " sent Content-Length " + length.getAsLong()
          + " for image " + id + " whose size is " + size.getAsLong());
    }
    List<ContentDigest> digests = new ArrayList<>(metadata.expected().digests());
    Optional<ContentDigest> md5 = ExpectedHeaders.contentMd5(headers, http.name());
    if (md5.isPresent()) {
      addConsistent(id, digests, md5.get(), "Content-MD5");
    }
    return new ExpectedContent(size.isPresent() ? size : length, digests);
  }

  /** Adds {@code digest} unless one of its algorithm is there already; two different values are malformed. */
  private void addConsistent(ImageId id, List<ContentDigest> digests, ContentDigest digest, String source)
      throws OriginUnavailableException {
    for (ContentDigest known : digests) {
      if (known.algorithm() == digest.algorithm()) {
        if (!known.equals(digest)) {
          throw new OriginUnavailableException(http.name() + " sent a " + source + " for image " + id
              + " that differs from its " + known.algorithm().glanceName() + " checksum");
        }
        return;
      }
    }
    digests.add(digest);
  }

  private ContentDigest digest(ImageId id, DigestAlgorithm algorithm, String hex) throws OriginUnavailableException {
    try {
      return new ContentDigest(algorithm, hex);
    } catch (IllegalArgumentException e) {
      throw malformed(id, "has an invalid " + algorithm.glanceName() + " digest \"" + hex + "\"");
    }
  }

  private static Optional<String> textField(JsonNode root, String name) {
    JsonNode node = root.get(name);
    return node != null && node.isTextual() && !node.asText().isEmpty() ? Optional.of(node.asText()) : Optional.empty();
  }

  private OriginUnavailableException malformed(ImageId id, String problem) {
    return new OriginUnavailableException(http.name() + ": metadata of image " + id + " " + problem);
  }

  /** A {@code Range} request; an origin that answers it with the whole image is read past. */
  @Override
  public ReadableByteChannel rest(ImageId id, Optional<String> token, long offset, long size)
      throws IOException {
    try {
      return http.sendRange(request("/v2/images/" + id.value() + "/file", checkedToken(token)).GET()
          .header("Range", "bytes=" + offset + "-").build(), id, offset, size, Optional.empty());
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
    return "Glance origin " + base;
  }
}
