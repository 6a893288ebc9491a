package io.imagecache.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Scenario 5: a miss from a fast local origin that announces MD5 ({@code Content-MD5}) and SHA-512
 * ({@code Repr-Digest}), so imagecache verifies both while it streams.
 */
final class VerifiedMissScenario implements Scenario {
  private static final FigureSpec THROUGHPUT =
      new FigureSpec("miss throughput", "MB/s", "≥ 0.9× plain download", true);
  private static final FigureSpec CPU = new FigureSpec("server CPU", "s/GiB", "next to Glance", false);
  static final String SAVED = "plain download saved to a file (curl -o, then fdatasync)";
  static final String MD5_CORE = "JDK MD5 alone, one core, in memory";
  static final String SHA512_CORE = "JDK SHA-512 alone, one core, in memory";

  @Override
  public int id() {
    return 5;
  }

  @Override
  public String title() {
    return "Miss path, fast local origin, MD5 and SHA-512 verification on";
  }

  @Override
  public ScenarioResult run(BenchContext context) throws Exception {
    Path big = context.image("hit-1g", TestFiles.GIB);
    Path origin = context.originDir();
    TestFiles.Digests digests = TestFiles.digests(big);
    Samples samples = new Samples();
    List<String> notes = new ArrayList<>();
    String plain = "plain download from the origin (curl)";
    String verified = "    location /verified/ {\n      alias " + origin + "/;\n"
        + "      add_header Content-MD5 \"" + digests.md5Hex() + "\";\n"
        + "      add_header Repr-Digest \"sha-512=:" + digests.sha512Base64() + ":\";\n    }\n";
    try (Nginx originServer = Nginx.start(context, "s5-origin", origin, false, "", verified);
        ImagecacheProcess imagecache = ImagecacheProcess.start(context, "s5",
            originServer.url("/verified/{id}"), List.of())) {
      Optional<GlanceHost> glance = context.glance();
      Optional<String> glanceId = Optional.empty();
      if (glance.isPresent()) {
        glanceId = Optional.of(glance.get().image(big));
      } else {
        notes.add(context.glanceNote());
      }
      context.curl().get(originServer.url("/verified/hit-1g"), 300).expect(TestFiles.GIB, "origin warm-up");
      for (int round = 1; round <= context.options().rounds(); round++) {
        String id = "miss-r" + round;
        TestFiles.link(origin.resolve(id), big);
        double cpu0 = context.cpu().treeSeconds(imagecache.pid());
        Curl.Transfer miss = context.curl().get(imagecache.fileUrl(id), 300).expect(TestFiles.GIB, "imagecache miss");
        double cpu1 = context.cpu().treeSeconds(imagecache.pid());
        samples.add("imagecache", THROUGHPUT.name(), miss.bytesPerSecond() / 1e6);
        samples.add("imagecache", CPU.name(), cpu1 - cpu0);
        if (!imagecache.cachedIds().contains(id)) {
          notes.add("round " + round + ": the verified miss was not listed as cached afterwards");
        }
        imagecache.delete(id);

        Curl.Transfer t = context.curl().get(originServer.url("/verified/" + id), 300).expect(TestFiles.GIB, plain);
        samples.add(plain, THROUGHPUT.name(), t.bytesPerSecond() / 1e6);
        Path saved = context.workDir().resolve("s5-saved");
        samples.add(SAVED, THROUGHPUT.name(),
            context.curl().saveDurably(originServer.url("/verified/" + id), saved, TestFiles.GIB, 300) / 1e6);
        Files.deleteIfExists(saved);
        Files.deleteIfExists(origin.resolve(id));
        samples.add(MD5_CORE, THROUGHPUT.name(), HashSpeed.bytesPerSecond("MD5", TestFiles.GIB) / 1e6);
        samples.add(SHA512_CORE, THROUGHPUT.name(), HashSpeed.bytesPerSecond("SHA-512", TestFiles.GIB) / 1e6);

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
    notes.add("The origin (nginx) sends `Content-MD5` (hex) and `Repr-Digest: sha-512=:…:` for the file;"
        + " imagecache verifies both before it commits the fill. A round counts only if the image is listed"
        + " as cached afterwards. Glance's uncached download reads its file store and tees into its cache"
        + " (it computes no digest on download). Server CPU includes the fill and the client stream.");
    notes.add("Context rows: \"" + SAVED + "\" writes the bytes to a file on the same filesystem as the cache"
        + " and makes them durable, as a fill does before its commit. The two JDK rows hash 1 GiB in memory on one"
        + " thread of the runner's JVM (the same JDK as the server): each digest is sequential over the image, so a"
        + " verified fill cannot be faster than the slower of the two, and on 2 cores the two digests alone take"
        + " 1 GiB ÷ MD5 + 1 GiB ÷ SHA-512 CPU seconds per GiB before a byte is received, written or sent.");
    String setup = "Per round: a new id (hard link of the 1 GiB file) fetched once through imagecache (miss),"
        + " then the same file downloaded straight from the origin with curl, then Glance's uncached download"
        + " after `DELETE /v2/cache/{id}`.";
    return ScenarioResult.of(id(), title(), setup, plain, List.of(THROUGHPUT, CPU), samples, notes);
  }
}
