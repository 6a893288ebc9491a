package io.imagecache.bench;

/** One end-to-end benchmark scenario: sets up its systems, runs its rounds, tears down. */
interface Scenario {
  /**
   * The scenario's number: 1–8 from issue #5, 9 and 10 the TLS hits of issue #12, 11 and 12 the
   * segmented and resumed misses of issue #11, 13 the fleet of issue #14.
   */
  int id();

  /** A short title for the report. */
  String title();

  /** Runs every round, alternating the compared systems, and stops what it started. */
  ScenarioResult run(BenchContext context) throws Exception;
}
