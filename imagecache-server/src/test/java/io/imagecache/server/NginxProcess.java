package io.imagecache.server;

import static org.awaitility.Awaitility.await;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real nginx (Debian's {@code nginx-light}; {@code .ci/run} installs it) serving a directory on
 * a free loopback port, run as a child process in the foreground with every file it writes in a
 * temporary directory. {@code /images/} serves files, {@code /forbidden/} answers 403 and
 * {@code /broken/} 500; requests are logged to {@link #accessLog()}.
 */
final class NginxProcess implements AutoCloseable {
  private static final Duration STARTUP = Duration.ofSeconds(20);

  private final Process process;
  private final Path workDir;
  private final int port;

  private NginxProcess(Process process, Path workDir, int port) {
    this.process = process;
    this.workDir = workDir;
    this.port = port;
  }

  /** The nginx binary on the PATH or in the usual places, if installed. */
  static Optional<Path> binary() {
    String path = System.getenv().getOrDefault("PATH", "");
    Stream<Path> onPath = Stream.of(path.split(File.pathSeparator))
        .filter(dir -> !dir.isEmpty()).map(dir -> Path.of(dir, "nginx"));
    Stream<Path> usual = Stream.of(Path.of("/usr/sbin/nginx"), Path.of("/usr/local/sbin/nginx"));
    return Stream.concat(onPath, usual).filter(Files::isExecutable).findFirst();
  }

  /**
   * Starts nginx serving {@code root} (images in {@code root/images/}) and waits for its port;
   * tries another port when the free one it picked was taken meanwhile.
   */
  static NginxProcess start(Path binary, Path workDir, Path root) throws IOException {
    for (int attempt = 1; ; attempt++) {
      try {
        return startOnce(binary, workDir, root);
      } catch (IllegalStateException e) {
        if (attempt == 3 || !String.valueOf(e.getMessage()).contains("Address already in use")) {
          throw e;
        }
      }
    }
  }

  private static NginxProcess startOnce(Path binary, Path workDir, Path root) throws IOException {
    int port = freePort();
    Path errorLog = workDir.resolve("error.log");
    Path conf = workDir.resolve("nginx.conf");
    Files.writeString(conf, String.join("\n",
        "daemon off;",
        "master_process off;",
        "worker_processes 1;",
        "error_log " + errorLog + " warn;",
        "pid " + workDir.resolve("nginx.pid") + ";",
        "events { worker_connections 128; }",
        "http {",
        "  access_log " + workDir.resolve("access.log") + ";",
        "  client_body_temp_path " + workDir.resolve("client_body") + ";",
        "  proxy_temp_path " + workDir.resolve("proxy") + ";",
        "  fastcgi_temp_path " + workDir.resolve("fastcgi") + ";",
        "  uwsgi_temp_path " + workDir.resolve("uwsgi") + ";",
        "  scgi_temp_path " + workDir.resolve("scgi") + ";",
        "  default_type application/octet-stream;",
        "  sendfile on;",
        "  server {",
        "    listen 127.0.0.1:" + port + ";",
        "    root " + root + ";",
        "    location /forbidden/ { return 403; }",
        "    location /broken/ { return 500; }",
        "  }",
        "}",
        ""));
    Process process = new ProcessBuilder(binary.toString(),
            "-p", workDir.toString(), "-c", conf.toString(), "-e", errorLog.toString())
        .redirectErrorStream(true)
        .redirectOutput(workDir.resolve("stdout.log").toFile())
        .start();
    NginxProcess nginx = new NginxProcess(process, workDir, port);
    try {
      await().atMost(STARTUP).pollInterval(Duration.ofMillis(50)).until(() -> {
        if (!process.isAlive()) {
          throw new IllegalStateException("nginx exited with " + process.exitValue() + ": "
              + Files.readString(workDir.resolve("stdout.log")) + readIfExists(errorLog));
        }
        return accepts(port);
      });
    } catch (RuntimeException | Error e) {
      nginx.close();
      throw e;
    }
    return nginx;
  }

  int port() {
    return port;
  }

  /** {@code http://127.0.0.1:PORT/<dir>/{id}}: an origin template for images under {@code dir}. */
  String template(String dir) {
    return "http://127.0.0.1:" + port + "/" + dir + "/{id}";
  }

  /** The lines of the access log so far (nginx writes each when its request ends). */
  List<String> accessLog() throws IOException {
    Path log = workDir.resolve("access.log");
    return Files.exists(log) ? Files.readAllLines(log) : List.of();
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

  private static boolean accepts(int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 500);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  private static String readIfExists(Path file) throws IOException {
    return Files.exists(file) ? Files.readString(file) : "";
  }
}
