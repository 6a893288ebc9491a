package io.imagecache.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Per-round samples of one scenario, by system and figure, in the order they were taken. */
final class Samples {
  /** system → figure → one value per round; confined to the scenario's thread. */
  private final Map<String, Map<String, List<Double>>> bySystem = new LinkedHashMap<>();

  /** Records one round's {@code value} of {@code figure} for {@code system}. */
  void add(String system, String figure, double value) {
    if (!Double.isFinite(value)) {
      throw new IllegalArgumentException(system + " " + figure + " is not finite: " + value);
    }
    bySystem.computeIfAbsent(system, s -> new LinkedHashMap<>())
        .computeIfAbsent(figure, f -> new ArrayList<>())
        .add(value);
  }

  /** The systems that have samples, in first-seen order. */
  List<String> systems() {
    return List.copyOf(bySystem.keySet());
  }

  /** The samples of {@code figure} for {@code system}, empty when none. */
  List<Double> values(String system, String figure) {
    return List.copyOf(bySystem.getOrDefault(system, Map.of()).getOrDefault(figure, List.of()));
  }
}
