package io.imagecache.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The built imagecache jar running {@code serve} on loopback (or in a network namespace) with its own
 * cache directory, started the way the product ships: through the {@code imagecache} launcher (its JVM
 * options and class-data-sharing archive), pointed at the jar under test.
 */
final class ImagecacheProcess implements AutoCloseable {
  /** The admin token every benchmark server is started with. */
  static final String TOKEN = "bench-admin-token";

  private final BenchContext context;
  private final Process process;
  private final Path dir;
  private final String host;
  private final int port;
  private final ObjectMapper json = new ObjectMapper();

  private ImagecacheProcess(BenchContext context, Process process, Path dir, String host, int port) {
    this.context = context;
    this.process = process;
    this.dir = dir;
    this.host = host;
    this.port = port;
  }

  /** Starts {@code imagecache serve} with {@code origin} and a 20 GiB cache, plus {@code extraArgs}. */
  static ImagecacheProcess start(BenchContext context, String name, String origin, List<String> extraArgs)
      throws IOException, InterruptedException {
    Path dir = Files.createDirectories(context.workDir().resolve("imagecache-" + name));
    return startIn(context, dir, origin, extraArgs);
  }

  /** Starts {@code imagecache serve} on an existing cache directory {@code dir}. */
  static ImagecacheProcess startIn(BenchContext context, Path dir, String origin, List<String> extraArgs)
      throws IOException, InterruptedException {
    return startIn(context, dir, origin, extraArgs, Ports.free(), Duration.ofSeconds(60));
  }

  /**
   * Makes sure the class-data-sharing archive the launcher keeps beside the jar is recorded, so that
   * no measured start pays for recording it: runs {@code imagecache version} through the launcher
   * when the archive is missing or older than the jar (the launcher records it then, as on a user's
   * first command after a build).
   */
  static void prepare(BenchContext context) throws IOException, InterruptedException {
    Path jar = context.options().jar();
    Path archive = jar.resolveSibling(jar.getFileName().toString().replaceFirst("\\.jar$", "") + ".jsa");
    if (Files.isRegularFile(archive)
        && !Files.getLastModifiedTime(jar).toInstant().isAfter(Files.getLastModifiedTime(archive).toInstant())) {
      return;
    }
    BenchmarkRunner.log("recording the class-data-sharing archive " + archive + " (the launcher's first run)");
    context.processes().run(launcherCommand(context, List.of("version"), null), 120);
  }

  /** The output of {@code imagecache serve --help} of the jar under test: the options this build has. */
  static String serveHelp(BenchContext context) throws IOException, InterruptedException {
    prepare(context);
    return context.processes().run(launcherCommand(context, List.of("serve", "--help"), null), 60);
  }

  /**
   * {@code imagecache ARGS} as the product ships it: the {@code imagecache} launcher of the checkout
   * the jar was built in, told to run the jar under test ({@code IMAGECACHE_JAR}); it {@code exec}s
   * the JVM, so the process is the server's JVM itself. {@code javaOpts} becomes {@code
   * IMAGECACHE_JAVA_OPTS}; null leaves it unset, so the JVM runs with the launcher's own options.
   */
  private static List<String> launcherCommand(BenchContext context, List<String> args, String javaOpts) {
    Path jar = context.options().jar();
    // The jar is <checkout>/imagecache-server/<target dir>/imagecache.jar; else the runner runs in the checkout.
    Path launcher = Path.of("imagecache").toAbsolutePath();
    if (jar.getNameCount() >= 3) {
      Path beside = jar.getParent().getParent().resolveSibling("imagecache");
      if (Files.isRegularFile(beside)) {
        launcher = beside;
      }
    }
    // Only the jar is chosen here; JVM options are the launcher's own, whatever the runner's environment.
    List<String> command = new ArrayList<>(List.of("env", "-u", "IMAGECACHE_JAVA_OPTS"));
    if (javaOpts != null) {
      command.add("IMAGECACHE_JAVA_OPTS=" + javaOpts);
    }
    command.addAll(List.of("IMAGECACHE_JAR=" + jar, launcher.toString()));
    command.addAll(args);
    return command;
  }

  /**
   * Starts {@code imagecache serve} on {@code dir} listening on {@code port} (so a node URL naming it
   * stays valid across restarts), failing when {@code /healthz} is not OK within {@code startTimeout}.
   */
  static ImagecacheProcess startIn(BenchContext context, Path dir, String origin, List<String> extraArgs,
      int port, Duration startTimeout) throws IOException, InterruptedException {
    List<String> args = new ArrayList<>(List.of("--origin", origin, "--max-size", "20GiB"));
    args.addAll(extraArgs);
    return serve(context, dir, args, null, port, startTimeout);
  }

