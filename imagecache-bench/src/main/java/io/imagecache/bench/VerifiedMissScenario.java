package io.imagecache.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Scenario 5: a miss from a fast local origin that offers digests, verified while it streams
 * ({@code verify=strongest}, the default), beside the same run's limit: the Glance-style origin
 * offers MD5 ({@code Content-MD5}) and SHA-512 ({@code Repr-Digest}), the other MD5 alone.
 */
final class VerifiedMissScenario implements Scenario {
  private static final FigureSpec THROUGHPUT =
      new FigureSpec("miss throughput", "MB/s", "≥ 0.9× the same-run limit", true);
  static final FigureSpec TO_LIMIT =
      new FigureSpec("÷ same-run limit", "×", "≥ 0.9", true);
  private static final FigureSpec CPU = new FigureSpec("server CPU", "s/GiB", "next to Glance", false);
  static final FigureSpec BEYOND =
      new FigureSpec("server CPU beyond the verified digest", "s/GiB", "≤ 0.5", false);
  static final FigureSpec OWN = new FigureSpec(
      "server CPU beyond the digest and the CPU of the same bytes without a cache", "s/GiB", "≤ 0.5", false);
  static final FigureSpec PLAIN_CPU =
      new FigureSpec("CPU of the same bytes without a cache", "s/GiB", "", false);
  static final String PLAIN = "plain download from the origin (curl)";
  static final String SENT = "origin nginx sending the plain download (sendfile)";
  static final String SAVED = "plain download saved to a file (curl -o, then fdatasync)";
  static final String MD5_CORE = "JDK MD5 alone, one core, in memory (per CPU second)";
  static final String SHA512_CORE = "JDK SHA-512 alone, one core, in memory (per CPU second)";

  @Override
  public int id() {
    return 5;
  }

  @Override
  public String title() {
    return "Miss path, fast local origin, digests offered and verified (verify=strongest)";
  }

  /** The row of a miss (or prefetch, {@code what}) from an origin offering {@code offered}. */
  static String system(String what, MissLimit.Offered offered) {
    return "imagecache " + what + ", " + offered.label;
  }

  /** The row of the same-run limit of a fill from an origin offering {@code offered}. */
  static String limitSystem(MissLimit.Offered offered) {
    return "same-run limit, " + offered.label;
  }

  /** Records this round's limits, and each system's ratio to its limit and CPU beyond the digest. */
  static void addLimits(Samples samples, FigureSpec throughput, MissLimit limit, String what,
      List<MissLimit.Offered> offered, List<Double> bytesPerSecond, List<Double> cpuPerGib) {
    boolean streamed = what.equals("miss");
    samples.add(PLAIN, throughput.name(), limit.plainBytesPerSecond() / 1e6);
    samples.add(SAVED, throughput.name(), limit.savedBytesPerSecond() / 1e6);
    samples.add(SAVED, PLAIN_CPU.name(), limit.saveCpuPerGib());
    if (streamed) {
      samples.add(SENT, PLAIN_CPU.name(), limit.sendCpuPerGib());
    }
    samples.add(MD5_CORE, throughput.name(), limit.md5BytesPerSecond() / 1e6);
    samples.add(SHA512_CORE, throughput.name(), limit.sha512BytesPerSecond() / 1e6);
    for (MissLimit.Offered o : MissLimit.Offered.values()) {
      samples.add(limitSystem(o), throughput.name(), limit.limitBytesPerSecond(o) / 1e6);
    }
    for (int i = 0; i < offered.size(); i++) {
      MissLimit.Offered o = offered.get(i);
      samples.add(system(what, o), TO_LIMIT.name(), bytesPerSecond.get(i) / limit.limitBytesPerSecond(o));
      samples.add(system(what, o), BEYOND.name(), limit.beyondDigest(cpuPerGib.get(i), o));
      samples.add(system(what, o), OWN.name(), limit.beyondPlainTransfer(cpuPerGib.get(i), o, streamed));
    }
  }

  /** Both kinds of origin, in an order that alternates by round. */
  static List<MissLimit.Offered> alternating(int round) {
    return round % 2 == 1
        ? List.of(MissLimit.Offered.MD5_AND_SHA512, MissLimit.Offered.MD5_ONLY)
        : List.of(MissLimit.Offered.MD5_ONLY, MissLimit.Offered.MD5_AND_SHA512);
  }

