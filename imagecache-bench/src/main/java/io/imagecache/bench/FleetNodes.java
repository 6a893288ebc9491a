package io.imagecache.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * One measured fleet: N {@code imagecache serve --driver postgres} processes on one PostgreSQL schema,
 * node {@code i} in {@link FleetNetwork#node(int)}'s namespace with {@code --node-url} naming its own
 * address; {@link #close()} stops every node and deletes their cache directories.
 */
final class FleetNodes implements AutoCloseable {
  private final FleetNetwork network;
  /** The running nodes, in index order; confined to the scenario's thread. */
  private final List<ImagecacheProcess> nodes = new ArrayList<>();

  private FleetNodes(FleetNetwork network) {
    this.network = network;
  }

  /**
   * Starts {@code count} nodes named {@code name-i} filling from {@code originUrl}, their metadata in
   * {@code dbUrl}, each also given {@code extraArgs} (the peer flags, or none); each must answer
   * {@code /healthz} within 60 s.
   */
  static FleetNodes start(BenchContext context, FleetNetwork network, String name, int count, String originUrl,
      String dbUrl, List<String> extraArgs) throws IOException, InterruptedException {
    FleetNodes fleet = new FleetNodes(network);
    try {
      for (int i = 0; i < count; i++) {
        FleetNetwork.Endpoint at = network.node(i);
        int port = Ports.free();
        Path dir = Files.createDirectories(context.workDir().resolve(name + "-" + i));
        List<String> args = new ArrayList<>(List.of("--origin", originUrl, "--max-size", "20GiB",
            "--driver", "postgres", "--db-url", dbUrl, "--node-url", "http://" + at.address() + ":" + port));
        args.addAll(extraArgs);
        fleet.nodes.add(ImagecacheProcess.serve(context, dir, args, null, at.prefix(), at.address(), port,
            Duration.ofSeconds(60)));
      }
      return fleet;
    } catch (IOException | InterruptedException | RuntimeException e) {
      fleet.close();
      throw e;
    }
  }

  /** How many nodes. */
  int size() {
    return nodes.size();
  }

  /** Node {@code i}. */
  ImagecacheProcess node(int i) {
    return nodes.get(i);
  }

  /** The command of a client beside node {@code i} (in its namespace) downloading {@code id} from it. */
  List<String> client(int i, String id, long maxSeconds) {
    List<String> command = new ArrayList<>(network.node(i).prefix());
    command.addAll(Curl.command(node(i).fileUrl(id), maxSeconds));
    return command;
  }

  /** Stops every node (a killed one is already gone) and deletes its directory. */
  @Override
  public void close() throws IOException {
    IOException failed = null;
    for (ImagecacheProcess node : nodes) {
      try {
        node.close();
      } catch (IOException e) {
        failed = e;
      }
    }
    if (failed != null) {
      throw failed;
    }
  }
}
