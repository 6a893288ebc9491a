package io.imagecache.internal.maintenance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.imagecache.CachedImage;
import io.imagecache.ImageId;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PrunePolicyTest {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  @Test
  void removesLeastRecentlyAccessedFirstUntilWithinTarget() {
    List<CachedImage> entries = List.of(
        entry("c", 100, 3), entry("a", 100, 1), entry("b", 100, 2), entry("d", 100, 4));

    assertThat(ids(PrunePolicy.victims(entries, Set.of(), 400, 200))).containsExactly("a", "b");
  }

  @Test
  void breaksAccessTimeTiesById() {
    List<CachedImage> entries = List.of(entry("b", 10, 1), entry("c", 10, 1), entry("a", 10, 1));

    assertThat(ids(PrunePolicy.victims(entries, Set.of(), 30, 10))).containsExactly("a", "b");
  }

  @Test
  void skipsPinnedImages() {
    List<CachedImage> entries = List.of(entry("a", 100, 1), entry("b", 100, 2), entry("c", 100, 3));

    assertThat(ids(PrunePolicy.victims(entries, Set.of(ImageId.of("a")), 300, 200)))
        .containsExactly("b");
  }

  @Test
  void choosesNothingWhenTheCacheIsWithinTheTarget() {
    List<CachedImage> entries = List.of(entry("a", 100, 1));

    assertThat(PrunePolicy.victims(entries, Set.of(), 100, 100)).isEmpty();
    assertThat(PrunePolicy.victims(entries, Set.of(), 50, 100)).isEmpty();
  }

  @Test
  void aTargetOfZeroChoosesEveryUnpinnedImage() {
    List<CachedImage> entries = List.of(entry("a", 100, 2), entry("b", 100, 1), entry("p", 100, 0));

    assertThat(ids(PrunePolicy.victims(entries, Set.of(ImageId.of("p")), 300, 0)))
        .containsExactly("b", "a");
  }

  @Test
  void stopsWhenEntriesRunOutEvenIfTheTargetIsNotReached() {
    // Files the metadata does not know about, or entries recorded as 0 bytes, cannot free the
    // space: the policy must still end (Glance's centralized_db prune loops forever here).
    List<CachedImage> entries = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      entries.add(entry("img-" + i, 0, i));
    }

    assertThat(PrunePolicy.victims(entries, Set.of(), 1_000_000, 0)).hasSize(1000);
    assertThat(PrunePolicy.victims(List.of(), Set.of(), 1_000_000, 0)).isEmpty();
  }

  @Test
  void keepsNewEntriesThatWereNeverReadBehindOlderReadOnes() {
    // Glance bug 1438564: a commit counts as an access, so a fresh image is not the first victim.
    List<CachedImage> entries = List.of(entry("old-read", 100, 5), entry("new-unread", 100, 9));

    assertThat(ids(PrunePolicy.victims(entries, Set.of(), 200, 100))).containsExactly("old-read");
  }

  @Test
  void rejectsNegativeSizes() {
    assertThatThrownBy(() -> PrunePolicy.victims(List.of(), Set.of(), 0, -1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("targetSize must be >= 0: -1");
    assertThatThrownBy(() -> PrunePolicy.victims(List.of(), Set.of(), -2, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("currentSize must be >= 0: -2");
  }

  private static CachedImage entry(String id, long size, int accessedAtSecond) {
    Instant accessed = T0.plusSeconds(accessedAtSecond);
    return new CachedImage(ImageId.of(id), size, 0, accessed, T0, Optional.empty());
  }

  private static List<String> ids(List<CachedImage> victims) {
    return victims.stream().map(v -> v.imageId().value()).toList();
  }
}
