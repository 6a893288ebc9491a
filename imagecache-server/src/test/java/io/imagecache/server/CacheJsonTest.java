package io.imagecache.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.imagecache.CachedImage;
import io.imagecache.CleanResult;
import io.imagecache.FillProgress;
import io.imagecache.ImageId;
import io.imagecache.PrefetchState;
import io.imagecache.PruneResult;
import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The cache API's documents, byte for byte: Glance's field names, float seconds, nulls. */
class CacheJsonTest {
  private final CacheJson json = new CacheJson(new ObjectMapper());

  @Test
  void secondsAreFloatsWithUpToSixDecimalsAndNeverAnExponent() {
    assertThat(CacheJson.seconds(Instant.ofEpochSecond(1764000000, 123_456_789)))
        .hasToString("1764000000.123456");
    assertThat(CacheJson.seconds(Instant.ofEpochSecond(1764000000, 500_000_000)))
        .hasToString("1764000000.5");
    assertThat(CacheJson.seconds(Instant.ofEpochSecond(1764000000))).hasToString("1764000000.0");
    assertThat(CacheJson.seconds(Instant.EPOCH)).hasToString("0.0");
    assertThat(CacheJson.seconds(Instant.ofEpochSecond(0, 1_000))).hasToString("0.000001");
  }

  @Test
  void theListingHasGlancesTwoKeysAndRecordShape() {
    Instant committed = Instant.ofEpochSecond(1764000000, 250_000_000);
    CachedImage plain = new CachedImage(ImageId.of("a"), 10, 3, committed.plusSeconds(5),
        committed, Optional.of("0123456789abcdef0123456789abcdef"));
    CachedImage pinned = new CachedImage(ImageId.of("b"), 0, 0, committed, committed,
        Optional.empty());

    ByteBuf rendered = json.listing(List.of(plain, pinned), Set.of(ImageId.of("b")),
        List.of(ImageId.of("q1"), ImageId.of("q2")));
    String listing = rendered.toString(StandardCharsets.UTF_8);
    rendered.release();

    assertThat(listing).isEqualTo("{\"cached_images\":["
        + "{\"image_id\":\"a\",\"hits\":3,\"last_accessed\":1764000005.25,"
        + "\"last_modified\":1764000000.25,\"size\":10,"
        + "\"checksum\":\"0123456789abcdef0123456789abcdef\",\"pinned\":false},"
        + "{\"image_id\":\"b\",\"hits\":0,\"last_accessed\":1764000000.25,"
        + "\"last_modified\":1764000000.25,\"size\":0,\"checksum\":null,\"pinned\":true}],"
        + "\"queued_images\":[\"q1\",\"q2\"]}");
  }

  @Test
  void cleanPruneAndNodesCarryTheirCounts() {
    assertThat(text(json.clean(new CleanResult(1, 2, 300)))).isEqualTo(
        "{\"invalid_files_removed\":1,\"stalled_files_removed\":2,\"total_bytes_removed\":300}");
    assertThat(text(json.prune(new PruneResult(5, 104857600))))
        .isEqualTo("{\"total_files_pruned\":5,\"total_bytes_pruned\":104857600}");
    assertThat(text(json.nodes(List.of("http://node-1:9292"))))
        .isEqualTo("[\"http://node-1:9292\"]");
    assertThat(text(json.nodes(List.of()))).isEqualTo("[]");
  }

  @Test
  void theStatusShowsFillsAndPrefetchStatesInLowerCase() {
    Instant started = Instant.ofEpochSecond(1764000000, 100_000_000);
    List<FillProgress> fills = List.of(
        new FillProgress(ImageId.of("f1"), FillProgress.State.RUNNING, 512, OptionalLong.of(1024),
            started),
        new FillProgress(ImageId.of("f2"), FillProgress.State.OPENING, 0, OptionalLong.empty(),
            started));
    List<PrefetchState> prefetch = List.of(
        new PrefetchState(ImageId.of("p1"), PrefetchState.Status.QUEUED, 0, Optional.empty(),
            Optional.empty()),
        new PrefetchState(ImageId.of("p2"), PrefetchState.Status.RETRYING, 1,
            Optional.of("origin down"), Optional.of(started.plusSeconds(2))),
        new PrefetchState(ImageId.of("p3"), PrefetchState.Status.FAILED, 5,
            Optional.of("gave up"), Optional.empty()));

    assertThat(text(json.status(fills, prefetch))).isEqualTo("{\"fills\":["
        + "{\"image_id\":\"f1\",\"state\":\"running\",\"bytes_written\":512,"
        + "\"expected_size\":1024,\"started_at\":1764000000.1},"
        + "{\"image_id\":\"f2\",\"state\":\"opening\",\"bytes_written\":0,"
        + "\"expected_size\":null,\"started_at\":1764000000.1}],"
        + "\"prefetch\":["
        + "{\"image_id\":\"p1\",\"state\":\"queued\",\"attempts\":0,\"last_error\":null,"
        + "\"next_attempt_at\":null},"
        + "{\"image_id\":\"p2\",\"state\":\"retrying\",\"attempts\":1,"
        + "\"last_error\":\"origin down\",\"next_attempt_at\":1764000002.1},"
        + "{\"image_id\":\"p3\",\"state\":\"failed\",\"attempts\":5,\"last_error\":\"gave up\","
        + "\"next_attempt_at\":null}]}");
  }

  private static String text(byte[] json) {
    return new String(json, StandardCharsets.UTF_8);
  }
}
