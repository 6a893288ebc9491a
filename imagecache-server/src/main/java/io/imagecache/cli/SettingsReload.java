package io.imagecache.cli;

import io.imagecache.CacheConfig;
import io.imagecache.ImageCache;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What SIGHUP does to a running {@code serve}: resolves the settings again from the same
 * sources (flags, environment, the config file read anew), applies what can change without a
 * restart (the size bound: max-size, high-water, low-water) and logs one line of what changed
 * and one naming what changed but needs a restart. A configuration that does not resolve is
 * rejected with its message, and the running one stays.
 */
final class SettingsReload {
  private static final Logger LOG = LoggerFactory.getLogger(SettingsReload.class);
  /** The options a reload applies. */
  static final Set<ServeOption> RELOADABLE =
      EnumSet.of(ServeOption.MAX_SIZE, ServeOption.HIGH_WATER, ServeOption.LOW_WATER);

  private final ServerRunner.SettingsSource source;
  private final ImageCache cache;
  private ServeSettings running;

  SettingsReload(ServerRunner.SettingsSource source, ImageCache cache, ServeSettings running) {
    this.source = source;
    this.cache = cache;
    this.running = running;
  }

  /** Reads the settings again and applies them; never throws. */
  synchronized void reload() {
    ServeSettings next;
    try {
      next = source.read();
    } catch (Exception e) {
      LOG.warn("SIGHUP: configuration rejected, the running one stays: {}", e.getMessage());
      return;
    }
    if (next.adminToken().isEmpty()) {
      // The running token came from <cache-dir>/admin-token, which a reload does not touch.
      next = next.withAdminToken(running.adminToken().orElseThrow());
    }
    Map<ServeOption, String> before = SettingValues.of(running);
    Map<ServeOption, String> after = SettingValues.of(next);
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
    if (!applied.isEmpty()) {
      CacheConfig bound = running.cache().toBuilder().maxSize(next.cache().maxSize())
          .highWater(next.cache().highWater()).lowWater(next.cache().lowWater()).build();
      try {
        cache.reconfigure(bound);
      } catch (IllegalArgumentException e) {
        LOG.warn("SIGHUP: configuration rejected, the running one stays: {}", e.getMessage());
        return;
      }
      running = running.withCache(bound);
    }
    LOG.info("SIGHUP: configuration reloaded; {}",
        applied.isEmpty() ? "nothing to change" : "changed: " + String.join(", ", applied));
    if (!needRestart.isEmpty()) {
      LOG.warn("SIGHUP: changed, but only a restart applies: {}", String.join(", ", needRestart));
    }
  }
}
