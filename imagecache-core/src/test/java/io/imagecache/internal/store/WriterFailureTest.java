package io.imagecache.internal.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.imagecache.CachedImage;
import io.imagecache.ImageId;
import io.imagecache.internal.store.FaultyWriterFiles.Call;
import io.imagecache.internal.store.sqlite.SqliteIndex;
import io.imagecache.testing.MutableClock;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every way a writer's file-system calls or its commit can fail, on a durable driver: the failure
 * reaches the caller as it was thrown, nothing is committed, nothing stays in {@code incomplete/},
 * the index matches the disk, the id is free for the next writer, and the bytes are in
 * {@code invalid/} (or deleted, when the failure is a lack of space).
 */
class WriterFailureTest {
  private static final ImageId ID = ImageId.of("img-1");
  private static final IOException IO_ERROR = new IOException("Input/output error");
  private static final IOException NO_SPACE = new IOException("No space left on device");

  @TempDir Path dir;

  private final MutableClock clock = new MutableClock(Instant.parse("2026-03-01T12:00:00Z"));
  private final FaultyWriterFiles files = new FaultyWriterFiles();
  /** The next index write fails with this, once; null for none. */
  private volatile IOException failingPut;
  private SqliteIndex index;
  private FileCacheDriver driver;
  private final byte[] content = new byte[20_000];

  @BeforeEach
  void openDriver() throws Exception {
    new Random(7).nextBytes(content);
    index = new SqliteIndex(dir);
    ImageIndex failingIndex = new ForwardingImageIndex(index) {
      @Override
      public void put(ImageId id, Path file, long size, Instant now, Optional<String> checksum)
          throws IOException {
        IOException failure = failingPut;
        if (failure != null) {
          failingPut = null;
          throw failure;
        }
        super.put(id, file, size, now, checksum);
      }
    };
    driver = new FileCacheDriver(dir, failingIndex, clock, true, files);
    driver.configure();
  }

  @AfterEach
  void closeDriver() throws IOException {
    driver.close();
  }

  @Test
  void aFailingCreate_leavesTheIdFree() throws Exception {
    files.failNext(Call.CREATE, IO_ERROR);

    assertThatThrownBy(() -> driver.openForWrite(ID, ExpectedContent.unknown()))
        .isSameAs(IO_ERROR);

    assertFailedCleanly();
    assertThat(dir.resolve("invalid/" + ID.value())).doesNotExist();
  }

  @Test
  void aFailingWrite_abortsTheWriterAndKeepsTheBytesWrittenInInvalid() throws Exception {
    CacheWriter writer = openWriter();
    writer.write(ByteBuffer.wrap(content, 0, 5000));
    files.failNext(Call.WRITE, IO_ERROR);

    assertThatThrownBy(() -> writer.write(ByteBuffer.wrap(content, 5000, 5000)))
        .isSameAs(IO_ERROR);

    assertThatThrownBy(writer::commit).isInstanceOf(IllegalStateException.class);
    assertFailedCleanly();
    assertThat(dir.resolve("invalid/" + ID.value())).hasBinaryContent(head(5000));
  }

  @Test
  void aWriteThatPutWrongBytesInTheFile_failsTheCommit_thoughTheBytesGivenWereRight()
      throws Exception {
    ExpectedContent expected = new ExpectedContent(OptionalLong.of(content.length), List.of(
        ContentDigest.of(DigestAlgorithm.SHA_512,
            DigestAlgorithm.SHA_512.newMessageDigest().digest(content))));
    CacheWriter writer = driver.openForWrite(ID, expected).orElseThrow();
    writer.write(ByteBuffer.wrap(content, 0, 5000));
    files.corruptNextWrite();
    writer.write(ByteBuffer.wrap(content, 5000, content.length - 5000));

    assertThatThrownBy(writer::commit).isInstanceOf(ContentMismatchException.class);

    assertFailedCleanly();
    byte[] wrong = content.clone();
    wrong[5000] ^= 1;
    assertThat(dir.resolve("invalid/" + ID.value())).hasBinaryContent(wrong);
  }

  @Test
  void aWriteOutOfSpace_deletesTheBytesWritten() throws Exception {
    CacheWriter writer = openWriter();
    writer.write(ByteBuffer.wrap(content, 0, 5000));
    files.failNext(Call.WRITE, NO_SPACE);

    assertThatThrownBy(() -> writer.write(ByteBuffer.wrap(content, 5000, 5000)))
        .isSameAs(NO_SPACE);

    assertFailedCleanly();
    assertThat(dir.resolve("invalid/" + ID.value())).doesNotExist();
  }

  @Test
  void aFailingForce_failsTheCommitAndKeepsTheBytesInInvalid() throws Exception {
    assertCommitFails(Call.FORCE, IO_ERROR);

    assertFailedCleanly();
    assertThat(dir.resolve("invalid/" + ID.value())).hasBinaryContent(content);
  }

  @Test
  void aForceOutOfSpace_failsTheCommitAndDeletesTheBytes() throws Exception {
    assertCommitFails(Call.FORCE, NO_SPACE);

    assertFailedCleanly();
    assertThat(dir.resolve("invalid/" + ID.value())).doesNotExist();
  }

