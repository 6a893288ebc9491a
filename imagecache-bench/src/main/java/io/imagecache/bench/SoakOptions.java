package io.imagecache.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The soak's command line: how long, how many clients, the cache's bound, driver, origin, JVM options. */
record SoakOptions(Duration duration, int clients, String maxSize, String driver, String origin, Path jar,
    Path tempBase, String javaOpts, long rssLimitBytes, boolean nativeMemory, long seed) {
  static final String USAGE = "usage: Soak --duration 5m [--clients 24] [--max-size 32MiB] [--driver sqlite|xattr]"
      + " [--origin dir|http] [--jar imagecache-server/target/imagecache.jar] [--tmp /tmp]"
      + " [--java-opts 'JVM OPTIONS' (IMAGECACHE_JAVA_OPTS of the server; default: the launcher's own)]"
      + " [--rss-limit 256MiB] [--nmt (native memory tracking summary at the end of the load)] [--seed N]";

  SoakOptions {
    if (duration.isNegative() || duration.isZero() || clients < 1 || clients > 1000 || rssLimitBytes < 1) {
      throw new IllegalArgumentException(USAGE);
    }
    if (!driver.equals("sqlite") && !driver.equals("xattr")) {
      throw new IllegalArgumentException("--driver is sqlite or xattr (postgres needs a database): " + driver);
    }
    if (!origin.equals("dir") && !origin.equals("http")) {
      throw new IllegalArgumentException("--origin is dir or http: " + origin);
    }
  }

  /** Parses {@code args}; unknown options fail with the usage text. */
  static SoakOptions parse(String[] args) {
    Duration duration = null;
    int clients = 24;
    String maxSize = "32MiB";
    String driver = "sqlite";
    String origin = "dir";
    Path jar = Path.of("imagecache-server/target/imagecache.jar");
    Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
    String javaOpts = null;
    long rssLimit = 256L << 20;
    boolean nmt = false;
    long seed = 9;
    List<String> list = new ArrayList<>(List.of(args));
    for (int i = 0; i < list.size(); i++) {
      String arg = list.get(i);
      switch (arg) {
        case "--duration" -> duration = duration(value(list, ++i));
        case "--clients" -> clients = Integer.parseInt(value(list, ++i));
        case "--max-size" -> maxSize = value(list, ++i);
        case "--driver" -> driver = value(list, ++i);
        case "--origin" -> origin = value(list, ++i);
        case "--jar" -> jar = Path.of(value(list, ++i));
        case "--tmp" -> tmp = Path.of(value(list, ++i));
        case "--java-opts" -> javaOpts = value(list, ++i);
        case "--rss-limit" -> rssLimit = bytes(value(list, ++i));
        case "--nmt" -> nmt = true;
        case "--seed" -> seed = Long.parseLong(value(list, ++i));
        default -> throw new IllegalArgumentException("unknown option " + arg + "\n" + USAGE);
      }
    }
    if (duration == null) {
      throw new IllegalArgumentException("--duration is required\n" + USAGE);
    }
    return new SoakOptions(duration, clients, maxSize, driver, origin, jar.toAbsolutePath(), tmp, javaOpts,
        rssLimit, nmt, seed);
  }

  /** The JVM options the server gets: {@code --java-opts}, plus native memory tracking with {@code --nmt}. */
  String serverJavaOpts() {
    if (!nativeMemory) {
      return javaOpts;
    }
    // Placed last, like a user's IMAGECACHE_JAVA_OPTS after the launcher's defaults.
    return (javaOpts == null ? "" : javaOpts + " ") + "-XX:NativeMemoryTracking=summary";
  }

  /** {@code 90s}, {@code 5m}, {@code 1h} or bare seconds. */
  static Duration duration(String text) {
    String t = text.trim().toLowerCase(Locale.ROOT);
    if (t.endsWith("ms")) {
      return Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2)));
    }
    return switch (t.charAt(t.length() - 1)) {
      case 's' -> Duration.ofSeconds(Long.parseLong(t.substring(0, t.length() - 1)));
      case 'm' -> Duration.ofMinutes(Long.parseLong(t.substring(0, t.length() - 1)));
      case 'h' -> Duration.ofHours(Long.parseLong(t.substring(0, t.length() - 1)));
      default -> Duration.ofSeconds(Long.parseLong(t));
    };
  }

  /** {@code 256MiB}, {@code 1GiB}, {@code 512KiB} or bare bytes. */
  static long bytes(String text) {
    String t = text.trim();
    String[] units = {"KiB", "MiB", "GiB"};
    for (int i = 0; i < units.length; i++) {
      if (t.endsWith(units[i])) {
        return (long) (Double.parseDouble(t.substring(0, t.length() - 3)) * (1L << (10 * (i + 1))));
      }
    }
    return Long.parseLong(t);
  }

  private static String value(List<String> args, int index) {
    if (index >= args.size()) {
      throw new IllegalArgumentException("missing value for " + args.get(index - 1) + "\n" + USAGE);
    }
    return args.get(index);
  }
}
