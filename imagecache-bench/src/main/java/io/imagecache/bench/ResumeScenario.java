package io.imagecache.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Scenario 12: a miss of a 1 GiB image from an origin that cuts every connection after 256 MiB,
 * which the fill resumes with range requests, against the same miss from an origin that does not.
 */
final class ResumeScenario implements Scenario {
  private static final long CUT_AFTER = 256 * TestFiles.MIB;
  private static final FigureSpec TIME =
      new FigureSpec("time to verified commit", "s", "next to the unbroken fill", false);
  private static final FigureSpec ORIGIN_BYTES =
      new FigureSpec("origin bytes / size", "×", "≤ 1.01", false);
  private static final String UNBROKEN = "imagecache, unbroken origin, 1 connection";
  private static final String CUT = "imagecache, origin cutting every 256 MiB, 1 connection";
  private static final String CUT_FOUR =
      "imagecache, origin cutting every 256 MiB, origin-connections 4";

  @Override
  public int id() {
    return 12;
  }

  @Override
  public String title() {
    return "Resumed miss: the origin cuts every connection after 256 MiB";
  }

  @Override
  public ScenarioResult run(BenchContext context) throws Exception {
    Path image = context.image("hit-1g", TestFiles.GIB);
    TestFiles.Digests digests = TestFiles.digests(image);
    Path origin = context.originDir();
    Samples samples = new Samples();
    List<String> notes = new ArrayList<>();
    try (RangeOrigin whole = new RangeOrigin(origin, 0, 0);
        RangeOrigin cutting = new RangeOrigin(origin, 0, CUT_AFTER);
        ImagecacheProcess unbroken = ImagecacheProcess.start(context, "s12-unbroken",
            whole.template(), List.of());
        ImagecacheProcess resumed = ImagecacheProcess.start(context, "s12-cut",
            cutting.template(), List.of());
        ImagecacheProcess segmented = ImagecacheProcess.start(context, "s12-cut-c4",
            cutting.template(), List.of("--origin-connections", "4"))) {
      for (int round = 1; round <= context.options().rounds(); round++) {
        SegmentedMissScenario.miss(context, unbroken, UNBROKEN, "whole-r" + round, image, digests,
            whole, samples, notes);
        SegmentedMissScenario.miss(context, resumed, CUT, "cut-r" + round, image, digests,
            cutting, samples, notes);
        SegmentedMissScenario.miss(context, segmented, CUT_FOUR, "cut4-r" + round, image, digests,
            cutting, samples, notes);
      }
    }
    notes.add("The origins are the runner's own (RangeOrigin, no rate limit): one sends every body"
        + " whole, the other closes each connection once it has sent 256 MiB of bodies on it, so a"
        + " 1 GiB fill over one connection breaks 4 times and resumes 4 times (default"
        + " origin-resume-attempts 5; back-off 100 ms each). With 4 connections the cut falls inside"
        + " a 4 MiB segment whenever a kept-alive connection reaches 256 MiB; that segment resumes"
        + " from its own offset.");
    String setup = "Per round, alternating: a new id (hard link of the 1 GiB file) fetched once"
        + " through an imagecache on the unbroken origin, one on the cutting origin, and one on the"
        + " cutting origin with `--origin-connections 4`; time is curl's to the last byte, which a"
        + " miss releases only after the verified commit (SHA-512).";
    return ScenarioResult.of(id(), title(), setup, UNBROKEN,
        List.of(TIME, ORIGIN_BYTES, SegmentedMissScenario.ORIGIN_CONNECTIONS), samples, notes);
  }
}
