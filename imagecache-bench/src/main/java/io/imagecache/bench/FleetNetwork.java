package io.imagecache.bench;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.LongPredicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where the fleet scenario's processes run: each node, and the origin, in a network namespace of its
 * own behind a veth pair rate-limited in both directions with {@code tc … tbf}, the host ends joined
 * by a bridge that holds the host's address (PostgreSQL and the runner listen and talk there), all
 * in a private 10.x /24; or, when namespaces cannot be made (or {@code --fleet-loopback}), plain
 * loopback. {@link #close()} removes every namespace and link made here, and so does a shutdown hook
 * should the runner be stopped; leftovers of runners that died without either are removed at start.
 */
final class FleetNetwork implements AutoCloseable {
  private static final String NETNS_PREFIX = "icfleet-";
  /** Link names: "icf" + the runner's PID + a letter (+ a node index); at most 15 characters. */
  private static final String LINK_PREFIX = "icf";
  private static final Pattern NETNS = Pattern.compile("(?m)^(" + NETNS_PREFIX + "(\\d+)-\\S+)");
  private static final Pattern LINK = Pattern.compile("(?m)^\\d+: (" + LINK_PREFIX + "(\\d+)[a-z]\\d*)[@:]");
  private static final long COMMAND_SECONDS = 10;

  private final String description;
  private final String hostAddress;
  private final String subnet;
  private final Endpoint origin;
  private final List<Endpoint> nodes;
  /** Links (bridge, host veth ends) and namespace names made so far, to remove; guarded by {@code this}. */
  private final List<String> links = new ArrayList<>();
  private final List<String> namespaces = new ArrayList<>();
  /** What close() found afterwards; guarded by {@code this}. */
  private String teardown = "";
  private boolean closed;
  private final Thread hook = new Thread(this::close, "fleet-network-teardown");

  /** An origin or node: its address and the command prefix that runs a program in its namespace. */
  record Endpoint(String address, List<String> prefix) {
    Endpoint {
      prefix = List.copyOf(prefix);
    }
  }

  private FleetNetwork(String description, String hostAddress, String subnet, Endpoint origin, List<Endpoint> nodes) {
    this.description = description;
    this.hostAddress = hostAddress;
    this.subnet = subnet;
    this.origin = origin;
    this.nodes = List.copyOf(nodes);
  }

  /**
   * Namespaces for {@code options.nodes()} nodes and the origin, links at {@code linkMBps} and the
   * origin's at {@code originMBps}; loopback when asked or when any {@code ip}/{@code tc} step fails
   * (what was made is removed first; {@link #description()} says why).
   */
  static FleetNetwork open(FleetOptions options) throws InterruptedException {
    if (options.loopback()) {
      return loopback(options.nodes(), "loopback (asked with --fleet-loopback)");
    }
    removeLeftovers();
    long pid = ProcessHandle.current().pid();
    String net;
    try {
      net = freeSubnet();
    } catch (IOException e) {
      return loopback(options.nodes(), "loopback: `ip` cannot list addresses (" + e.getMessage() + ")");
    }
    String name = LINK_PREFIX + pid;
    List<Endpoint> nodes = new ArrayList<>();
    for (int i = 0; i < options.nodes(); i++) {
      nodes.add(new Endpoint(net + "." + (10 + i), netnsExec(NETNS_PREFIX + pid + "-node" + i)));
    }
    Endpoint origin = new Endpoint(net + ".2", netnsExec(NETNS_PREFIX + pid + "-origin"));
    String description = String.format("network namespaces: each node and the origin in its own, joined by"
        + " veth pairs to a bridge on the host (%s.0/24; PostgreSQL and the runner at %s.1, origin %s.2,"
        + " nodes from %s.10), every veth end rate-limited with `tc qdisc … tbf`: nodes %d MB/s each way,"
        + " the origin %d MB/s each way (for all nodes together)", net, net, net, net, options.linkMBps(),
        options.originMBps());
    FleetNetwork network = new FleetNetwork(description, net + ".1", net + ".0/24", origin, nodes);
    Runtime.getRuntime().addShutdownHook(network.hook);
    try {
      network.build(name, options);
      return network;
    } catch (IOException e) {
      network.close();
      BenchmarkRunner.log("scenario 13: network namespaces failed, using loopback: " + e.getMessage());
      return loopback(options.nodes(), "loopback: network namespaces could not be made (" + e.getMessage()
          + "); " + network.teardown());
    }
  }

  private static FleetNetwork loopback(int nodes, String why) {
    Endpoint here = new Endpoint("127.0.0.1", List.of());
    return new FleetNetwork(why, "127.0.0.1", "127.0.0.1/32", here, Collections.nCopies(nodes, here));
  }

  private void build(String name, FleetOptions options) throws IOException, InterruptedException {
    String bridge = name + "b";
    made(links, bridge, List.of("ip", "link", "add", bridge, "type", "bridge"));
    run(List.of("ip", "addr", "add", hostAddress + "/24", "dev", bridge));
    run(List.of("ip", "link", "set", bridge, "up"));
    attach(bridge, origin, name + "o", name + "p", options.originMBps());
    for (int i = 0; i < nodes.size(); i++) {
      attach(bridge, nodes.get(i), name + "h" + i, name + "n" + i, options.linkMBps());
    }
  }

  /** Makes {@code endpoint}'s namespace and its veth pair, the host end on {@code bridge}, both ends limited. */
  private void attach(String bridge, Endpoint endpoint, String hostEnd, String innerEnd, int mbps)
      throws IOException, InterruptedException {
    String ns = endpoint.prefix().get(endpoint.prefix().size() - 1);
    made(namespaces, ns, List.of("ip", "netns", "add", ns));
    made(links, hostEnd, List.of("ip", "link", "add", hostEnd, "type", "veth", "peer", "name", innerEnd));
    run(List.of("ip", "link", "set", innerEnd, "netns", ns));
    run(List.of("ip", "link", "set", hostEnd, "master", bridge));
    run(List.of("ip", "link", "set", hostEnd, "up"));
    run(List.of("ip", "-n", ns, "link", "set", "lo", "up"));
    run(List.of("ip", "-n", ns, "addr", "add", endpoint.address() + "/24", "dev", innerEnd));
    run(List.of("ip", "-n", ns, "link", "set", innerEnd, "up"));
    // The host end's egress is what the endpoint receives, the inner end's what it sends.
    run(tbf(List.of("tc"), hostEnd, mbps));
    run(tbf(List.of("tc", "-n", ns), innerEnd, mbps));
  }

  /** {@code tc qdisc add dev DEV root tbf}: {@code mbps} MB/s, a burst of 10 ms of it (at least 64 KiB). */
  private static List<String> tbf(List<String> tc, String dev, int mbps) {
    long burst = Math.max(64 * 1024, mbps * 1_000_000L / 100);
    List<String> command = new ArrayList<>(tc);
    command.addAll(List.of("qdisc", "add", "dev", dev, "root", "tbf", "rate", (mbps * 8L) + "mbit",
        "burst", Long.toString(burst), "latency", "50ms"));
    return command;
  }

  /** Runs {@code command}, which makes {@code name}, and remembers it for close() (or removes it at once, closed). */
  private void made(List<String> names, String name, List<String> command) throws IOException, InterruptedException {
    run(command);
    boolean late;
    synchronized (this) {
      late = closed;
      if (!late) {
        names.add(name);
      }
    }
    if (late) {
      runQuietly(names == namespaces ? List.of("ip", "netns", "del", name) : List.of("ip", "link", "del", name));
      throw new IOException("shutting down");
    }
  }

  private static List<String> netnsExec(String ns) {
    return List.of("ip", "netns", "exec", ns);
  }

  /** The first 10.K.0.0/24 (K = 201..250) no address of this machine is in. */
  private static String freeSubnet() throws IOException, InterruptedException {
    String addresses = run(List.of("ip", "-4", "-o", "addr", "show"));
    for (int k = 201; k <= 250; k++) {
      if (!addresses.contains(" 10." + k + ".")) {
        return "10." + k + ".0";
      }
    }
    throw new IOException("every 10.201-250.0.0/24 is in use");
  }

  /**
   * Removes the namespaces and links of earlier runners whose process is gone (killed with no chance to
   * clean up), and ends the processes still running in those namespaces (their nodes and origin).
   */
  private static void removeLeftovers() throws InterruptedException {
    LongPredicate dead = pid -> ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true);
    try {
      for (String link : names(LINK, run(List.of("ip", "-o", "link", "show")), dead)) {
        runQuietly(List.of("ip", "link", "del", link));
      }
      for (String ns : names(NETNS, run(List.of("ip", "netns", "list")), dead)) {
        for (String pid : run(List.of("ip", "netns", "pids", ns)).split("\\s+")) {
          if (!pid.isBlank()) {
            ProcessHandle.of(Long.parseLong(pid)).ifPresent(ProcessHandle::destroyForcibly);
          }
        }
        runQuietly(List.of("ip", "netns", "del", ns));
      }
    } catch (IOException e) {
      // no `ip`, or no right to use it: there is nothing of ours to remove either
    }
  }

  /** This run's names still listed by {@code ip netns list} and {@code ip -o link show}. */
  private static List<String> remaining() throws IOException, InterruptedException {
    long self = ProcessHandle.current().pid();
    List<String> left = new ArrayList<>(names(NETNS, run(List.of("ip", "netns", "list")), pid -> pid == self));
    left.addAll(names(LINK, run(List.of("ip", "-o", "link", "show")), pid -> pid == self));
    return left;
  }

  /** The names in {@code listing} matching {@code pattern} whose runner PID passes {@code runner}. */
  private static List<String> names(Pattern pattern, String listing, LongPredicate runner) {
    List<String> names = new ArrayList<>();
    Matcher m = pattern.matcher(listing);
    while (m.find()) {
      if (runner.test(Long.parseLong(m.group(2)))) {
        names.add(m.group(1));
      }
    }
    return names;
  }

  /** Runs {@code command} (at most 10 s) and returns its output; fails with it on a non-zero exit. */
  private static String run(List<String> command) throws IOException, InterruptedException {
    File output = File.createTempFile("fleet-net-", ".out");
    try {
      Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output)
          .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
      if (!process.waitFor(COMMAND_SECONDS, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new IOException("timed out after " + COMMAND_SECONDS + " s: " + String.join(" ", command));
      }
      String out = Files.readString(output.toPath());
      if (process.exitValue() != 0) {
        throw new IOException(String.join(" ", command) + " exited " + process.exitValue() + ": " + out.trim());
      }
      return out;
    } finally {
      Files.deleteIfExists(output.toPath());
    }
  }

  private static void runQuietly(List<String> command) throws InterruptedException {
    try {
      run(command);
    } catch (IOException e) {
      System.err.println("fleet network teardown: " + e.getMessage());
    }
  }

  /** True when the nodes run in network namespaces, false on loopback. */
  boolean namespaced() {
    return !nodes.get(0).prefix().isEmpty();
  }

  /** How the fleet is connected, for the report. */
  String description() {
    return description;
  }

  /** The host's address on the fleet's network: PostgreSQL listens here. */
  String hostAddress() {
    return hostAddress;
  }

  /** The fleet's network in CIDR form, for PostgreSQL's {@code pg_hba.conf}. */
  String subnet() {
    return subnet;
  }

  /** Where the origin runs. */
  Endpoint origin() {
    return origin;
  }

  /** Where node {@code i} runs. */
  Endpoint node(int i) {
    return nodes.get(i);
  }

  /** What the teardown removed and whether anything of this run is still listed ("" before close). */
  synchronized String teardown() {
    return teardown;
  }

  /**
   * Removes every link (deleting a veth's host end deletes the pair, also while a process still runs in
   * its namespace) and namespace name made here, then checks that none is listed any more. Idempotent.
   */
  @Override
  public void close() {
    List<String> toRemove;
    List<String> nsToRemove;
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      toRemove = new ArrayList<>(links);
      nsToRemove = new ArrayList<>(namespaces);
    }
    if (!namespaced()) {
      return;
    }
    String result;
    try {
      Collections.reverse(toRemove);
      for (String link : toRemove) {
        runQuietly(List.of("ip", "link", "del", link));
      }
      for (String ns : nsToRemove) {
        runQuietly(List.of("ip", "netns", "del", ns));
      }
      List<String> left = remaining();
      result = "teardown removed " + nsToRemove.size() + " namespaces and " + toRemove.size() + " links; "
          + (left.isEmpty() ? "`ip netns list` and `ip -o link show` list none of them afterwards"
              : "still listed afterwards: " + left);
    } catch (IOException e) {
      result = "teardown could not list what is left: " + e.getMessage();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      result = "teardown interrupted";
    }
    synchronized (this) {
      teardown = result;
    }
    if (Thread.currentThread() != hook) {
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException e) {
        // the JVM is shutting down: the hook runs close(), which returns at once
      }
    }
  }
}
