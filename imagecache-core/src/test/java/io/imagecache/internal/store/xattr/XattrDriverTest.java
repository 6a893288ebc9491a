package io.imagecache.internal.store.xattr;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.imagecache.CachedImage;
import io.imagecache.internal.store.BadDriverConfigurationException;
import io.imagecache.internal.store.CacheDriver;
import io.imagecache.internal.store.CacheDriverContractTest;
import io.imagecache.internal.store.FileCacheDriver;
import io.imagecache.internal.store.LruEntry;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The driver contract over {@link XattrIndex}, plus what only extended attributes can get wrong. */
class XattrDriverTest extends CacheDriverContractTest {

  @Override
  protected CacheDriver newDriver(Path dir) {
    return new FileCacheDriver(dir, new XattrIndex(dir), clock, true);
  }

  @Override
  protected boolean storesMetadataApartFromFiles() {
    return false;
  }

  @Test
  void metadata_isOneAttributeOfFewerThan512Bytes() throws IOException {
    byte[] content = bytes(1000, 1);
    cache(id("1"), content);
    for (int i = 0; i < 12; i++) {
      read(id("1"));
    }
    driver.flushAccesses();

    UserDefinedFileAttributeView view = attributes(cacheDir.resolve("1"));

    assertThat(view.list()).containsExactly("imagecache");
    assertThat(view.size("imagecache")).isLessThan(512);
    assertThat(attribute(view, "imagecache"))
        .startsWith("v1 hits=12 ")
        .endsWith(" md5=" + md5(content));
  }

  @Test
  void configure_leavesNoProbeFileBehind() {
    assertThat(cacheDir.resolve(XattrSupportProbe.PROBE_FILE)).doesNotExist();
  }

  @Test
  void glanceUserHits_countWhenOurAttributeIsAbsent() throws Exception {
    Path glanceFile = Files.write(cacheDir.resolve("5a5b2f5c-1d2e-4f00-9a6b-0c1d2e3f4a5b"), bytes(64, 7));
    setAttribute(glanceFile, "hits", "7");
    Instant mtime = Instant.parse("2025-12-24T18:00:00Z");
    Files.setLastModifiedTime(glanceFile, FileTime.from(mtime));

    CacheDriver restarted = startAnotherDriver();
    restarted.reconcile();

    CachedImage adopted = restarted.cachedImage(id(glanceFile.getFileName().toString())).orElseThrow();
    assertThat(adopted.hits()).isEqualTo(7);
    assertThat(adopted.lastModified()).isEqualTo(mtime);
    assertThat(adopted.lastAccessed()).isEqualTo(mtime);
    assertThat(adopted.size()).isEqualTo(64);
  }

  @Test
  void glanceUserHits_areCarriedOnByTheNextHit() throws IOException {
    Path glanceFile = Files.write(cacheDir.resolve("glance-image"), bytes(64, 7));
    setAttribute(glanceFile, "hits", "41");
    Instant readAt = clock.advance(Duration.ofMinutes(3));

    read(id("glance-image"));
    driver.flushAccesses();

    CachedImage image = driver.cachedImage(id("glance-image")).orElseThrow();
    assertThat(image.hits()).isEqualTo(42);
    assertThat(image.lastAccessed()).isEqualTo(readAt);
    assertThat(attribute(attributes(glanceFile), "imagecache")).startsWith("v1 hits=42 ");
  }

  @Test
  void leastRecentlyAccessed_followsOurAttributeNotTheFileTimes() throws Exception {
    cache(id("a"), bytes(100, 1));
    cache(id("b"), bytes(200, 2));
    clock.advance(Duration.ofSeconds(10));
    read(id("a"));
    clock.advance(Duration.ofSeconds(10));
    read(id("b"));
    driver.flushAccesses();
    // As on a noatime mount, or after a backup tool touched the files: the file times say the
    // opposite of what was read last.
    setFileTimes(cacheDir.resolve("a"), Instant.parse("2030-01-01T00:00:00Z"));
    setFileTimes(cacheDir.resolve("b"), Instant.parse("2001-01-01T00:00:00Z"));

    reopen();

    assertThat(driver.leastRecentlyAccessed()).contains(new LruEntry(id("a"), 100));
    assertThat(driver.cachedImage(id("a")).orElseThrow().lastAccessed())
        .isEqualTo(START.plusSeconds(10));
    assertThat(driver.cachedImage(id("b")).orElseThrow().lastAccessed())
        .isEqualTo(START.plusSeconds(20));
    assertThat(driver.cachedImages()).extracting(CachedImage::hits).containsExactly(1L, 1L);
  }

  @Test
  void damagedAttribute_countsLikeAFileWithoutOne() throws IOException {
    cache(id("1"), bytes(10, 1));
    Path file = cacheDir.resolve("1");
    setAttribute(file, "imagecache", "v1 hits=oops");
    Instant mtime = Instant.parse("2026-02-01T00:00:00Z");
    Files.setLastModifiedTime(file, FileTime.from(mtime));

    CachedImage image = driver.cachedImage(id("1")).orElseThrow();

    assertThat(image.hits()).isZero();
    assertThat(image.lastAccessed()).isEqualTo(mtime);
    assertThat(image.checksum()).isEmpty();
  }

  @Test
  void open_whereNoProbeFileCanBeWritten_failsNamingTheDirectory() {
    Path missing = tempDir.resolve("no-such-directory");

    assertThatThrownBy(() -> new XattrIndex(missing).open())
        .isInstanceOf(BadDriverConfigurationException.class)
        .hasMessageContaining(missing.toString());
  }

  @Test
  void unsupportedFileSystem_messageNamesUserXattrAndTheDirectory() {
    Path dir = Path.of("/mnt/nfs/image-cache");

    String message = XattrSupportProbe.unsupportedMessage(dir);

    assertThat(message).contains("user_xattr").contains("/mnt/nfs/image-cache");
  }

  @Test
  void unsupportedFileSystem_isRecognisedFromTheJdkReason() {
    assertThat(XattrSupportProbe.isNotSupported(
        new FileSystemException("/x/checkme", null,
            "Error writing extended attribute 'imagecache': Operation not supported")))
        .isTrue();
    assertThat(XattrSupportProbe.isNotSupported(
        new FileSystemException("/x/checkme", null, "No space left on device")))
        .isFalse();
  }

  private static UserDefinedFileAttributeView attributes(Path file) {
    return Files.getFileAttributeView(file, UserDefinedFileAttributeView.class);
  }

  private static String attribute(UserDefinedFileAttributeView view, String name) throws IOException {
    ByteBuffer value = ByteBuffer.allocate(view.size(name));
    view.read(name, value);
    return new String(value.array(), 0, value.position(), StandardCharsets.US_ASCII);
  }

  private static void setAttribute(Path file, String name, String value) throws IOException {
    attributes(file).write(name, ByteBuffer.wrap(value.getBytes(StandardCharsets.US_ASCII)));
  }

  private static void setFileTimes(Path file, Instant time) throws IOException {
    Files.getFileAttributeView(file, BasicFileAttributeView.class)
        .setTimes(FileTime.from(time), FileTime.from(time), null);
  }
}
