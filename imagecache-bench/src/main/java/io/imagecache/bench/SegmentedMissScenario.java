package io.imagecache.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Scenario 11: a miss of a 2 GiB image from an origin that limits each connection to 50 MiB/s
 * (as nginx's {@code limit_rate 50m} means to), fetched with {@code origin-connections} 1 and 4.
 */
final class SegmentedMissScenario implements Scenario {
  private static final long SIZE = 2 * TestFiles.GIB;
  private static final long RATE = 50 * TestFiles.MIB;
  private static final FigureSpec THROUGHPUT =
      new FigureSpec("miss throughput", "MB/s", "4 connections ≥ 3.5× one", true);
  private static final FigureSpec ORIGIN_BYTES =
      new FigureSpec("origin bytes / size", "×", "≤ 1.01", false);
  /** Connections the origin accepted for one fill. */
  static final FigureSpec ORIGIN_CONNECTIONS =
      new FigureSpec("origin connections per fill", "connections", "", false);
  private static final String ONE = "imagecache, origin-connections 1";
  private static final String FOUR = "imagecache, origin-connections 4";

  @Override
  public int id() {
    return 11;
  }

  @Override
  public String title() {
    return "Miss from an origin limited to 50 MiB/s per connection, 1 vs 4 connections";
  }

  @Override
  public ScenarioResult run(BenchContext context) throws Exception {
    Path image = context.image("segmented-2g", SIZE);
    TestFiles.Digests digests = TestFiles.digests(image);
    Path origin = context.originDir();
    Samples samples = new Samples();
    List<String> notes = new ArrayList<>();
    try (RangeOrigin limited = new RangeOrigin(origin, RATE, 0);
        ImagecacheProcess one = ImagecacheProcess.start(context, "s11-c1", limited.template(),
            List.of());
        ImagecacheProcess four = ImagecacheProcess.start(context, "s11-c4", limited.template(),
            List.of("--origin-connections", "4"))) {
      for (int round = 1; round <= context.options().rounds(); round++) {
        miss(context, one, ONE, "c1-r" + round, image, digests, limited, samples, notes);
        miss(context, four, FOUR, "c4-r" + round, image, digests, limited, samples, notes);
      }
    }
    notes.add("The origin is the runner's own (RangeOrigin: sendfile, keep-alive, ranges with"
        + " If-Range, a strong ETag, Content-MD5 and Repr-Digest sha-512), pacing each connection"
        + " to 50 MiB/s with no burst. nginx's limit_rate is not used: it lets every request send a"
        + " second's worth at once (a 16 MiB range with limit_rate 50m came in 0.06 s here), so"
        + " segment requests of a few MiB would never be limited at all.");
    notes.add("Per round: a new id (hard link of the 2 GiB file) fetched once through each"
        + " imagecache (one per setting, alternating); the time is curl's, to the last byte, which"
        + " a miss releases only after the verified commit. Origin bytes are the body bytes the"
        + " origin sent for that fill (with 4 connections: a HEAD, then 512 ranges of 4 MiB);"
        + " origin connections are those it accepted for that fill (ranges go over kept"
        + " connections, HTTP/1.1 keep-alive).");
    String setup = "imagecache serve (launcher defaults, verify strongest = SHA-512) with"
        + " `--origin-connections 1` and `--origin-connections 4`, HTTP-template origin limited"
        + " per connection, 2 GiB image.";
    return ScenarioResult.of(id(), title(), setup, ONE, List.of(THROUGHPUT, ORIGIN_BYTES, ORIGIN_CONNECTIONS),
        samples,
        notes);
  }

  /** One verified miss of a fresh id through {@code imagecache}; samples its speed and origin bytes. */
  static void miss(BenchContext context, ImagecacheProcess imagecache, String system, String id,
      Path image, TestFiles.Digests digests, RangeOrigin origin, Samples samples, List<String> notes)
      throws Exception {
    Path link = TestFiles.link(image.resolveSibling(id), image);
    long size = Files.size(image);
    origin.digests(id, digests);
    long before = origin.bodyBytes();
    long connectionsBefore = origin.connections();
    try {
      Curl.Transfer miss = context.curl().get(imagecache.fileUrl(id), 600).expect(size, system);
      samples.add(system, THROUGHPUT.name(), miss.bytesPerSecond() / 1e6);
      samples.add(system, "time to verified commit", miss.totalSeconds());
      samples.add(system, ORIGIN_BYTES.name(), (origin.bodyBytes() - before) / (double) size);
      samples.add(system, ORIGIN_CONNECTIONS.name(), origin.connections() - connectionsBefore);
      if (!imagecache.cachedIds().contains(id)) {
        notes.add(system + ", " + id + ": the miss was not listed as cached afterwards");
      }
      imagecache.delete(id);
    } finally {
      Files.deleteIfExists(link);
    }
  }
}
