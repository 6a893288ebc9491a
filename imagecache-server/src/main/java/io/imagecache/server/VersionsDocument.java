package io.imagecache.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Optional;

/**
 * Glance's versions document ({@code GET /versions}): v2.18 CURRENT down to v2.0 SUPPORTED, so
 * that Glance clients (which need v2.14 for the cache API) negotiate. ({@link RequestTarget}
 * maps versioned paths, {@code /v2.16/cache}, to {@code /v2/cache}, as Glance does.)
 */
final class VersionsDocument {
  static final int CURRENT_MINOR = 18;

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
}