  @Test
  void aFailingEarlyFlush_failsTheCommit_thoughTheForceAtTheCommitSucceeds() throws Exception {
    CacheWriter writer = openWriter();
    files.failNext(Call.FORCE, IO_ERROR);
    byte[] block = new byte[1 << 20];
    new Random(3).nextBytes(block);
    long total = EarlyWriteback.STEP + block.length;
    for (long written = 0; written < total; written += block.length) {
      writer.write(ByteBuffer.wrap(block));
    }
    // The early flush, on the writer's background executor, met the failure while the writer was open.
    await().atMost(Duration.ofSeconds(30)).until(files::failed);

    assertThatThrownBy(writer::commit).isInstanceOf(IOException.class).hasCause(IO_ERROR);

    assertThat(dir.resolve("invalid/" + ID.value())).hasSize(total);
    assertFailedCleanly();
  }

  @Test
  void aFailingRename_failsTheCommitAndKeepsTheBytesInInvalid() throws Exception {
    assertCommitFails(Call.MOVE, IO_ERROR);

    assertFailedCleanly();
    assertThat(dir.resolve("invalid/" + ID.value())).hasBinaryContent(content);
  }

  @Test
  void aFailingRename_overACachedImage_keepsThePreviousImageCached() throws Exception {
    byte[] previous = head(300);
    commit(previous);

    assertCommitFails(Call.MOVE, IO_ERROR);

    assertThat(dir.resolve("incomplete")).isEmptyDirectory();
    assertThat(dir.resolve(ID.value())).hasBinaryContent(previous);
    assertThat(driver.cachedImage(ID)).map(CachedImage::size).contains(300L);
    assertThat(index.get(ID)).map(CachedImage::size).contains(300L);
    assertThat(dir.resolve("invalid/" + ID.value())).hasBinaryContent(content);
    assertThat(driver.isBeingCached(ID)).isFalse();
  }

  @Test
  void aFailingDirectoryForce_afterTheRename_takesTheFileOutAgainIntoInvalid() throws Exception {
    assertCommitFails(Call.FORCE_DIRECTORY, IO_ERROR);

    assertFailedCleanly();
    assertThat(dir.resolve("invalid/" + ID.value())).hasBinaryContent(content);
  }

  @Test
  void aFailingIndexWrite_afterTheRename_takesTheFileOutAgainIntoInvalid() throws Exception {
    failingPut = IO_ERROR;

    assertThatThrownBy(() -> writeAndCommit(content)).isSameAs(IO_ERROR);

    assertThat(failingPut).as("the index write was tried").isNull();
    assertFailedCleanly();
    assertThat(dir.resolve("invalid/" + ID.value())).hasBinaryContent(content);
  }

  @Test
  void anIndexWriteOutOfSpace_afterTheRename_deletesTheFile() throws Exception {
    IOException full = new IOException("[SQLITE_FULL] database or disk is full");
    failingPut = full;

    assertThatThrownBy(() -> writeAndCommit(content)).isSameAs(full);

    assertThat(failingPut).as("the index write was tried").isNull();
    assertFailedCleanly();
    assertThat(dir.resolve("invalid/" + ID.value())).doesNotExist();
  }

  // ---------------------------------------------------------------- helpers

  private CacheWriter openWriter() throws IOException {
    return driver.openForWrite(ID, ExpectedContent.unknown()).orElseThrow();
  }

  /** Writes {@code bytes} to a writer of {@link #ID} and commits it. */
  private CachedImage writeAndCommit(byte[] bytes) throws IOException {
    CacheWriter writer = openWriter();
    writer.write(ByteBuffer.wrap(bytes));
    return writer.commit();
  }

  private void commit(byte[] bytes) throws IOException {
    assertThat(writeAndCommit(bytes).size()).isEqualTo(bytes.length);
  }

  /** Writes {@link #content}, makes {@code call} fail with {@code failure}, and commits. */
  private void assertCommitFails(Call call, IOException failure) throws IOException {
    CacheWriter writer = openWriter();
    writer.write(ByteBuffer.wrap(content));
    files.failNext(call, failure);

    assertThatThrownBy(writer::commit).isSameAs(failure);

    assertThat(files.failed()).as("the failing call was made").isTrue();
    assertThatThrownBy(writer::commit).isInstanceOf(IllegalStateException.class);
  }

  /**
   * Asserts what holds after any failure of a writer of {@link #ID}: not cached, in the index nor
   * on disk; nothing in {@code incomplete/}; the id free, so that a new writer caches it.
   */
  private void assertFailedCleanly() throws IOException {
    assertThat(driver.isCached(ID)).isFalse();
    assertThat(dir.resolve(ID.value())).doesNotExist();
    assertThat(driver.cachedImage(ID)).isEmpty();
    assertThat(index.get(ID)).isEmpty();
    assertThat(dir.resolve("incomplete")).isEmptyDirectory();
    assertIndexMatchesDisk();
    assertThat(driver.isBeingCached(ID)).isFalse();

    byte[] next = head(1000);
    commit(next);
    assertThat(dir.resolve(ID.value())).hasBinaryContent(next);
    assertThat(index.get(ID)).map(CachedImage::size).contains(1000L);
  }

  /** The index lists exactly the committed files. */
  private void assertIndexMatchesDisk() throws IOException {
    List<ImageId> onDisk = new ArrayList<>();
    for (CacheFile file : new CacheLayout(dir).cacheFiles()) {
      onDisk.add(file.id());
    }
    assertThat(index.list()).extracting(CachedImage::imageId)
        .containsExactlyInAnyOrderElementsOf(onDisk);
  }

  private byte[] head(int length) {
    byte[] bytes = new byte[length];
    System.arraycopy(content, 0, bytes, 0, length);
    return bytes;
  }
}