  @Override
  public ScenarioResult run(BenchContext context) throws Exception {
    Path big = context.image("hit-1g", TestFiles.GIB);
    Path origin = context.originDir();
    TestFiles.Digests digests = TestFiles.digests(big);
    Samples samples = new Samples();
    List<String> notes = new ArrayList<>();
    try (Nginx originServer = Nginx.start(context, "s5-origin", origin, false, "",
            MissLimit.locations(digests));
        ImagecacheProcess imagecache = ImagecacheProcess.start(context, "s5",
            originServer.url("/{id}"), List.of())) {
      Optional<GlanceHost> glance = context.glance();
      Optional<String> glanceId = Optional.empty();
      if (glance.isPresent()) {
        glanceId = Optional.of(glance.get().image(big));
      } else {
        notes.add(context.glanceNote());
      }
      context.curl().get(originServer.url("/hit-1g"), 300).expect(TestFiles.GIB, "origin warm-up");
      for (int round = 1; round <= context.options().rounds(); round++) {
        List<MissLimit.Offered> order = alternating(round);
        List<Double> speeds = new ArrayList<>();
        List<Double> cpus = new ArrayList<>();
        for (MissLimit.Offered offered : order) {
          String id = offered.prefix + "miss-r" + round;
          TestFiles.link(origin.resolve(id), big);
          context.cpu().awaitIdle(imagecache.pid(), Duration.ofMillis(300), Duration.ofSeconds(5));
          double cpu0 = context.cpu().treeSeconds(imagecache.pid());
          Curl.Transfer miss = context.curl().get(imagecache.fileUrl(id), 300).expect(TestFiles.GIB, "imagecache miss");
          double cpu1 = context.cpu().treeSeconds(imagecache.pid());
          samples.add(system("miss", offered), THROUGHPUT.name(), miss.bytesPerSecond() / 1e6);
          samples.add(system("miss", offered), CPU.name(), cpu1 - cpu0);
          speeds.add(miss.bytesPerSecond());
          cpus.add(cpu1 - cpu0);
          if (!imagecache.cachedIds().contains(id)) {
            notes.add("round " + round + ": the verified miss of " + id + " was not listed as cached afterwards");
          }
          imagecache.delete(id);
          Files.deleteIfExists(origin.resolve(id));
        }

        String id = "plain-r" + round;
        TestFiles.link(origin.resolve(id), big);
        MissLimit limit = MissLimit.measure(context, originServer.url("/" + id), originServer.pid(),
            context.workDir().resolve("s5-saved"), TestFiles.GIB);
        Files.deleteIfExists(origin.resolve(id));
        addLimits(samples, THROUGHPUT, limit, "miss", order, speeds, cpus);

        if (glance.isPresent()) {
          GlanceHost g = glance.get();
          g.uncache(glanceId.get());
          double gc0 = context.cpu().treeSeconds(g.pid());
          Curl.Transfer gt = context.curl().get(g.fileUrl(glanceId.get()), 300).expect(TestFiles.GIB, "Glance");
          double gc1 = context.cpu().treeSeconds(g.pid());
          samples.add("Glance (uncached)", THROUGHPUT.name(), gt.bytesPerSecond() / 1e6);
          samples.add("Glance (uncached)", CPU.name(), gc1 - gc0);
        }
      }
    }
    notes.add("Two origins (one nginx): the Glance-style one sends `Content-MD5` (hex) and `Repr-Digest: sha-512=:…:`,"
        + " the other `Content-MD5` alone. imagecache runs with the default `verify=strongest`: it computes and"
        + " verifies SHA-512 where offered (the offered MD5 is recorded, not computed), else MD5, before it commits."
        + " A round counts only if the image is listed as cached afterwards. Server CPU includes the fill and the"
        + " client stream; Glance's uncached download reads its file store and tees into its cache (no digest).");
    notes.add("Same-run limit = min(\"" + SAVED + "\", the verified digest on one core) of the same round;"
        + " \"÷ same-run limit\" is the miss over it, round by round. \"Server CPU beyond the verified digest\" is"
        + " server CPU s/GiB − 1 GiB ÷ that digest's one-core speed (the JDK rows: 1 GiB hashed in memory on one"
        + " thread of the runner's JVM, the same JDK as the server, timed by that thread's CPU time so that other"
        + " work on the shared machine does not slow the figure down).");
    notes.add("\"CPU of the same bytes without a cache\", measured in the same round: curl saving the image and"
        + " `sync --data` making it durable (their CPU as their shell's waited-children time), and the origin's"
        + " nginx sending the plain download with sendfile (its process tree's CPU). Receiving and writing"
        + " through the page cache, and sending to a client, cost that much on this machine whoever does them;"
        + " \"server CPU beyond the digest and the CPU of the same bytes without a cache\" is the miss's server"
        + " CPU less the digest, the durable save and nginx's send: what the cache itself adds.");
    String setup = "Per round: a miss from each origin (a new id, a hard link of the 1 GiB file; the order alternates"
        + " by round), each after the server's CPU was idle for 300 ms, then the same file downloaded straight from"
        + " the origin with curl (nginx's CPU timed), saved durably with curl (its CPU timed), both digests timed in memory, then Glance's uncached"
        + " download after `DELETE /v2/cache/{id}`.";
    return ScenarioResult.of(id(), title(), setup, PLAIN, List.of(THROUGHPUT, TO_LIMIT, CPU, BEYOND, PLAIN_CPU, OWN),
        samples, notes);
  }
}
