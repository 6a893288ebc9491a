package io.imagecache.server;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A request target in the one normal form that the router routes and the Glance proxy forwards,
 * so that no path is routed one way here and read another way upstream.
 *
 * <p>Normalisation, in this order: an absolute-form target ({@code http://host/p?q}) is reduced
 * to its path and query; in the path, percent-encoded unreserved characters are decoded
 * ({@code %63} → {@code c}) and every other escape is kept with upper-case hex ({@code %2f} →
 * {@code %2F}: an encoded slash never becomes a separator); runs of {@code /} become one; dot
 * segments are removed (RFC 3986 §5.2.4); a first segment {@code v2} or {@code v2.N}, in any case,
 * becomes {@code v2} when N is a version we list, else {@code v2.N} without leading zeros (see
 * {@link #unknownVersion()}). The query is kept as sent. A target that cannot be normalised (not
 * origin- or absolute-form, a fragment, a control or non-ASCII character, an invalid escape, a
 * {@code ..} above the root) is refused with {@link IllegalArgumentException}.
 *
 * <p>Immutable.
 */
final class RequestTarget {
  private static final Pattern ABSOLUTE = Pattern.compile("^[A-Za-z][A-Za-z0-9+.-]*://[^/?#]*");
  private static final Pattern VERSION = Pattern.compile("[vV]2(?:\\.(\\d+))?");
  private static final String UNRESERVED_MARKS = "-._~";
  /**
   * What Glance would take for its cache API once it has decoded the path (a WSGI server decodes
   * {@code %2F} too): the v2 cache API and the legacy {@code cached_images}/{@code queued_images}.
   */
  private static final Pattern CACHE_API =
      Pattern.compile("^/v2(?:\\.[^/]*)?/(?:cache|cached_images|queued_images)");

  private final String path;
  private final Optional<String> query;
  private final boolean unknownVersion;

  private RequestTarget(String path, Optional<String> query, boolean unknownVersion) {
    this.path = path;
    this.query = query;
    this.unknownVersion = unknownVersion;
  }

  /** Normalises {@code raw}; {@link IllegalArgumentException} with the reason if it cannot. */
  static RequestTarget parse(String raw) {
    if (isNormalV2Path(raw)) {
      // Already in normal form (every image read a client sends): nothing to take apart.
      return new RequestTarget(raw, Optional.empty(), false);
    }
    return normalise(raw);
  }

  /**
   * Whether {@code raw} is a {@code /v2/} path that {@link #normalise} would return unchanged: only
   * unreserved characters and slashes, no empty, {@code .} or {@code ..} segment (no {@code //},
   * no segment starting with a dot), no escape, no query, no trailing slash.
   */
  private static boolean isNormalV2Path(String raw) {
    if (!raw.startsWith("/v2/") || raw.endsWith("/")) {
      return false;
    }
    for (int i = 4; i < raw.length(); i++) {
      char c = raw.charAt(i);
      char previous = raw.charAt(i - 1);
      boolean plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || c == '-' || c == '_' || c == '~';
      boolean separator = c == '/' && previous != '/';
      boolean dot = c == '.' && previous != '/';
      if (!plain && !separator && !dot) {
        return false;
      }
    }
    return true;
  }

  /** {@link #parse} for any target: the full normalisation. */
  static RequestTarget normalise(String raw) {
    String target = raw;
    Matcher absolute = ABSOLUTE.matcher(target);
    if (absolute.lookingAt()) {
      target = target.substring(absolute.end());
      if (target.isEmpty() || target.startsWith("?")) {
        target = "/" + target;
      }
    }
    if (!target.startsWith("/")) {
      throw new IllegalArgumentException("the request target must be a path or an absolute URI");
    }
    for (int i = 0; i < target.length(); i++) {
      char c = target.charAt(i);
      if (c <= 0x20 || c >= 0x7f) {
        throw new IllegalArgumentException(
            "the request target has a control, space or non-ASCII character");
      }
      if (c == '#') {
        throw new IllegalArgumentException("the request target has a fragment");
      }
    }
    int mark = target.indexOf('?');
    String rawPath = mark < 0 ? target : target.substring(0, mark);
    Optional<String> query = mark < 0 ? Optional.empty() : Optional.of(target.substring(mark + 1));
    query.ifPresent(RequestTarget::checkEscapes);
    String decoded = decodeUnreserved(rawPath);
    List<String> segments = removeDotSegments(segments(decoded), true);
    boolean unknownVersion = false;
    if (!segments.isEmpty()) {
      Matcher version = VERSION.matcher(segments.get(0));
      if (version.matches()) {
        String minor = version.group(1) == null ? "0" : version.group(1).replaceFirst("^0+(?=.)", "");
        unknownVersion = minor.length() > 2
            || Integer.parseInt(minor) > VersionsDocument.CURRENT_MINOR;
        segments.set(0, unknownVersion ? "v2." + minor : "v2");
      }
    }
    return new RequestTarget(join(segments, decoded), query, unknownVersion);
  }

  /** The normalised path: starts with {@code /}, no {@code //}, no dot segments. */
  String path() {
    return path;
  }

  /** The query as sent (without {@code ?}), if there was one. */
  Optional<String> query() {
    return query;
  }

  /** The normalised path and the query: what the Glance origin is sent. */
  String originForm() {
    return query.map(q -> path + "?" + q).orElse(path);
  }

  /** Whether the path names {@code /v2.N} with an N we do not list (answered with the versions). */
  boolean unknownVersion() {
    return unknownVersion;
  }

  /**
   * Whether the path would reach a cache API once every escape is decoded, in any case: such a
   * request is answered here and never passed to Glance, whose cache API takes the admin token.
   */
  boolean looksLikeCacheApi() {
    String decoded = decodeAll(path).replace('\\', '/').toLowerCase(Locale.ROOT);
    String cleaned = join(removeDotSegments(segments(decoded), false), decoded);
    return CACHE_API.matcher(cleaned).find();
  }

  /**
   * Whether this target may be passed through to a Glance origin: not an unknown version (the
   * versions document answers it) and nothing that {@link #looksLikeCacheApi() looks like a cache
   * API}.
   */
  boolean mayPassThrough() {
    return !unknownVersion && !looksLikeCacheApi();
  }

  @Override
  public String toString() {
    return originForm();
  }

  /** Decodes escapes of unreserved characters, upper-cases the hex of the others. */
  private static String decodeUnreserved(String rawPath) {
    checkEscapes(rawPath);
    StringBuilder out = new StringBuilder(rawPath.length());
    for (int i = 0; i < rawPath.length(); i++) {
      char c = rawPath.charAt(i);
      if (c != '%') {
        out.append(c);
        continue;
      }
      char decoded = (char) Integer.parseInt(rawPath.substring(i + 1, i + 3), 16);
      if (isUnreserved(decoded)) {
        out.append(decoded);
      } else {
        out.append('%').append(rawPath.substring(i + 1, i + 3).toUpperCase(Locale.ROOT));
      }
      i += 2;
    }
    return out.toString();
  }

  private static void checkEscapes(String text) {
    for (int i = text.indexOf('%'); i >= 0; i = text.indexOf('%', i + 1)) {
      if (i + 2 >= text.length() || !isHex(text.charAt(i + 1)) || !isHex(text.charAt(i + 2))) {
        throw new IllegalArgumentException(
            "the request target has an invalid percent-encoding (% not followed by two hex digits)");
      }
    }
  }

  /** Every escape decoded as one character (bytes above 0x7f stay opaque); for checks only. */
  private static String decodeAll(String normalised) {
    StringBuilder out = new StringBuilder(normalised.length());
    for (int i = 0; i < normalised.length(); i++) {
      char c = normalised.charAt(i);
      if (c == '%') {
        out.append((char) Integer.parseInt(normalised.substring(i + 1, i + 3), 16));
        i += 2;
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }

  /** The segments of an absolute path: empty ones (from {@code //}) dropped, a trailing one kept. */
  private static List<String> segments(String absolutePath) {
    List<String> segments = new ArrayList<>();
    for (String segment : absolutePath.substring(1).split("/", -1)) {
      if (!segment.isEmpty()) {
        segments.add(segment);
      }
    }
    return segments;
  }

  /**
   * RFC 3986 §5.2.4 on segments; a {@code ..} above the root is refused when {@code strict}, else
   * dropped as the RFC says.
   */
  private static List<String> removeDotSegments(List<String> segments, boolean strict) {
    List<String> out = new ArrayList<>(segments.size());
    for (String segment : segments) {
      if (segment.equals(".")) {
        continue;
      }
      if (segment.equals("..")) {
        if (out.isEmpty()) {
          if (strict) {
            throw new IllegalArgumentException("the request target's path goes above the root");
          }
          continue;
        }
        out.remove(out.size() - 1);
        continue;
      }
      out.add(segment);
    }
    return out;
  }

  /**
   * The path of {@code segments}; it ends with {@code /} when {@code original} (with unreserved
   * characters decoded) did, or when its last segment was a dot segment (as RFC 3986 §5.2.4
   * leaves {@code /a/b/..} as {@code /a/}).
   */
  private static String join(List<String> segments, String original) {
    StringBuilder out = new StringBuilder();
    for (String segment : segments) {
      out.append('/').append(segment);
    }
    if (segments.isEmpty() || endsAsDirectory(original)) {
      out.append('/');
    }
    return out.toString();
  }

  private static boolean endsAsDirectory(String path) {
    return path.endsWith("/") || path.endsWith("/.") || path.endsWith("/..");
  }

  private static boolean isUnreserved(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
        || UNRESERVED_MARKS.indexOf(c) >= 0;
  }

  private static boolean isHex(char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  }
}
