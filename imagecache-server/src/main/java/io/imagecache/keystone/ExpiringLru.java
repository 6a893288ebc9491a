package io.imagecache.keystone;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** A bounded map whose entries expire at their own instant; least recently used goes first. */
final class ExpiringLru<K, V> {
  private record Entry<V>(V value, Instant until) {}

  private final Map<K, Entry<V>> entries;

  ExpiringLru(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be at least 1: " + capacity);
    }
    this.entries = new LinkedHashMap<>(16, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<K, Entry<V>> eldest) {
        return size() > capacity;
      }
    };
  }

  /** The value of {@code key} while {@code now} is before its expiry. */
  synchronized Optional<V> get(K key, Instant now) {
    Entry<V> entry = entries.get(key);
    if (entry == null) {
      return Optional.empty();
    }
    if (!now.isBefore(entry.until())) {
      entries.remove(key);
      return Optional.empty();
    }
    return Optional.of(entry.value());
  }

  /** Remembers {@code value} for {@code key} until {@code until}. */
  synchronized void put(K key, V value, Instant until) {
    entries.put(key, new Entry<>(value, until));
  }

  synchronized int size() {
    return entries.size();
  }
}
