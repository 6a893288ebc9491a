package io.imagecache.bench;

import java.util.List;
import java.util.Set;

/**
 * The fleet scenario's knobs ({@code --fleet-*} options of the runner): how many nodes and images,
 * how big, the origin's and each node's link rate, whether to stay on loopback, and the peer flags
 * the fleet nodes get once this build has peer fill.
 */
record FleetOptions(int nodes, int images, long imageMiB, int originMBps, int linkMBps, boolean loopback,
    int peerUploads, String nodeDeadAfter) {
  static final String USAGE = "fleet scenario (13): [--fleet-nodes N (>=2, default 4)] [--fleet-images M (default 3)]"
      + " [--fleet-image-mib MiB (default 128)] [--fleet-origin-rate MB/s (default 25; the origin's link, all"
      + " nodes together)] [--fleet-link-rate MB/s (default 100; each node's link, each direction)]"
      + " [--fleet-loopback (no network namespaces)] [--fleet-peer-uploads N (default 4)]"
      + " [--fleet-node-dead-after DURATION (default 15s)]";

  private static final Set<String> WITH_VALUE = Set.of("--fleet-nodes", "--fleet-images", "--fleet-image-mib",
      "--fleet-origin-rate", "--fleet-link-rate", "--fleet-peer-uploads", "--fleet-node-dead-after");

  FleetOptions {
    // Node addresses are 10.x.y.(10 + i) on one /24: at most 200 nodes.
    if (nodes < 2 || nodes > 200 || images < 1 || imageMiB < 1 || originMBps < 1 || linkMBps < 1
        || peerUploads < 1 || nodeDeadAfter.isBlank()) {
      throw new IllegalArgumentException(USAGE);
    }
  }

  /** True for the names of fleet options. */
  static boolean known(String option) {
    return WITH_VALUE.contains(option) || option.equals("--fleet-loopback");
  }

  /** True for the fleet options that take a value. */
  static boolean takesValue(String option) {
    return WITH_VALUE.contains(option);
  }

  /** Parses the {@code --fleet-*} options (each with its value where it takes one). */
  static FleetOptions parse(List<String> args) {
    int nodes = 4;
    int images = 3;
    long imageMiB = 128;
    int originMBps = 25;
    int linkMBps = 100;
    boolean loopback = false;
    int peerUploads = 4;
    String nodeDeadAfter = "15s";
    for (int i = 0; i < args.size(); i++) {
      String option = args.get(i);
      String value = null;
      if (takesValue(option)) {
        if (i + 1 >= args.size()) {
          throw new IllegalArgumentException("missing value for " + option + "\n" + USAGE);
        }
        value = args.get(++i);
      }
      switch (option) {
        case "--fleet-nodes" -> nodes = Integer.parseInt(value);
        case "--fleet-images" -> images = Integer.parseInt(value);
        case "--fleet-image-mib" -> imageMiB = Long.parseLong(value);
        case "--fleet-origin-rate" -> originMBps = Integer.parseInt(value);
        case "--fleet-link-rate" -> linkMBps = Integer.parseInt(value);
        case "--fleet-loopback" -> loopback = true;
        case "--fleet-peer-uploads" -> peerUploads = Integer.parseInt(value);
        case "--fleet-node-dead-after" -> nodeDeadAfter = value;
        default -> throw new IllegalArgumentException("unknown option " + option + "\n" + USAGE);
      }
    }
    return new FleetOptions(nodes, images, imageMiB, originMBps, linkMBps, loopback, peerUploads, nodeDeadAfter);
  }

  /** The image size in bytes. */
  long imageBytes() {
    return imageMiB * TestFiles.MIB;
  }
}
