package io.imagecache.cli;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Option;

/**
 * The options every API command shares: which server, which admin token, text or JSON output.
 * Picocli sets the fields while parsing, on the thread that then runs the command.
 */
final class ClientOptions {

  /** The server a command talks to when neither {@code --server} nor the environment names one. */
  static final String DEFAULT_SERVER = "http://127.0.0.1:9292";

  static final String SERVER_VARIABLE = "IMAGECACHE_SERVER";
  static final String TOKEN_VARIABLE = "IMAGECACHE_TOKEN";
  /** Where {@code serve} reads a configured token: a shell set up for the server works too. */
  static final String SERVE_TOKEN_VARIABLE = ServeOption.ADMIN_TOKEN.environmentVariable();
  static final String CACHE_DIR_VARIABLE = ServeOption.CACHE_DIR.environmentVariable();

  @Option(names = "--server", paramLabel = "URL",
      description = "The imagecache server (default: $" + SERVER_VARIABLE + ", else "
          + DEFAULT_SERVER + ")")
  private String server;

  @Option(names = "--token", paramLabel = "TOKEN",
      description = "The admin token (default: $" + TOKEN_VARIABLE + ", else the admin-token"
          + " file the server wrote in --cache-dir)")
  private String token;

  @Option(names = "--cache-dir", paramLabel = "DIR",
      description = "The server's cache directory, to read its admin-token file from"
          + " (default: $IMAGECACHE_CACHE_DIR, else ./imagecache-data)")
  private Path cacheDir;

  @Option(names = "--json",
      description = "Print the server's JSON answer for scripts (commands the server answers"
          + " without a body print nothing)")
  private boolean json;

  /** Whether the user asked for JSON instead of text. */
  boolean json() {
    return json;
  }

  /** A client for the chosen server with the chosen token. */
  ApiClient connect(Map<String, String> environment) throws ClientFailure {
    return ApiClient.connect(server(environment), token(environment));
  }

  /** The server's base URL: {@code --server}, else the environment, else the default. */
  URI server(Map<String, String> environment) throws ClientFailure {
    if (server != null) {
      return baseUrl(server, "--server");
    }
    Optional<String> variable = variable(environment, SERVER_VARIABLE);
    if (variable.isPresent()) {
      return baseUrl(variable.get(), SERVER_VARIABLE);
    }
    return baseUrl(DEFAULT_SERVER, "the default");
  }

  /**
   * The admin token: {@code --token}, else {@code IMAGECACHE_TOKEN}, else
   * {@code IMAGECACHE_ADMIN_TOKEN}, else the token file in the cache directory.
   */
  AdminCredential token(Map<String, String> environment) throws ClientFailure {
    if (token != null) {
      return AdminCredential.of(token, "--token");
    }
    for (String name : new String[] {TOKEN_VARIABLE, SERVE_TOKEN_VARIABLE}) {
      Optional<String> variable = variable(environment, name);
      if (variable.isPresent()) {
        return AdminCredential.of(variable.get(), name);
      }
    }
    Path dir = cacheDir(environment);
    Path file = AdminToken.file(dir);
    Optional<String> stored;
    try {
      stored = AdminToken.read(dir);
    } catch (AccessDeniedException e) {
      throw ClientFailure.usage("cannot read the admin token file " + file
          + ": permission denied (run as the server's user, or give --token)");
    } catch (IOException e) {
      throw ClientFailure.usage(
          "cannot read the admin token file " + file + ": " + ErrorText.of(e));
    }
    if (stored.isEmpty()) {
      throw ClientFailure.usage("no admin token: no --token, no " + TOKEN_VARIABLE + " or "
          + SERVE_TOKEN_VARIABLE + " in the environment, and no file " + file
          + " (give --cache-dir the server's cache directory, or --token)");
    }
    return AdminCredential.of(stored.get(), file.toString());
  }

  private Path cacheDir(Map<String, String> environment) {
    Path dir = cacheDir != null ? cacheDir
        : variable(environment, CACHE_DIR_VARIABLE).map(Path::of)
            .orElse(SettingsResolver.DEFAULT_CACHE_DIR);
    return dir.toAbsolutePath().normalize();
  }

  private static Optional<String> variable(Map<String, String> environment, String name) {
    return Optional.ofNullable(environment.get(name)).filter(value -> !value.isEmpty());
  }

  /** Checks an http(s) URL and drops a trailing slash, so API paths can be appended. */
  private static URI baseUrl(String text, String source) throws ClientFailure {
    String problem = "expected http://HOST[:PORT] or https://HOST[:PORT], optionally with a path";
    URI uri;
    try {
      uri = new URI(text.strip());
    } catch (URISyntaxException e) {
      throw invalidServer(text, source, problem);
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null
        || uri.getRawQuery() != null || uri.getRawFragment() != null
        || uri.getRawUserInfo() != null) {
      throw invalidServer(text, source, problem);
    }
    String path = uri.getRawPath() == null ? "" : uri.getRawPath().replaceAll("/+$", "");
    return URI.create(scheme + "://" + uri.getRawAuthority() + path);
  }

  private static ClientFailure invalidServer(String text, String source, String problem) {
    String from = source.startsWith("--") ? "" : " (from " + source + ")";
    return ClientFailure.usage("invalid --server \"" + text + "\"" + from + ": " + problem);
  }
}
