package io.imagecache.keystone;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;

/**
 * Keystone's identity API v3, the two calls the cache needs: validating a token ({@code GET
 * /v3/auth/tokens}, the token validating itself, which Keystone allows any holder) and obtaining
 * one ({@code POST /v3/auth/tokens}). Every call blocks for at most {@link #TIMEOUT}.
 */
public final class KeystoneClient {
  /** The longest a call may take, connecting included. */
  static final Duration TIMEOUT = Duration.ofSeconds(10);
  private static final int BODY_LIMIT = 1 << 20;

  private final URI tokens;
  private final HttpClient http;
  private final ObjectMapper json = new ObjectMapper();

  /** A client of the Keystone at {@code url} ({@code http(s)://host:port[/path][/v3]}). */
  public KeystoneClient(String url) {
    this.tokens = tokensUri(url);
    this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(TIMEOUT)
        .followRedirects(HttpClient.Redirect.NEVER).build();
  }

  /**
   * Checks {@code url} and returns its {@code /v3/auth/tokens}; throws {@link
   * IllegalArgumentException} with one line saying what a Keystone URL looks like.
   */
  public static URI tokensUri(String url) {
    String text = url.strip();
    while (text.endsWith("/")) {
      text = text.substring(0, text.length() - 1);
    }
    if (text.endsWith("/v3")) {
      text = text.substring(0, text.length() - 3);
    }
    try {
      URI uri = new URI(text);
      if (uri.getHost() == null || uri.getRawQuery() != null || uri.getRawFragment() != null
          || uri.getRawUserInfo() != null
          || !("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))) {
        throw new URISyntaxException(text, "not an http(s) URL of a host");
      }
      return new URI(text + "/v3/auth/tokens");
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException(
          "expected Keystone's http(s) URL, e.g. http://keystone:5000/v3");
    }
  }

  /**
   * Keystone's description of {@code token}; empty when Keystone does not accept it (malformed,
   * expired or revoked).
   */
  public Optional<KeystoneToken> validate(String token) throws KeystoneUnavailableException {
    if (!isHeaderValue(token)) {
      return Optional.empty();
    }
    HttpRequest request = HttpRequest.newBuilder(tokens).timeout(TIMEOUT)
        .header("X-Auth-Token", token).header("X-Subject-Token", token)
        .header("Accept", "application/json").GET().build();
    HttpResponse<byte[]> response = send(request);
    return switch (response.statusCode()) {
      case 200 -> Optional.of(parse(token, response.body()));
      case 401, 403, 404 -> Optional.empty();
      default -> throw unexpected(response);
    };
  }

  /**
   * A new token for {@code login}.
   *
   * @throws KeystoneUnavailableException when Keystone cannot be asked
   * @throws IOException when Keystone refuses the credential
   */
  public KeystoneToken issue(KeystoneLogin login) throws IOException {
    HttpRequest request = HttpRequest.newBuilder(tokens).timeout(TIMEOUT)
        .header("Content-Type", "application/json").header("Accept", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(login.requestBody())).build();
    HttpResponse<byte[]> response = send(request);
    int status = response.statusCode();
    if (status == 400 || status == 401 || status == 403 || status == 404) {
      throw new IOException("Keystone " + tokens.getAuthority() + " refused the cache's "
          + login + " (HTTP " + status + ")");
    }
    if (status != 201 && status != 200) {
      throw unexpected(response);
    }
    Optional<String> id = response.headers().firstValue("X-Subject-Token");
    if (id.isEmpty() || !isHeaderValue(id.get())) {
      throw new KeystoneUnavailableException(
          "Keystone " + tokens.getAuthority() + " answered without a usable X-Subject-Token");
    }
    return parse(id.get(), response.body());
  }

  private HttpResponse<byte[]> send(HttpRequest request) throws KeystoneUnavailableException {
    try {
      HttpResponse<byte[]> response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
      if (response.body().length > BODY_LIMIT) {
        throw new KeystoneUnavailableException("Keystone " + tokens.getAuthority()
            + " answered with more than " + BODY_LIMIT + " bytes");
      }
      return response;
    } catch (IOException e) {
      throw new KeystoneUnavailableException("Keystone " + tokens.getAuthority()
          + " cannot be reached: " + e.getClass().getSimpleName()
          + (e.getMessage() == null ? "" : " " + e.getMessage()), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new KeystoneUnavailableException("interrupted while asking Keystone", e);
    }
  }

  private KeystoneToken parse(String id, byte[] body) throws KeystoneUnavailableException {
    try {
      JsonNode token = json.readTree(body).path("token");
      Set<String> roles = new HashSet<>();
      for (JsonNode role : token.path("roles")) {
        roles.add(role.path("name").asText());
      }
      return new KeystoneToken(id, roles, Instant.parse(token.path("issued_at").asText()),
          Instant.parse(token.path("expires_at").asText()));
    } catch (IOException | DateTimeParseException e) {
      throw new KeystoneUnavailableException(
          "Keystone " + tokens.getAuthority() + " answered with a token document the cache cannot"
              + " read: " + e.getMessage(), e);
    }
  }

  private KeystoneUnavailableException unexpected(HttpResponse<byte[]> response) {
    return new KeystoneUnavailableException(
        "Keystone " + tokens.getAuthority() + " answered HTTP " + response.statusCode());
  }

  private static boolean isHeaderValue(String token) {
    return !token.isEmpty() && token.length() <= 8192
        && token.chars().allMatch(c -> c > 0x20 && c < 0x7f);
  }

  @Override
  public String toString() {
    return "Keystone " + tokens;
  }
}
