package io.imagecache.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Glance's versions document ({@code GET /versions}): v2.18 CURRENT down to v2.0 SUPPORTED, so
 * that Glance clients (which need v2.14 for the cache API) negotiate. Also normalises versioned
 * paths, {@code /v2.16/cache} to {@code /v2/cache}, as Glance does.
 */
final class VersionsDocument {
  static final int CURRENT_MINOR = 18;
  private static final Pattern VERSIONED = Pattern.compile("^/v2\\.(\\d{1,2})(/.*)?$");

  private VersionsDocument() {}

  /** The document, with self links built from the request's {@code Host} header. */
  static byte[] render(ObjectMapper json, Optional<String> host) {
    String base = "http://" + host.orElse("127.0.0.1:9292") + "/v2/";
    ObjectNode root = json.createObjectNode();
    ArrayNode versions = root.putArray("versions");
    for (int minor = CURRENT_MINOR; minor >= 0; minor--) {
      ObjectNode version = versions.addObject();
      version.put("id", "v2." + minor);
      version.put("status", minor == CURRENT_MINOR ? "CURRENT" : "SUPPORTED");
      ObjectNode link = version.putArray("links").addObject();
      link.put("rel", "self");
      link.put("href", base);
    }
    try {
      return json.writeValueAsBytes(root);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("cannot render the versions document", e);
    }
  }

  /**
   * {@code /v2.N/rest} → {@code /v2/rest} for a version we list; other paths unchanged; empty
   * for a version we do not know (answered with the versions document, as Glance does).
   */
  static Optional<String> normalise(String path) {
    Matcher matcher = VERSIONED.matcher(path);
    if (!matcher.matches()) {
      return Optional.of(path);
    }
    int minor = Integer.parseInt(matcher.group(1));
    if (minor > CURRENT_MINOR) {
      return Optional.empty();
    }
    String rest = matcher.group(2);
    return Optional.of("/v2" + (rest == null ? "" : rest));
  }
}