  /**
   * Starts {@code imagecache serve --cache-dir DIR/cache --listen 127.0.0.1:PORT --admin-token TOKEN
   * ARGS} on {@code dir} with {@code javaOpts} as {@code IMAGECACHE_JAVA_OPTS} (null: the launcher's
   * own), failing when {@code /healthz} is not OK within {@code startTimeout}.
   */
  static ImagecacheProcess serve(BenchContext context, Path dir, List<String> args, String javaOpts, int port,
      Duration startTimeout) throws IOException, InterruptedException {
    return serve(context, dir, args, javaOpts, List.of(), "127.0.0.1", port, startTimeout);
  }

  /**
   * As {@link #serve(BenchContext, Path, List, String, int, Duration)}, listening on {@code host} and
   * started through {@code prefix} (e.g. {@code ip netns exec NAME}, which execs the launcher, so the
   * process is still the server's JVM; empty: directly).
   */
  static ImagecacheProcess serve(BenchContext context, Path dir, List<String> args, String javaOpts,
      List<String> prefix, String host, int port, Duration startTimeout) throws IOException, InterruptedException {
    prepare(context);
    List<String> serveArgs = new ArrayList<>(List.of(
        "serve", "--cache-dir", dir.resolve("cache").toString(),
        "--listen", host + ":" + port, "--admin-token", TOKEN));
    serveArgs.addAll(args);
    List<String> command = new ArrayList<>(prefix);
    command.addAll(launcherCommand(context, serveArgs, javaOpts));
    Process process = context.processes().start(command, dir.resolve("server.log"));
    ImagecacheProcess server = new ImagecacheProcess(context, process, dir, host, port);
    if (!context.http().awaitOk(server.url("/healthz"), startTimeout)) {
      server.close();
      throw new IOException("imagecache did not start; log: " + dir.resolve("server.log"));
    }
    return server;
  }

  /** {@code http://HOST:PORT} + {@code path}. */
  String url(String path) {
    return "http://" + host + ":" + port + path;
  }

  /** The data-path URL of image {@code id}. */
  String fileUrl(String id) {
    return url("/v2/images/" + id + "/file");
  }

  /** The cache directory the server was started on. */
  Path cacheDir() {
    return dir.resolve("cache");
  }

  /** The server's log (its stdout and stderr). */
  Path log() {
    return dir.resolve("server.log");
  }

  /** The JVM's PID. */
  long pid() {
    return process.pid();
  }

  /** The server JVM's PID: the launcher's process when it exec'd java (as it does), else its java child. */
  long jvmPid() {
    return ProcessProbe.javaPid(process);
  }

  /** {@code PUT /v2/cache/{id}}; returns the status. */
  int prefetch(String id) throws IOException, InterruptedException {
    return context.http().send("PUT", url("/v2/cache/" + id), TOKEN, null).status();
  }

  /** {@code DELETE /v2/cache/{id}}; returns the status. */
  int delete(String id) throws IOException, InterruptedException {
    return context.http().send("DELETE", url("/v2/cache/" + id), TOKEN, null).status();
  }

  /** The ids listed under {@code cached_images} by {@code GET /v2/cache}. */
  Set<String> cachedIds() throws IOException, InterruptedException {
    HttpCalls.Reply reply = context.http().send("GET", url("/v2/cache"), TOKEN, null);
    if (reply.status() != 200) {
      throw new IOException("GET /v2/cache answered " + reply.status() + ": " + reply.body());
    }
    Set<String> ids = new HashSet<>();
    for (JsonNode entry : json.readTree(reply.body()).path("cached_images")) {
      ids.add(entry.path("image_id").asText());
    }
    return ids;
  }

  /** Polls the listing every 10 ms until {@code id} is cached; false after {@code timeout}. */
  boolean awaitCached(String id, Duration timeout) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (cachedIds().contains(id)) {
        return true;
      }
      Thread.sleep(10);
    }
    return false;
  }

  /** Polls the server's log every 20 ms until a line contains {@code text}; false after {@code timeout}. */
  boolean awaitLogLine(String text, Duration timeout) throws IOException, InterruptedException {
    Path log = dir.resolve("server.log");
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (Files.readString(log).contains(text)) {
        return true;
      }
      Thread.sleep(20);
    }
    return false;
  }

  /** Kills the server's JVM at once ({@code kill -9}), as a crash or power loss would end it. */
  void kill() {
    ProcessHandle.of(jvmPid()).ifPresent(ProcessHandle::destroyForcibly);
  }

  /** Stops the server and keeps its cache directory. */
  void stop() {
    context.processes().stop(process);
  }

  /** Stops the server and deletes its cache directory. */
  @Override
  public void close() throws IOException {
    stop();
    BenchContext.deleteTree(dir);
  }
}
