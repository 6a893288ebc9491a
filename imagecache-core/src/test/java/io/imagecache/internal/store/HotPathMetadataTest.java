package io.imagecache.internal.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.imagecache.CachedImage;
import io.imagecache.ImageId;
import io.imagecache.internal.store.sqlite.SqliteIndex;
import io.imagecache.testing.MutableClock;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A hit is answered without a store round trip: {@link FileCacheDriver} keeps the entries it wrote
 * or read in memory, and forgets them when the image is deleted or replaced.
 */
class HotPathMetadataTest {
  private static final ImageId ID = ImageId.of("hot");

  @TempDir Path dir;
  private final MutableClock clock = new MutableClock(Instant.parse("2026-03-01T12:00:00Z"));
  private CountingIndex index;
  private FileCacheDriver driver;

  @AfterEach
  void closeDriver() throws Exception {
    if (driver != null) {
      driver.close();
    }
  }

  @Test
  void hitsOfAnImageCommittedByThisDriverNeverAskTheIndex() throws Exception {
    open();
    byte[] content = bytes(1000, 1);
    commit(ID, content);
    index.gets.set(0);

    for (int i = 0; i < 50; i++) {
      try (CacheReader reader = driver.openForRead(ID).orElseThrow()) {
        assertThat(reader.image().checksum()).contains(md5(content));
        assertThat(reader.image().size()).isEqualTo(1000);
      }
    }

    assertThat(index.gets).hasValue(0);
    assertThat(driver.hitCount(ID)).isEqualTo(50);
  }

  @Test
  void anImageFoundAtStartUpIsLookedUpOnceThenServedFromMemory() throws Exception {
    open();
    byte[] content = bytes(2000, 2);
    commit(ID, content);
    driver.close();
    open();
    driver.reconcile();
    index.gets.set(0);

    for (int i = 0; i < 5; i++) {
      try (CacheReader reader = driver.openForRead(ID).orElseThrow()) {
        assertThat(reader.image().checksum()).contains(md5(content));
      }
    }

    assertThat(index.gets).hasValue(1);
  }

  @Test
  void aReaderSeesTheHitsTheIndexRecordedAtTheLastFlush() throws Exception {
    open();
    commit(ID, bytes(10, 3));
    Instant readAt = clock.advance(Duration.ofMinutes(5));
    readOnce(ID);
    readOnce(ID);
    driver.flushAccesses();
    clock.advance(Duration.ofMinutes(5));

    try (CacheReader reader = driver.openForRead(ID).orElseThrow()) {
      assertThat(reader.image().hits()).isEqualTo(2);
      assertThat(reader.image().lastAccessed()).isEqualTo(readAt);
    }
    assertThat(index.gets).hasValue(0);
  }

  @Test
  void aNewCommitOfTheSameIdReplacesTheRememberedChecksum() throws Exception {
    open();
    byte[] first = bytes(4096, 4);
    byte[] second = bytes(4096, 5);
    commit(ID, first);
    readOnce(ID);

    commit(ID, second);

    try (CacheReader reader = driver.openForRead(ID).orElseThrow()) {
      assertThat(reader.image().checksum()).contains(md5(second));
    }
  }

  @Test
  void aDeletedImageIsForgotten() throws Exception {
    open();
    commit(ID, bytes(300, 6));
    readOnce(ID);

    driver.delete(ID);
    Files.write(dir.resolve(ID.value()), bytes(300, 7));

    try (CacheReader reader = driver.openForRead(ID).orElseThrow()) {
      assertThat(reader.image().checksum()).isEmpty();
    }
  }

  @Test
  void aFileReplacedBehindTheDriversBackIsLookedUpAgain() throws Exception {
    open();
    commit(ID, bytes(300, 8));
    readOnce(ID);
    index.gets.set(0);

    Files.write(dir.resolve(ID.value()), bytes(301, 9));

    try (CacheReader reader = driver.openForRead(ID).orElseThrow()) {
      assertThat(reader.image().size()).isEqualTo(301);
    }
    assertThat(index.gets).hasValue(1);
  }

  @Test
  void deleteAllForgetsEveryEntry() throws Exception {
    open();
    commit(ID, bytes(300, 10));
    readOnce(ID);

    driver.deleteAll();
    Files.write(dir.resolve(ID.value()), bytes(300, 11));

    try (CacheReader reader = driver.openForRead(ID).orElseThrow()) {
      assertThat(reader.image().checksum()).isEmpty();
    }
  }

  // ---- helpers -------------------------------------------------------------------------------

  private void open() throws BadDriverConfigurationException {
    index = new CountingIndex(new SqliteIndex(dir));
    driver = new FileCacheDriver(dir, index, clock, false);
    driver.configure();
  }

  private void commit(ImageId id, byte[] content) throws IOException {
    try (CacheWriter writer = driver.openForWrite(
        id, new ExpectedContent(OptionalLong.of(content.length), List.of())).orElseThrow()) {
      writer.write(ByteBuffer.wrap(content));
      writer.commit();
    }
  }

  private void readOnce(ImageId id) throws IOException {
    try (CacheReader reader = driver.openForRead(id).orElseThrow()) {
      assertThat(reader.channel().size()).isPositive();
    }
  }

  private static byte[] bytes(int size, int seed) {
    byte[] bytes = new byte[size];
    new Random(seed).nextBytes(bytes);
    return bytes;
  }

  private static String md5(byte[] content) {
    return HexFormat.of().formatHex(DigestAlgorithm.MD5.newMessageDigest().digest(content));
  }

  /** An index that counts {@link ImageIndex#get} and passes every call on. */
  private static final class CountingIndex extends ForwardingImageIndex {
    final AtomicInteger gets = new AtomicInteger();

    CountingIndex(ImageIndex delegate) {
      super(delegate);
    }

    @Override
    public Optional<CachedImage> get(ImageId id) throws IOException {
      gets.incrementAndGet();
      return delegate.get(id);
    }
  }
}
