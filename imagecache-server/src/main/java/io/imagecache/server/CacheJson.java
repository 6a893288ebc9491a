package io.imagecache.server;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.imagecache.CachedImage;
import io.imagecache.CleanResult;
import io.imagecache.FillProgress;
import io.imagecache.ImageCache;
import io.imagecache.ImageId;
import io.imagecache.PrefetchState;
import io.imagecache.PruneResult;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufOutputStream;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * The JSON documents of the cache API, with Glance's field names: timestamps are float epoch
 * seconds (microsecond precision, as Python's {@code time.time()}) except in our own extension
 * {@code nodes?detail=true} (ISO-8601 UTC), absent values are {@code null}, enum states are lower
 * case.
 */
final class CacheJson {
  /** About what one listed image takes, so that the listing's buffer seldom grows. */
  private static final int LISTING_ENTRY_BYTES = 160;

  private final ObjectMapper json;

  CacheJson(ObjectMapper json) {
    this.json = json;
  }

  /**
   * {@code GET /v2/cache}: exactly {@code cached_images} and {@code queued_images} (the glance CLI
   * reads any other top-level key as a list of queued ids).
   */
  ByteBuf listing(List<CachedImage> cached, Set<ImageId> pinned, List<ImageId> queued) {
    // Written as it goes into the buffer that is sent, not built as a tree or copied: a cache of
    // 100 000 images makes a 20 MB document, whose tree would not fit the heap the launcher gives.
    ByteBuf out = Unpooled.buffer(LISTING_ENTRY_BYTES * (cached.size() + queued.size()) + 64);
    try (JsonGenerator generator =
        json.getFactory().createGenerator((OutputStream) new ByteBufOutputStream(out))) {
      generator.writeStartObject();
      generator.writeArrayFieldStart("cached_images");
      for (CachedImage image : cached) {
        generator.writeStartObject();
        generator.writeStringField("image_id", image.imageId().value());
        generator.writeNumberField("hits", image.hits());
        generator.writeNumberField("last_accessed", seconds(image.lastAccessed()));
        generator.writeNumberField("last_modified", seconds(image.lastModified()));
        generator.writeNumberField("size", image.size());
        generator.writeFieldName("checksum");
        if (image.checksum().isPresent()) {
          generator.writeString(image.checksum().get());
        } else {
          generator.writeNull();
        }
        generator.writeBooleanField("pinned", pinned.contains(image.imageId()));
        generator.writeEndObject();
      }
      generator.writeEndArray();
      generator.writeArrayFieldStart("queued_images");
      for (ImageId id : queued) {
        generator.writeString(id.value());
      }
      generator.writeEndArray();
      generator.writeEndObject();
    } catch (IOException e) {
      out.release();
      throw new IllegalStateException("cannot render the cache listing", e);
    }
    return out;
  }

  /** {@code POST /v2/cache/clean}: what was removed. */
  byte[] clean(CleanResult result) {
    ObjectNode root = json.createObjectNode();
    root.put("invalid_files_removed", result.invalidFilesRemoved());
    root.put("stalled_files_removed", result.stalledFilesRemoved());
    root.put("total_bytes_removed", result.bytesRemoved());
    return write(root);
  }

  /** {@code POST /v2/cache/prune}: Glance's two counts. */
  byte[] prune(PruneResult result) {
    ObjectNode root = json.createObjectNode();
    root.put("total_files_pruned", result.filesPruned());
    root.put("total_bytes_pruned", result.bytesPruned());
    return write(root);
  }

  /** {@code GET /v2/cache/nodes/{id}}: the node URLs. */
  byte[] nodes(List<String> urls) {
    ArrayNode root = json.createArrayNode();
    urls.forEach(root::add);
    return write(root);
  }

  /**
   * {@code GET /v2/cache/nodes/{id}?detail=true}: each node's URL, state ({@code cached} or
   * {@code filling}), bytes and size (null when unknown) and last heartbeat (ISO-8601 UTC, null
   * when unknown).
   */
  byte[] nodeDetails(List<ImageCache.NodeDetail> nodes) {
    ObjectNode root = json.createObjectNode();
    ArrayNode array = root.putArray("nodes");
    for (ImageCache.NodeDetail node : nodes) {
      ObjectNode entry = array.addObject();
      entry.put("url", node.url());
      entry.put("state", node.cached() ? "cached" : "filling");
      putOptional(entry, "bytes", node.bytes());
      putOptional(entry, "size", node.size());
      putOptional(entry, "last_heartbeat", node.lastHeartbeat().map(Instant::toString));
    }
    return write(root);
  }

  /** {@code GET /v2/cache/status}: fills in progress and every id the prefetch queue knows. */
  byte[] status(List<FillProgress> fills, List<PrefetchState> prefetch) {
    ObjectNode root = json.createObjectNode();
    ArrayNode fillArray = root.putArray("fills");
    for (FillProgress fill : fills) {
      ObjectNode entry = fillArray.addObject();
      entry.put("image_id", fill.imageId().value());
      entry.put("state", lowerCase(fill.state()));
      entry.put("bytes_written", fill.bytesWritten());
      putOptional(entry, "expected_size", fill.expectedSize());
      entry.put("started_at", seconds(fill.startedAt()));
    }
    ArrayNode prefetchArray = root.putArray("prefetch");
    for (PrefetchState state : prefetch) {
      ObjectNode entry = prefetchArray.addObject();
      entry.put("image_id", state.imageId().value());
      entry.put("state", lowerCase(state.status()));
      entry.put("attempts", state.attempts());
      putOptional(entry, "last_error", state.lastError());
      if (state.nextAttemptAt().isPresent()) {
        entry.put("next_attempt_at", seconds(state.nextAttemptAt().get()));
      } else {
        entry.putNull("next_attempt_at");
      }
    }
    return write(root);
  }

  /** Epoch seconds with up to six decimals, always written with a fraction (e.g. {@code 12.0}). */
  static BigDecimal seconds(Instant instant) {
    BigDecimal value = BigDecimal.valueOf(instant.getEpochSecond())
        .add(BigDecimal.valueOf(instant.getNano() / 1_000, 6))
        .stripTrailingZeros();
    return value.scale() < 1 ? value.setScale(1) : value;
  }

  private static void putOptional(ObjectNode node, String field, Optional<String> value) {
    if (value.isPresent()) {
      node.put(field, value.get());
    } else {
      node.putNull(field);
    }
  }

  private static void putOptional(ObjectNode node, String field, OptionalLong value) {
    if (value.isPresent()) {
      node.put(field, value.getAsLong());
    } else {
      node.putNull(field);
    }
  }

  private static String lowerCase(Enum<?> value) {
    return value.name().toLowerCase(Locale.ROOT);
  }

  private byte[] write(JsonNode root) {
    try {
      return json.writeValueAsBytes(root);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot render a JSON tree", e);
    }
  }
}
