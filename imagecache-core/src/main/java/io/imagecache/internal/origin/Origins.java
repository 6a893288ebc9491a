package io.imagecache.internal.origin;

import io.imagecache.internal.DaemonThreads;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.FileSystemNotFoundException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Makes an {@link Origin} from the ORIGIN setting:
 * <ul>
 *   <li>a directory path or {@code file:} URL — image id = file name in that directory;
 *   <li>{@code http://…/{id}} or {@code https://…/{id}} — any HTTP store, {@code {id}} replaced by the id;
 *   <li>{@code glance+http://host:port} or {@code glance+https://…} — a Glance API.
 * </ul>
 * A bad setting throws {@link IllegalArgumentException} with a message that quotes it.
 */
public final class Origins {
  /** The placeholder an HTTP template origin replaces with the image id. */
  static final String ID_PLACEHOLDER = "{id}";
  private static final Pattern URL_SCHEME = Pattern.compile("^([A-Za-z][A-Za-z0-9+.-]*)://");
  private static final String FORMS =
      "expected a directory, a file: URL, http(s)://…/{id} or glance+http(s)://host:port";

  private Origins() {}

  /**
   * The origin {@code spec} names. An HTTP or Glance origin runs its HTTP client on daemon threads
   * of its own, released by {@link Origin#close}.
   */
  public static Origin parse(String spec, OriginSettings settings) {
    return parse(spec, settings, Optional.empty());
  }

  /** The origin {@code spec} names, running its HTTP client on {@code executor} (which it never shuts down). */
  public static Origin parse(String spec, OriginSettings settings, Executor executor) {
    return parse(spec, settings, Optional.of(Objects.requireNonNull(executor, "executor")));
  }

  /**
   * Checks {@code spec} as {@link #parse} does (the form, the {@code {id}} placeholder, that a
   * directory exists), without making the origin: no HTTP client, no threads, nothing contacted.
   *
   * @throws IllegalArgumentException saying what is wrong and what is expected
   */
  public static void check(String spec) {
    String trimmed = requireSpec(spec);
    switch (scheme(trimmed)) {
      case "", "file" -> directoryPath(trimmed);
      case "http", "https" -> templateSample(trimmed);
      case "glance+http", "glance+https" -> glanceUri(trimmed);
      default -> throw unknownScheme(trimmed);
    }
  }

  private static Origin parse(String spec, OriginSettings settings, Optional<Executor> executor) {
    Objects.requireNonNull(settings, "settings");
    String trimmed = requireSpec(spec);
    switch (scheme(trimmed)) {
      case "":
      case "file":
        return directory(directoryPath(trimmed));
      case "http":
      case "https":
        return httpTemplate(trimmed, settings, executor);
      case "glance+http":
      case "glance+https":
        return glance(trimmed, settings, executor);
      default:
        throw unknownScheme(trimmed);
    }
  }

  private static String requireSpec(String spec) {
    if (spec == null || spec.isBlank()) {
      throw new IllegalArgumentException("origin is empty: " + FORMS);
    }
    return spec.trim();
  }

  /** The URL scheme in lower case, or {@code ""} for a path (or a {@code file:} URL without {@code //}). */
  private static String scheme(String spec) {
    Matcher scheme = URL_SCHEME.matcher(spec);
    return scheme.find() ? scheme.group(1).toLowerCase(Locale.ROOT) : "";
  }

  private static IllegalArgumentException unknownScheme(String spec) {
    Matcher scheme = URL_SCHEME.matcher(spec);
    scheme.find();
    return new IllegalArgumentException(
        "unknown origin scheme \"" + scheme.group(1) + "\" in \"" + spec + "\": " + FORMS);
  }

  /** The directory a path or {@code file:} origin names, checked to exist and be a directory. */
  private static Path directoryPath(String spec) {
    Path path = spec.regionMatches(true, 0, "file:", 0, 5) ? fileUrlPath(spec) : plainPath(spec);
    Path shown = path.toAbsolutePath().normalize();
    if (!Files.exists(path)) {
      throw new IllegalArgumentException("origin directory " + shown + " does not exist");
    }
    if (!Files.isDirectory(path)) {
      throw new IllegalArgumentException("origin " + shown + " is not a directory");
    }
    return path;
  }

  private static Origin directory(Path path) {
    try {
      return new DirectoryOrigin(path);
    } catch (IOException e) {
      throw new IllegalArgumentException("origin directory " + path.toAbsolutePath().normalize()
          + " cannot be opened: " + e.getMessage(), e);
    }
  }

  private static Path fileUrlPath(String spec) {
    try {
      return Path.of(new URI(spec));
    } catch (URISyntaxException | IllegalArgumentException | FileSystemNotFoundException e) {
      throw new IllegalArgumentException(
          "invalid file: origin \"" + spec + "\": expected an absolute file: URL such as file:///srv/images", e);
    }
  }

  private static Path plainPath(String spec) {
    try {
      return Path.of(spec);
    } catch (InvalidPathException e) {
      throw new IllegalArgumentException("invalid origin directory \"" + spec + "\": " + e.getReason(), e);
    }
  }

  private static Origin httpTemplate(String template, OriginSettings settings, Optional<Executor> executor) {
    URI sample = templateSample(template);
    Optional<ExecutorService> owned = executor.isPresent() ? Optional.empty() : Optional.of(newDaemonExecutor());
    OriginHttp http = new OriginHttp(sample, settings, executor.isPresent() ? executor.get() : owned.get());
    return new HttpTemplateOrigin(template, settings, http, owned);
  }

  /** The template with {@code id} for the placeholder, checked to be an absolute http(s) URL. */
  private static URI templateSample(String template) {
    if (!template.contains(ID_PLACEHOLDER)) {
      throw new IllegalArgumentException("HTTP origin \"" + template + "\" has no " + ID_PLACEHOLDER
          + " placeholder: write e.g. http://store.example/images/{id}");
    }
    URI sample = httpUri("HTTP origin", template, template.replace(ID_PLACEHOLDER, "id"));
    if (sample.getRawFragment() != null) {
      throw new IllegalArgumentException("HTTP origin \"" + template + "\" must not have a #fragment");
    }
    return sample;
  }

  private static Origin glance(String spec, OriginSettings settings, Optional<Executor> executor) {
    URI uri = glanceUri(spec);
    String url = spec.substring("glance+".length());
    String base = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    Optional<ExecutorService> owned = executor.isPresent() ? Optional.empty() : Optional.of(newDaemonExecutor());
    OriginHttp http = new OriginHttp(uri, settings, executor.isPresent() ? executor.get() : owned.get());
    return new GlanceOrigin(base, http, owned, settings.credential());
  }

  /** The Glance API's URL, checked to be an absolute http(s) URL without query or fragment. */
  private static URI glanceUri(String spec) {
    URI uri = httpUri("Glance origin", spec, spec.substring("glance+".length()));
    if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
      throw new IllegalArgumentException(
          "Glance origin \"" + spec + "\" must not have a ?query or #fragment: write e.g. glance+http://glance:9292");
    }
    return uri;
  }

  /** Parses an absolute http(s) URL with a host, or throws naming {@code kind} and the original spec. */
  private static URI httpUri(String kind, String spec, String url) {
    URI uri;
    try {
      uri = new URI(url);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("invalid " + kind + " \"" + spec + "\": " + e.getReason()
          + " at index " + e.getIndex(), e);
    }
    if (uri.getHost() == null) {
      throw new IllegalArgumentException("invalid " + kind + " \"" + spec + "\": no host name");
    }
    if (uri.getRawUserInfo() != null) {
      throw new IllegalArgumentException("invalid " + kind + " \"" + spec
          + "\": credentials in the URL are not supported; configure a bearer token instead");
    }
    return uri;
  }

  /** The default wiring: a cached pool of daemon threads named {@code imagecache-origin-N}. */
  private static ExecutorService newDaemonExecutor() {
    return Executors.newCachedThreadPool(DaemonThreads.named("imagecache-origin"));
  }
}
