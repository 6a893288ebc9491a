package io.imagecache.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Median, minimum and maximum of a non-empty list of samples. */
record Stats(double median, double min, double max, int count) {
  Stats {
    if (count < 1 || min > max || median < min || median > max) {
      throw new IllegalArgumentException("inconsistent stats " + median + " " + min + " " + max + " n=" + count);
    }
  }

  /** The statistics of {@code samples}. */
  static Stats of(List<Double> samples) {
    if (samples.isEmpty()) {
      throw new IllegalArgumentException("no samples");
    }
    List<Double> sorted = new ArrayList<>(samples);
    Collections.sort(sorted);
    int n = sorted.size();
    double median = n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    return new Stats(median, sorted.get(0), sorted.get(n - 1), n);
  }

  /** The value at quantile {@code q} (0..1) of {@code samples}, nearest rank. */
  static double quantile(List<Double> samples, double q) {
    if (samples.isEmpty() || q < 0 || q > 1) {
      throw new IllegalArgumentException("bad quantile request q=" + q + " n=" + samples.size());
    }
    List<Double> sorted = new ArrayList<>(samples);
    Collections.sort(sorted);
    int rank = (int) Math.ceil(q * sorted.size());
    return sorted.get(Math.max(0, rank - 1));
  }
}
