package io.imagecache.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Scenarios 9 and 10: one client, or 16 concurrent ones (curl), download one cached 1 GiB image
 * over TLS 1.3 with AES-128-GCM, imagecache's TLS listener against nginx {@code ssl} on the same
 * certificate; (aggregate) throughput and server CPU per GiB.
 */
final class TlsHitScenario implements Scenario {
  /** Downloads over TLS before imagecache is measured, the JIT's warm-up included. */
  private static final int TLS_WARM_UPS = 3;
  private static final Duration QUIET = Duration.ofMillis(500);
  private static final FigureSpec CPU = new FigureSpec("server CPU", "s/GiB", "≤ 1.2× nginx", false);
  private static final List<String> CURL_TLS =
      List.of("-k", "--tlsv1.3", "--tls13-ciphers", "TLS_AES_128_GCM_SHA256");
  private static final long MAX_SECONDS = 600;

  private final int id;
  private final int clients;
  private final FigureSpec throughput;

  /** Scenario {@code id}: {@code clients} concurrent downloads per round and system. */
  TlsHitScenario(int id, int clients) {
    this.id = id;
    this.clients = clients;
    this.throughput = new FigureSpec(clients == 1 ? "TLS hit throughput"
        : "aggregate TLS hit throughput", "MB/s", "≥ 1.0× nginx", true);
  }

  @Override
  public int id() {
    return id;
  }

  @Override
  public String title() {
    return clients == 1
        ? "TLS hit, one 1 GiB image, one client (curl, TLS 1.3 AES-128-GCM)"
        : "TLS hits, one 1 GiB image, " + clients
            + " concurrent clients (curl, TLS 1.3 AES-128-GCM)";
  }

  @Override
  public ScenarioResult run(BenchContext context) throws Exception {
    context.image("tls-hit-1g", TestFiles.GIB);
    Path origin = context.originDir();
    Path certificate = context.workDir().resolve("tls-cert.pem");
    Path key = context.workDir().resolve("tls-key.pem");
    certificate(context, certificate, key);
    Samples samples = new Samples();
    List<String> notes = new ArrayList<>();
    long[] peakRss = {0};
    int nginxTls = Ports.free();
    String nginxServer = "  server {\n"
        + "    listen 127.0.0.1:" + nginxTls + " ssl;\n"
        + "    ssl_certificate " + certificate + ";\n"
        + "    ssl_certificate_key " + key + ";\n"
        + "    ssl_protocols TLSv1.2 TLSv1.3;\n"
        + "    root " + origin + ";\n"
        + "  }\n";
    int imagecacheTls = Ports.free();
    String name = "s" + id;
    try (Nginx nginx = Nginx.start(context, name, origin, false, nginxServer, "");
        ImagecacheProcess imagecache = ImagecacheProcess.start(context, name, origin.toString(),
            List.of("--tls-listen", "127.0.0.1:" + imagecacheTls, "--tls-cert",
                certificate.toString(), "--tls-key", key.toString()))) {
      context.curl().get(imagecache.fileUrl("tls-hit-1g"), 300)
          .expect(TestFiles.GIB, "imagecache fill");
      List<Target> targets = List.of(
          new Target("imagecache", imagecache.pid(),
              "https://127.0.0.1:" + imagecacheTls + "/v2/images/tls-hit-1g/file"),
          new Target("nginx", nginx.pid(), "https://127.0.0.1:" + nginxTls + "/tls-hit-1g"));
      for (Target target : targets) {
        get(context, target.url()).expect(TestFiles.GIB, target.system() + " warm-up");
      }
      // The JIT compiles the TLS path over the first three downloads (its compiler threads took
      // 0.6-0.7 CPU s in each of them, about none from the fourth on): measure from the fourth.
      for (int warmUp = 2; warmUp <= TLS_WARM_UPS; warmUp++) {
        get(context, targets.get(0).url()).expect(TestFiles.GIB, "imagecache warm-up " + warmUp);
      }
      String loadBefore = loadAverage();
      for (int round = 0; round < context.options().rounds(); round++) {
        for (Target target : targets) {
          if (!context.cpu().awaitIdle(target.pid(), QUIET, Duration.ofSeconds(10))) {
            notes.add("round " + (round + 1) + ": " + target.system()
                + " was still busy after 10 s; measured anyway");
          }
          boolean imagecacheRound = target.pid() == imagecache.pid();
          if (imagecacheRound) {
            PeakRss.reset(imagecache.pid());
          }
          double cpu0 = context.cpu().treeSeconds(target.pid());
          Delivered delivered = clients == 1 ? single(context, target) : herd(context, target);
          double cpu1 = context.cpu().treeSeconds(target.pid());
          if (imagecacheRound) {
            PeakRss.bytes(imagecache.pid()).ifPresent(rss -> peakRss[0] = Math.max(peakRss[0], rss));
          }
          samples.add(target.system(), throughput.name(), delivered.bytesPerSecond() / 1e6);
          samples.add(target.system(), CPU.name(),
              (cpu1 - cpu0) / ((double) delivered.bytes() / TestFiles.GIB));
        }
      }
      notes.add("Load average (1, 5, 15 min) before the first round: " + loadBefore
          + "; after the last: " + loadAverage() + " (2 CPUs, shared with other work).");
    }
    if (clients > 1) {
      notes.add("Aggregate throughput = the bytes of all " + clients + " downloads ÷ the time from"
          + " starting the first curl to the last one finishing. The " + clients + " curl"
          + " processes decrypt on the same 2 cores as the server.");
    }
    if (peakRss[0] > 0) {
      notes.add(String.format("imagecache's peak RSS (VmHWM, reset before each of its rounds):"
          + " %.0f MiB at most.", peakRss[0] / (double) TestFiles.MIB));
    }
    String setup = "The 1 GiB file of scenario 1 over HTTPS: imagecache's TLS listener (OpenSSL by"
        + " netty-tcnative, the image cached and warm) against nginx `ssl` (2 workers) on the same"
        + " P-256 certificate; curl with TLS 1.3 and TLS_AES_128_GCM_SHA256 only. "
        + (clients == 1 ? "One download" : clients + " concurrent downloads")
        + " per system per round, in turn, each round after the server's CPU time was still for"
        + " 0.5 s.";
    return ScenarioResult.of(id(), title(), setup, "nginx", List.of(throughput, CPU), samples,
        notes);
  }

