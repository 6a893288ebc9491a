package io.imagecache.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** An nginx from the Debian package on loopback (or in a network namespace) with a config generated into its own dir. */
final class Nginx implements AutoCloseable {
  private final BenchContext context;
  private final Process process;
  private final Path dir;
  private final String host;
  private final int port;

  private Nginx(BenchContext context, Process process, Path dir, String host, int port) {
    this.context = context;
    this.process = process;
    this.dir = dir;
    this.host = host;
    this.port = port;
  }

  /**
   * Starts nginx ({@code sendfile on}, 2 workers) serving {@code root}; {@code httpExtra} is added to
   * the {@code http} block and {@code locations} to the server; the access log is on only when asked.
   */
  static Nginx start(BenchContext context, String name, Path root, boolean accessLog, String httpExtra,
      String locations) throws IOException, InterruptedException {
    return start(context, name, root, accessLog, httpExtra, locations, List.of(), "127.0.0.1");
  }

  /**
   * As {@link #start(BenchContext, String, Path, boolean, String, String)}, listening on {@code host}
   * and started through {@code prefix} (e.g. {@code ip netns exec NAME}; empty: directly).
   */
  static Nginx start(BenchContext context, String name, Path root, boolean accessLog, String httpExtra,
      String locations, List<String> prefix, String host) throws IOException, InterruptedException {
    Path dir = Files.createDirectories(context.workDir().resolve("nginx-" + name));
    for (String temp : List.of("body", "proxy", "fastcgi", "uwsgi", "scgi")) {
      Files.createDirectories(dir.resolve("tmp").resolve(temp));
    }
    int port = Ports.free();
    boolean root0 = "root".equals(System.getProperty("user.name"));
    String config = (root0 ? "user root;\n" : "")
        + "daemon off;\nmaster_process on;\nworker_processes 2;\n"
        + "pid " + dir.resolve("nginx.pid") + ";\n"
        + "error_log " + dir.resolve("error.log") + " info;\n"
        + "events { worker_connections 4096; }\n"
        + "http {\n"
        + "  default_type application/octet-stream;\n"
        + "  sendfile on;\n  tcp_nopush on;\n  tcp_nodelay on;\n  keepalive_requests 1000000;\n"
        + "  client_body_temp_path " + dir.resolve("tmp/body") + ";\n"
        + "  proxy_temp_path " + dir.resolve("tmp/proxy") + ";\n"
        + "  fastcgi_temp_path " + dir.resolve("tmp/fastcgi") + ";\n"
        + "  uwsgi_temp_path " + dir.resolve("tmp/uwsgi") + ";\n"
        + "  scgi_temp_path " + dir.resolve("tmp/scgi") + ";\n"
        + "  log_format bench '$msec \"$request\" $status $body_bytes_sent $remote_addr \"$http_range\"';\n"
        + (accessLog ? "  access_log " + dir.resolve("access.log") + " bench;\n" : "  access_log off;\n")
        + httpExtra
        + "  server {\n"
        + "    listen " + host + ":" + port + ";\n"
        + "    root " + root + ";\n"
        + "    location = /__ping { access_log off; return 204; }\n"
        + locations
        + "  }\n"
        + "}\n";
    Path conf = dir.resolve("nginx.conf");
    Files.writeString(conf, config);
    List<String> command = new java.util.ArrayList<>(prefix);
    command.addAll(List.of("nginx", "-p", dir + "/", "-e", dir.resolve("error.log").toString(), "-c", conf.toString()));
    Process process = context.processes().start(command, dir.resolve("stdout.log"));
    Nginx nginx = new Nginx(context, process, dir, host, port);
    if (!context.http().awaitOk(nginx.url("/__ping"), Duration.ofSeconds(10))) {
      nginx.close();
      throw new IOException("nginx " + name + " did not start: " + Files.readString(dir.resolve("error.log")));
    }
    return nginx;
  }

  /** {@code http://HOST:PORT} + {@code path}. */
  String url(String path) {
    return "http://" + host + ":" + port + path;
  }

  /** The master's PID (its workers are its children). */
  long pid() {
    return process.pid();
  }

  /** How many access-log lines so far contain {@code fragment} (0 when there is no log). */
  long requestsContaining(String fragment) throws IOException {
    return linesContaining(fragment).size();
  }

  /** The response body bytes of the access-log lines so far that contain {@code fragment} (0 without a log). */
  long bytesSentContaining(String fragment) throws IOException {
    // $msec "$request" $status $body_bytes_sent ...: the request has spaces, so count from its closing quote.
    return linesContaining(fragment).stream()
        .mapToLong(line -> Long.parseLong(line.substring(line.indexOf("\" ") + 2).split(" ")[1]))
        .sum();
  }

  /** The access-log lines so far that contain {@code fragment} (none when there is no log). */
  List<String> linesContaining(String fragment) throws IOException {
    Path log = dir.resolve("access.log");
    if (!Files.exists(log)) {
      return List.of();
    }
    try (var lines = Files.lines(log)) {
      return lines.filter(line -> line.contains(fragment)).toList();
    }
  }

  /** Stops nginx and deletes its directory (proxy cache files included). */
  @Override
  public void close() throws IOException {
    context.processes().stop(process);
    BenchContext.deleteTree(dir);
  }
}
