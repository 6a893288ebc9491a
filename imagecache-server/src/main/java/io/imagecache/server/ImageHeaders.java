package io.imagecache.server;

import io.imagecache.ImageInfo;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.Optional;

/** The headers every image response carries, and the conditional-request checks on them. */
final class ImageHeaders {
  private ImageHeaders() {}

  /**
   * Content type, {@code Content-MD5} (hex, as Glance sends it and glanceclient checks it),
   * {@code ETag} (the quoted MD5) and {@code Accept-Ranges} when the size is known.
   */
  static void describe(HttpHeaders headers, ImageInfo info) {
    headers.set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_OCTET_STREAM);
    info.md5().ifPresent(md5 -> {
      headers.set(HttpHeaderNames.CONTENT_MD5, md5);
      headers.set(HttpHeaderNames.ETAG, etag(md5));
    });
    if (info.size().isPresent()) {
      headers.set(HttpHeaderNames.ACCEPT_RANGES, HttpHeaderValues.BYTES);
    }
  }

  /** Whether {@code If-None-Match} names this image's ETag (or {@code *}): answer 304. */
  static boolean notModified(RequestInfo request, ImageInfo info) {
    Optional<String> ifNoneMatch = request.header(HttpHeaderNames.IF_NONE_MATCH);
    if (ifNoneMatch.isEmpty() || info.md5().isEmpty()) {
      return false;
    }
    String etag = etag(info.md5().get());
    for (String candidate : ifNoneMatch.get().split(",")) {
      String tag = candidate.trim();
      if (tag.startsWith("W/")) {
        tag = tag.substring(2);
      }
      if (tag.equals("*") || tag.equals(etag)) {
        return true;
      }
    }
    return false;
  }

  /**
   * The {@code Range} header to honour: none when {@code If-Range} names another validator
   * (then the whole image is sent, RFC 9110 §13.1.5).
   */
  static Optional<String> effectiveRange(RequestInfo request, ImageInfo info) {
    Optional<String> range = request.header(HttpHeaderNames.RANGE);
    Optional<String> ifRange = request.header(HttpHeaderNames.IF_RANGE);
    if (range.isPresent() && ifRange.isPresent()) {
      boolean matches = info.md5().map(md5 -> etag(md5).equals(ifRange.get().trim())).orElse(false);
      if (!matches) {
        return Optional.empty();
      }
    }
    return range;
  }

  static String etag(String md5) {
    return "\"" + md5 + "\"";
  }
}
