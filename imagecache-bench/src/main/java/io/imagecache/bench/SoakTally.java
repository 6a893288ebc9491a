package io.imagecache.bench;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * The soak's counts, shared by all clients (thread-safe, lock-free): operations by kind and answer, body bytes
 * checked, and errors by kind, each error kind marked as a failure of the soak or as a note.
 */
final class SoakTally {
  private final Map<String, LongAdder> ops = new ConcurrentSkipListMap<>();
  private final Map<String, LongAdder> errors = new ConcurrentSkipListMap<>();
  private final Map<String, Boolean> fatal = new ConcurrentHashMap<>();
  private final Map<String, String> firstDetail = new ConcurrentHashMap<>();
  private final LongAdder bodyBytes = new LongAdder();

  /** Counts one operation {@code op} answered as expected with {@code outcome} (e.g. "200", "206"). */
  void ok(String op, String outcome) {
    ops.computeIfAbsent(op + " " + outcome, k -> new LongAdder()).increment();
  }

  /** Counts checked body bytes. */
  void bytes(long n) {
    bodyBytes.add(n);
  }

  /** Counts an error of {@code kind} in {@code op}; {@code failure} makes the soak fail. */
  void error(String op, String kind, boolean failure, String detail) {
    String key = op + ": " + kind;
    errors.computeIfAbsent(key, k -> new LongAdder()).increment();
    fatal.putIfAbsent(key, failure);
    if (detail != null) {
      firstDetail.putIfAbsent(key, detail);
    }
  }

  /** Expected answers by operation and outcome. */
  Map<String, Long> okCounts() {
    return snapshot(ops);
  }

  /** Errors by kind. */
  Map<String, Long> errorCounts() {
    return snapshot(errors);
  }

  boolean isFailure(String errorKey) {
    return fatal.getOrDefault(errorKey, true);
  }

  String detail(String errorKey) {
    return firstDetail.get(errorKey);
  }

  long totalOps() {
    return ops.values().stream().mapToLong(LongAdder::sum).sum() + errors.values().stream()
        .mapToLong(LongAdder::sum).sum();
  }

  long totalErrors() {
    return errors.values().stream().mapToLong(LongAdder::sum).sum();
  }

  long failures() {
    return errors.entrySet().stream().filter(e -> isFailure(e.getKey())).mapToLong(e -> e.getValue().sum()).sum();
  }

  long bodyBytes() {
    return bodyBytes.sum();
  }

  private static Map<String, Long> snapshot(Map<String, LongAdder> map) {
    Map<String, Long> copy = new TreeMap<>();
    map.forEach((k, v) -> copy.put(k, v.sum()));
    return copy;
  }
}
