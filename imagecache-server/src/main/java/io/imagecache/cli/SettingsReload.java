package io.imagecache.cli;

import io.imagecache.CacheConfig;
import io.imagecache.ImageCache;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What SIGHUP does to a running {@code serve}: resolves the settings again from the same sources
 * (flags, environment, the config file read anew), applies what can change without a restart (the
 * size bound: max-size, high-water, low-water; prefetch-workers; and log-level when the logging is
 * {@code serve}'s own) and logs one line of what changed and one naming what changed but needs a
 * restart. A configuration that does not resolve is rejected with its message, and the running one
 * stays.
 */
final class SettingsReload {
  private static final Logger LOG = LoggerFactory.getLogger(SettingsReload.class);
  /** The options a reload applies. */
  static final Set<ServeOption> RELOADABLE = EnumSet.of(ServeOption.MAX_SIZE,
      ServeOption.HIGH_WATER, ServeOption.LOW_WATER, ServeOption.PREFETCH_WORKERS,
      ServeOption.LOG_LEVEL);

  private final ServerRunner.SettingsSource source;
  private final ImageCache cache;
  /** Sets the server log's level; absent when the logging is not this process's to change. */
  private final Optional<Consumer<LogSettings.Level>> logLevel;
  private ServeSettings running;
  /** The logging settings in force, when known: then a reload compares them too. */
  private Optional<LogSettings> runningLogs;

  /** A reload of the size bound and prefetch workers only; the logging is left as it is. */
  SettingsReload(ServerRunner.SettingsSource source, ImageCache cache, ServeSettings running) {
    this(source, cache, running, Optional.empty(), Optional.empty());
  }

  /**
   * A reload that also compares the logging settings with {@code runningLogs} and applies a new
   * log level through {@code logLevel} (the rest of the logging needs a restart).
   */
  SettingsReload(ServerRunner.SettingsSource source, ImageCache cache, ServeSettings running,
      Optional<LogSettings> runningLogs, Optional<Consumer<LogSettings.Level>> logLevel) {
    this.source = source;
    this.cache = cache;
    this.running = running;
    this.runningLogs = runningLogs;
    this.logLevel = logLevel;
  }

  /** Reads the settings again and applies them; never throws. */
  synchronized void reload() {
    ServeSettings next;
    Optional<LogSettings> nextLogs = Optional.empty();
    try {
      next = source.read();
      if (runningLogs.isPresent() && logLevel.isPresent()) {
        nextLogs = source.readLogs();
      }
    } catch (Exception e) {
      LOG.warn("SIGHUP: configuration rejected, the running one stays: {}", e.getMessage());
      return;
    }
    if (next.adminToken().isEmpty()) {
      // The running token came from <cache-dir>/admin-token, which a reload does not touch.
      next = next.withAdminToken(running.adminToken().orElseThrow());
    }
    boolean logsCompared = nextLogs.isPresent();
    Map<ServeOption, String> before = logsCompared
        ? SettingValues.of(running, runningLogs.orElseThrow()) : SettingValues.of(running);
    Map<ServeOption, String> after = logsCompared
        ? SettingValues.of(next, nextLogs.orElseThrow()) : SettingValues.of(next);
    List<String> applied = new ArrayList<>();
    List<String> needRestart = new ArrayList<>();
    for (Map.Entry<ServeOption, String> entry : after.entrySet()) {
      ServeOption option = entry.getKey();
      String old = before.get(option);
      if (entry.getValue().equals(old)) {
        continue;
      }
      if (RELOADABLE.contains(option)) {
        applied.add(option.optionName() + " " + old + " -> " + entry.getValue());
      } else {
        needRestart.add(option.optionName());
      }
    }
    if (!sameBound(running.cache(), next.cache())) {
      CacheConfig bound = running.cache().toBuilder().maxSize(next.cache().maxSize())
          .highWater(next.cache().highWater()).lowWater(next.cache().lowWater())
          .prefetchWorkers(next.cache().prefetchWorkers()).build();
      try {
        cache.reconfigure(bound);
      } catch (IllegalArgumentException e) {
        LOG.warn("SIGHUP: configuration rejected, the running one stays: {}", e.getMessage());
        return;
      }
      running = running.withCache(bound);
    }
    if (logsCompared && nextLogs.get().level() != runningLogs.orElseThrow().level()) {
      LogSettings.Level level = nextLogs.get().level();
      // The report is logged while the more verbose of the two levels is in force.
      boolean quieter = level.ordinal() < runningLogs.get().level().ordinal();
      if (quieter) {
        report(applied, needRestart);
      }
      logLevel.orElseThrow().accept(level);
      runningLogs = Optional.of(new LogSettings(
          level, runningLogs.get().json(), runningLogs.get().access()));
      if (!quieter) {
        report(applied, needRestart);
      }
      return;
    }
    report(applied, needRestart);
  }

  private static void report(List<String> applied, List<String> needRestart) {
    LOG.info("SIGHUP: configuration reloaded; {}",
        applied.isEmpty() ? "nothing to change" : "changed: " + String.join(", ", applied));
    if (!needRestart.isEmpty()) {
      LOG.warn("SIGHUP: changed, but only a restart applies: {}", String.join(", ", needRestart));
    }
  }

  private static boolean sameBound(CacheConfig a, CacheConfig b) {
    return a.maxSize() == b.maxSize() && a.highWater() == b.highWater()
        && a.lowWater() == b.lowWater() && a.prefetchWorkers() == b.prefetchWorkers();
  }
}
