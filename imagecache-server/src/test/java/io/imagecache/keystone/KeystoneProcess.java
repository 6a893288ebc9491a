package io.imagecache.keystone;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real Keystone (Debian's python3-keystone 22.x and python3-gunicorn; {@code .ci/run} installs
 * them) on SQLite in a temporary directory, served by gunicorn on a free loopback port,
 * with fernet tokens of a short lifetime. Bootstrapped with user {@code admin} (role admin on
 * project admin); {@link #addUser} adds others. Calls are the identity API v3 over HTTP.
 */
final class KeystoneProcess implements AutoCloseable {
  static final Path MANAGE = Path.of("/usr/bin/keystone-manage");
  static final Path PYTHON = Path.of("/usr/bin/python3");
  static final Path GUNICORN = Path.of("/usr/lib/python3/dist-packages/gunicorn");
  static final String ADMIN_PASSWORD = "admin-secret-pw";
  private static final Duration STEP = Duration.ofSeconds(60);
  private static final Duration STARTUP = Duration.ofSeconds(60);

  private final Process process;
  private final Path workDir;
  private final int port;
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();
  private final ObjectMapper json = new ObjectMapper();

  private KeystoneProcess(Process process, Path workDir, int port) {
    this.process = process;
    this.workDir = workDir;
    this.port = port;
  }

  /** Whether Keystone is installed here. */
  static boolean installed() {
    return Files.isExecutable(MANAGE) && Files.isDirectory(GUNICORN);
  }

  /** Sets up a Keystone in {@code workDir} issuing tokens valid for {@code tokenLifetime}. */
  static KeystoneProcess start(Path workDir, Duration tokenLifetime) throws Exception {
    Path conf = workDir.resolve("keystone.conf");
    Files.createDirectories(workDir.resolve("fernet"));
    Files.createDirectories(workDir.resolve("credential"));
    Files.writeString(conf, String.join("\n",
        "[DEFAULT]",
        "log_file = " + workDir.resolve("keystone.log"),
        "[database]",
        "connection = sqlite:///" + workDir.resolve("keystone.db"),
        "[token]",
        "provider = fernet",
        "expiration = " + tokenLifetime.toSeconds(),
        "[fernet_tokens]",
        "key_repository = " + workDir.resolve("fernet"),
        "[fernet_receipts]",
        "key_repository = " + workDir.resolve("fernet"),
        "[credential]",
        "key_repository = " + workDir.resolve("credential"),
        ""));
    Files.writeString(workDir.resolve("keystone_app.py"), String.join("\n",
        "import sys",
        "sys.argv = sys.argv[:1]",
        "from keystone.server.wsgi import initialize_public_application",
        "application = initialize_public_application()",
        ""));
    manage(workDir, "db_sync");
    manage(workDir, "fernet_setup", "--keystone-user", user(), "--keystone-group", user());
    manage(workDir, "credential_setup", "--keystone-user", user(), "--keystone-group", user());
    for (int attempt = 1; ; attempt++) {
      int tried = attempt;
      int port = freePort();
      String url = "http://127.0.0.1:" + port + "/v3/";
      manage(workDir, "bootstrap", "--bootstrap-password", ADMIN_PASSWORD,
          "--bootstrap-admin-url", url, "--bootstrap-public-url", url,
          "--bootstrap-internal-url", url, "--bootstrap-region-id", "RegionOne");
      // Keystone's own wsgiref server leaves SQLite locked after the first token; gunicorn's
      // sync worker does not. Keystone parses sys.argv itself, so the app module clears it.
      ProcessBuilder builder = new ProcessBuilder(PYTHON.toString(), "-m", "gunicorn",
          "--chdir", workDir.toString(), "--bind", "127.0.0.1:" + port, "--workers", "1",
          "keystone_app:application")
          .redirectErrorStream(true)
          .redirectOutput(workDir.resolve("wsgi-" + attempt + ".log").toFile());
      builder.environment().put("OS_KEYSTONE_CONFIG_FILES", conf.toString());
      KeystoneProcess keystone = new KeystoneProcess(builder.start(), workDir, port);
      try {
        await().atMost(STARTUP).pollInterval(Duration.ofMillis(200))
            .until(() -> keystone.answers(tried));
        return keystone;
      } catch (RuntimeException | Error e) {
        keystone.close();
        String log = Files.readString(workDir.resolve("wsgi-" + attempt + ".log"));
        if (attempt == 3 || !log.contains("Address already in use")) {
          throw e;
        }
      }
    }
  }

  /** {@code http://127.0.0.1:PORT/v3}. */
  String url() {
    return "http://127.0.0.1:" + port + "/v3";
  }

  /** A token of {@code user}, scoped to project admin. */
  String token(String user, String password) throws Exception {
    String body = "{\"auth\":{\"identity\":{\"methods\":[\"password\"],\"password\":{\"user\":"
        + "{\"name\":\"" + user + "\",\"domain\":{\"id\":\"default\"},\"password\":\""
        + password + "\"}}},\"scope\":{\"project\":{\"name\":\"admin\",\"domain\":"
        + "{\"id\":\"default\"}}}}}";
    HttpResponse<String> response = send(HttpRequest.newBuilder(uri("/auth/tokens"))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)), 201);
    return response.headers().firstValue("X-Subject-Token").orElseThrow();
  }

  /** Adds {@code user} with {@code password} and {@code role} on project admin. */
  void addUser(String user, String password, String role) throws Exception {
    String admin = token("admin", ADMIN_PASSWORD);
    String userId = json.readTree(send(authed(admin, "/users").header("Content-Type",
        "application/json").POST(HttpRequest.BodyPublishers.ofString(
            "{\"user\":{\"name\":\"" + user + "\",\"password\":\"" + password
                + "\",\"domain_id\":\"default\"}}")), 201).body()).path("user").path("id").asText();
    String projectId = first(admin, "/projects?name=admin", "projects");
    String roleId = first(admin, "/roles?name=" + role, "roles");
    send(authed(admin, "/projects/" + projectId + "/users/" + userId + "/roles/" + roleId)
        .PUT(HttpRequest.BodyPublishers.noBody()), 204);
  }

  /** Creates an application credential of user admin with {@code secret}; returns its id. */
  String applicationCredential(String name, String secret) throws Exception {
    String admin = token("admin", ADMIN_PASSWORD);
    JsonNode self = json.readTree(send(authed(admin, "/auth/tokens")
        .header("X-Subject-Token", admin).GET(), 200).body());
    String userId = self.path("token").path("user").path("id").asText();
    HttpResponse<String> created = send(authed(admin, "/users/" + userId
        + "/application_credentials").header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"application_credential\":{\"name\":\""
            + name + "\",\"secret\":\"" + secret + "\"}}")), 201);
    return json.readTree(created.body()).path("application_credential").path("id").asText();
  }

  /** Whether Keystone accepts {@code token} now (the token validating itself). */
  boolean accepts(String token) throws Exception {
    HttpResponse<String> response = http.send(authed(token, "/auth/tokens")
        .header("X-Subject-Token", token).GET().build(), HttpResponse.BodyHandlers.ofString());
    return response.statusCode() == 200;
  }

  /** Revokes {@code token}. */
  void revoke(String token) throws Exception {
    send(authed(token, "/auth/tokens").header("X-Subject-Token", token).DELETE(), 204);
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  private String first(String token, String path, String field) throws Exception {
    return json.readTree(send(authed(token, path).GET(), 200).body())
        .path(field).path(0).path("id").asText();
  }

  private HttpRequest.Builder authed(String token, String path) {
    return HttpRequest.newBuilder(uri(path)).header("X-Auth-Token", token);
  }

  private URI uri(String path) {
    return URI.create(url() + path);
  }

  private HttpResponse<String> send(HttpRequest.Builder request, int expected) throws Exception {
    HttpResponse<String> response = http.send(request.timeout(Duration.ofSeconds(30)).build(),
        HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != expected) {
      throw new IllegalStateException(request.build().method() + " " + request.build().uri()
          + ": HTTP " + response.statusCode() + " " + response.body() + "\n" + logTail());
    }
    return response;
  }

  /** The end of Keystone's own log, for failure messages. */
  private String logTail() throws IOException {
    StringBuilder tail = new StringBuilder();
    try (Stream<Path> files = Files.list(workDir)) {
      for (Path log : files.filter(file -> file.toString().endsWith(".log")).toList()) {
        String text = Files.readString(log);
        tail.append(log.getFileName()).append(": ")
            .append(text, Math.max(0, text.length() - 3000), text.length()).append('\n');
      }
    }
    return tail.toString();
  }

  private boolean answers(int attempt) throws IOException {
    if (!process.isAlive()) {
      throw new IllegalStateException("gunicorn serving Keystone exited with " + process.exitValue()
          + ": " + Files.readString(workDir.resolve("wsgi-" + attempt + ".log")));
    }
    try {
      return http.send(HttpRequest.newBuilder(uri("")).timeout(Duration.ofSeconds(5)).GET()
          .build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private static void manage(Path workDir, String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of(MANAGE.toString(),
        "--config-file", workDir.resolve("keystone.conf").toString()));
    command.addAll(List.of(args));
    Path log = workDir.resolve("manage.log");
    Process process = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
    if (!process.waitFor(STEP.toSeconds(), TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      throw new IllegalStateException("keystone-manage " + args[0] + " took over " + STEP);
    }
    if (process.exitValue() != 0) {
      throw new IllegalStateException("keystone-manage " + args[0] + " exited with "
          + process.exitValue() + ": " + Files.readString(log));
    }
  }

  private static String user() {
    return System.getProperty("user.name");
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
