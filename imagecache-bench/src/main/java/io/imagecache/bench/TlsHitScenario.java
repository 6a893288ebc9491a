package io.imagecache.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Scenario 9: one client (curl) downloads one cached 1 GiB image over TLS 1.3 with AES-128-GCM,
 * imagecache's TLS listener against nginx {@code ssl} on the same certificate; throughput and
 * server CPU per GiB.
 */
final class TlsHitScenario implements Scenario {
  private static final Duration QUIET = Duration.ofMillis(500);
  private static final FigureSpec THROUGHPUT =
      new FigureSpec("TLS hit throughput", "MB/s", "≥ 1.0× nginx", true);
  private static final FigureSpec CPU = new FigureSpec("server CPU", "s/GiB", "≤ 1.2× nginx", false);
  private static final List<String> CURL_TLS =
      List.of("-k", "--tlsv1.3", "--tls13-ciphers", "TLS_AES_128_GCM_SHA256");

  @Override
  public int id() {
    return 9;
  }

  @Override
  public String title() {
    return "TLS hit, one 1 GiB image, one client (curl, TLS 1.3 AES-128-GCM)";
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
    int nginxTls = Ports.free();
    String nginxServer = "  server {\n"
        + "    listen 127.0.0.1:" + nginxTls + " ssl;\n"
        + "    ssl_certificate " + certificate + ";\n"
        + "    ssl_certificate_key " + key + ";\n"
        + "    ssl_protocols TLSv1.2 TLSv1.3;\n"
        + "    root " + origin + ";\n"
        + "  }\n";
    int imagecacheTls = Ports.free();
    try (Nginx nginx = Nginx.start(context, "s9", origin, false, nginxServer, "");
        ImagecacheProcess imagecache = ImagecacheProcess.start(context, "s9", origin.toString(),
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
      // The JIT compiles the TLS path over more than one download.
      get(context, targets.get(0).url()).expect(TestFiles.GIB, "imagecache warm-up");
      for (int round = 0; round < context.options().rounds(); round++) {
        for (Target target : targets) {
          if (!context.cpu().awaitIdle(target.pid(), QUIET, Duration.ofSeconds(10))) {
            notes.add("round " + (round + 1) + ": " + target.system()
                + " was still busy after 10 s; measured anyway");
          }
          double cpu0 = context.cpu().treeSeconds(target.pid());
          Curl.Transfer t = get(context, target.url()).expect(TestFiles.GIB, target.system());
          double cpu1 = context.cpu().treeSeconds(target.pid());
          samples.add(target.system(), THROUGHPUT.name(), t.bytesPerSecond() / 1e6);
          samples.add(target.system(), CPU.name(),
              (cpu1 - cpu0) / ((double) t.bytes() / TestFiles.GIB));
        }
      }
    }
    String setup = "The 1 GiB file of scenario 1 over HTTPS: imagecache's TLS listener (OpenSSL by"
        + " netty-tcnative, the image cached and warm) against nginx `ssl` (2 workers) on the same"
        + " P-256 certificate; curl with TLS 1.3 and TLS_AES_128_GCM_SHA256 only. One download"
        + " per system per round, in turn, each after the server's CPU time was still for 0.5 s.";
    return ScenarioResult.of(id(), title(), setup, "nginx", List.of(THROUGHPUT, CPU), samples,
        notes);
  }

  private static Curl.Transfer get(BenchContext context, String url)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(Curl.command(url, 300));
    command.addAll(1, CURL_TLS);
    return Curl.Transfer.parse(context.processes().run(command, 310));
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
