package io.imagecache.internal.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import io.imagecache.CachedImage;
import io.imagecache.ImageId;
import io.imagecache.internal.store.ImageIndex.Access;
import io.imagecache.internal.store.postgres.OfflineWrites.Kind;
import io.imagecache.internal.store.postgres.OfflineWrites.Pending;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The writes a postgres index keeps while its database is away: one per image, folded. */
class OfflineWritesTest {
  private static final ImageId ID = ImageId.of("img");
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  private final OfflineWrites kept = new OfflineWrites();

  @Test
  void hitsAfterACommitAddUpOnTheCommittedRow() {
    kept.keep(ID, put(10));
    kept.keep(ID, hits(2, 5));
    kept.keep(ID, hits(3, 7));

    CachedImage image = kept.image(ID).orElseThrow().orElseThrow();
    assertThat(image.size()).isEqualTo(10);
    assertThat(image.hits()).isEqualTo(5);
    assertThat(image.lastAccessed()).isEqualTo(T0.plusSeconds(7));
    assertThat(kept.size()).isEqualTo(1);
  }

  @Test
  void aCommitAfterHitsStartsAgainAtZero() {
    kept.keep(ID, hits(4, 1));
    kept.keep(ID, put(10));

    assertThat(kept.image(ID).orElseThrow().orElseThrow().hits()).isZero();
  }

  @Test
  void aRemovalDropsTheRowAndTheHitsAfterIt() {
    kept.keep(ID, put(10));
    kept.keep(ID, remove());
    kept.keep(ID, hits(1, 1));

    assertThat(kept.image(ID)).contains(Optional.empty());
    assertThat(kept.drain().writes().get(ID).kind()).isEqualTo(Kind.REMOVE);
  }

  @Test
  void hitsAloneDoNotDecideTheRow() {
    kept.keep(ID, hits(1, 1));

    assertThat(kept.image(ID)).isEmpty();
  }

  @Test
  void anAdoptionAfterARemovalReplacesTheRowAndOneAfterACommitDoesNot() {
    kept.keep(ID, remove());
    kept.keep(ID, adopt(20));
    assertThat(kept.drain().writes().get(ID).kind()).isEqualTo(Kind.PUT);

    kept.keep(ID, put(10));
    kept.keep(ID, adopt(20));
    assertThat(kept.image(ID).orElseThrow().orElseThrow().size()).isEqualTo(10);
  }

  @Test
  void aRestoredBatchGoesBeforeWhatWasKeptSince() {
    kept.keep(ID, put(10));
    OfflineWrites.Batch batch = kept.drain();
    kept.keep(ID, hits(2, 3));

    kept.restore(batch);

    Pending write = kept.drain().writes().get(ID);
    assertThat(write.kind()).isEqualTo(Kind.PUT);
    assertThat(write.access().orElseThrow().hits()).isEqualTo(2);
  }

  @Test
  void removeAllMakesEarlierWritesMoot() {
    kept.keep(ID, put(10));
    kept.keepRemoveAll();

    assertThat(kept.image(ID)).contains(Optional.empty());
    OfflineWrites.Batch batch = kept.drain();
    assertThat(batch.removeAllFirst()).isTrue();
    assertThat(batch.writes()).isEmpty();
    assertThat(kept.isEmpty()).isTrue();
  }

  @Test
  void newImagesPastTheLimitAreRefusedButKeptOnesStillFold() {
    for (int i = 0; i < OfflineWrites.LIMIT; i++) {
      assertThat(kept.keep(ImageId.of("i" + i), hits(1, 1))).isTrue();
    }

    assertThat(kept.keep(ImageId.of("one-more"), hits(1, 1))).isFalse();
    assertThat(kept.keep(ImageId.of("i0"), hits(1, 2))).isTrue();
    assertThat(kept.size()).isEqualTo(OfflineWrites.LIMIT);
  }

  private static Pending put(long size) {
    return new Pending(Kind.PUT, Optional.of(row(size, Optional.of("abc"))), Optional.empty());
  }

  private static Pending adopt(long size) {
    return new Pending(Kind.ADOPT, Optional.of(row(size, Optional.empty())), Optional.empty());
  }

  private static Pending remove() {
    return new Pending(Kind.REMOVE, Optional.empty(), Optional.empty());
  }

  private static Pending hits(long hits, long atSecond) {
    return new Pending(Kind.ACCESS_ONLY, Optional.empty(),
        Optional.of(new Access(hits, T0.plusSeconds(atSecond))));
  }

  private static CachedImage row(long size, Optional<String> checksum) {
    return new CachedImage(ID, size, 0, T0, T0, checksum);
  }
}