  /** Bytes one round delivered and its rate (aggregate over all clients). */
  private record Delivered(long bytes, double bytesPerSecond) {}

  private static Delivered single(BenchContext context, Target target)
      throws IOException, InterruptedException {
    Curl.Transfer t = get(context, target.url()).expect(TestFiles.GIB, target.system());
    return new Delivered(t.bytes(), t.bytesPerSecond());
  }

  private Delivered herd(BenchContext context, Target target)
      throws IOException, InterruptedException {
    long t0 = System.nanoTime();
    List<Curl.Transfer> transfers = context.curl().herd(target.url(), CURL_TLS, clients,
        MAX_SECONDS, context.workDir().resolve("tls-herd-out"));
    double wall = (System.nanoTime() - t0) / 1e9;
    long bytes = 0;
    for (Curl.Transfer t : transfers) {
      bytes += t.expect(TestFiles.GIB, target.system() + " client").bytes();
    }
    return new Delivered(bytes, bytes / wall);
  }

  private static Curl.Transfer get(BenchContext context, String url)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(Curl.command(url, MAX_SECONDS));
    command.addAll(1, CURL_TLS);
    return Curl.Transfer.parse(context.processes().run(command, MAX_SECONDS + 10));
  }

  /** The first three fields of {@code /proc/loadavg}, or "unknown". */
  private static String loadAverage() {
    try {
      String[] fields = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
      return fields.length < 3 ? "unknown" : fields[0] + ", " + fields[1] + ", " + fields[2];
    } catch (IOException e) {
      return "unknown";
    }
  }

  /** A self-signed P-256 certificate for 127.0.0.1 made by openssl. */
  private static void certificate(BenchContext context, Path certificate, Path key)
      throws IOException, InterruptedException {
    Files.deleteIfExists(certificate);
    Files.deleteIfExists(key);
    context.processes().run(List.of("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
        "ec_paramgen_curve:P-256", "-nodes", "-keyout", key.toString(), "-out",
        certificate.toString(), "-days", "2", "-subj", "/CN=imagecache bench",
        "-addext", "subjectAltName=IP:127.0.0.1"), 60);
    if (!Files.exists(certificate) || !Files.exists(key)) {
      throw new IOException("openssl made no certificate in " + context.workDir());
    }
  }

  /** One compared system: its name, the PID whose tree is charged for CPU, and the URL. */
  private record Target(String system, long pid, String url) {}
}
