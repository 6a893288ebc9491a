package io.imagecache.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.imagecache.ImageCache;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * Whether this server should get traffic: the metadata store answers ({@code store}) and the
 * cache directory takes new files ({@code cache_dir}), each probed on the blocking executor and
 * bounded by {@link #TIMEOUT}. The origin ({@code origin}) only when asked for ({@code readyz-origin
 * on}): a cache with its origin down still serves every hit. Its answer is kept for
 * {@link #ORIGIN_TTL}, so that probes and scrapes do not hammer it.
 */
final class Readiness {
  /** How long each check may take before it counts as failed. */
  static final Duration TIMEOUT = Duration.ofSeconds(2);
  /** How long the origin's answer is kept. */
  static final Duration ORIGIN_TTL = Duration.ofSeconds(5);

  /** The outcome of every check, in order, and the JSON that reports it. */
  record Report(Map<String, ReadinessCheck.Result> checks) {
    boolean ready() {
      return checks.values().stream().allMatch(ReadinessCheck.Result::ok);
    }

    /** {@code {"status":"ready"|"not ready","checks":{"store":{"ok":…,"detail":"…"},…}}}. */
    byte[] json(ObjectMapper json) throws JsonProcessingException {
      ObjectNode root = json.createObjectNode();
      root.put("status", ready() ? "ready" : "not ready");
      ObjectNode each = root.putObject("checks");
      checks.forEach((name, result) -> each.putObject(name)
          .put("ok", result.ok())
          .put("detail", result.detail()));
      return json.writeValueAsBytes(root);
    }
  }

  private final List<ReadinessCheck> checks;

  Readiness(List<ReadinessCheck> checks) {
    this.checks = List.copyOf(checks);
  }

  /** The store and cache-directory checks of {@code cache}, run on {@code blocking}. */
  static Readiness of(ImageCache cache, Executor blocking) {
    return of(cache, blocking, false);
  }

  /** As {@link #of(ImageCache, Executor)}, and the origin's check when {@code origin}. */
  static Readiness of(ImageCache cache, Executor blocking, boolean origin) {
    List<ReadinessCheck> checks = new ArrayList<>(storeAndDirectory(cache, blocking));
    if (origin) {
      checks.add(new ReadinessCheck("origin",
          new CachedProbe(cache::checkOrigin, ORIGIN_TTL, System::nanoTime), blocking, TIMEOUT));
    }
    return new Readiness(checks);
  }

  private static List<ReadinessCheck> storeAndDirectory(ImageCache cache, Executor blocking) {
    String driver = cache.config().driver().configName();
    return List.of(
        new ReadinessCheck("store", () -> {
          cache.checkStore();
          return "the " + driver + " store answered";
        }, blocking, TIMEOUT),
        new ReadinessCheck("cache_dir", () -> {
          cache.checkWritable();
          return cache.config().dir() + " takes new files";
        }, blocking, TIMEOUT));
  }

  /** The checks' names, in order. */
  List<String> names() {
    return checks.stream().map(ReadinessCheck::name).toList();
  }

  /** Runs every check at once; completes when each has answered or timed out. Never fails. */
  CompletableFuture<Report> check() {
    List<CompletableFuture<ReadinessCheck.Result>> results = new ArrayList<>();
    for (ReadinessCheck check : checks) {
      results.add(check.run());
    }
    return CompletableFuture.allOf(results.toArray(CompletableFuture[]::new)).thenApply(done -> {
      Map<String, ReadinessCheck.Result> report = new LinkedHashMap<>();
      for (int i = 0; i < checks.size(); i++) {
        report.put(checks.get(i).name(), results.get(i).join());
      }
      return new Report(report);
    });
  }
}
