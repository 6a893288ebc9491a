package io.imagecache.keystone;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The remembered Keystone answers: gone at their expiry, the least recently used first. */
class ExpiringLruTest {
  private static final Instant NOW = Instant.parse("2026-12-02T08:00:00Z");

  @Test
  void anEntryIsGoneAtItsExpiry() {
    ExpiringLru<String, String> lru = new ExpiringLru<>(4);
    lru.put("token", "allowed", NOW.plusSeconds(10));

    assertThat(lru.get("token", NOW.plusSeconds(9))).contains("allowed");
    assertThat(lru.get("token", NOW.plusSeconds(10))).isEmpty();
    assertThat(lru.size()).isZero();
  }

  @Test
  void beyondItsCapacityTheLeastRecentlyUsedGoes() {
    ExpiringLru<String, String> lru = new ExpiringLru<>(2);
    lru.put("a", "1", NOW.plusSeconds(60));
    lru.put("b", "2", NOW.plusSeconds(60));
    lru.get("a", NOW);

    lru.put("c", "3", NOW.plusSeconds(60));

    assertThat(lru.size()).isEqualTo(2);
    assertThat(lru.get("b", NOW)).isEmpty();
    assertThat(lru.get("a", NOW)).contains("1");
    assertThat(lru.get("c", NOW)).contains("3");
  }
}
