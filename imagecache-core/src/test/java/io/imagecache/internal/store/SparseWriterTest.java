package io.imagecache.internal.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.imagecache.CachedImage;
import io.imagecache.ImageId;
import io.imagecache.internal.store.sqlite.SqliteIndex;
import io.imagecache.testing.AllocatedBytes;
import io.imagecache.testing.MutableClock;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.OptionalLong;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A writer leaves the 4 KiB blocks that are all zeros as holes: the committed file has every byte
 * of the image and its full length (a zero end included), with and without fsync, whatever the
 * sizes and alignment of the writes, and takes on disk only its blocks with data; a reader of the
 * growing file reads the holes as zeros; the digests cover every byte.
 */
class SparseWriterTest {
  private static final ImageId ID = ImageId.of("sparse-1");
  private static final int BLOCK = 4096;
  /** What a file system may allocate beyond the data blocks (metadata, speculative blocks). */
  private static final long SLACK = 64 * 1024;

  @TempDir Path dir;

  private final MutableClock clock = new MutableClock(Instant.parse("2026-03-01T12:00:00Z"));
  private FileCacheDriver driver;

  @AfterEach
  void closeDriver() throws IOException {
    if (driver != null) {
      driver.close();
    }
  }

  @ParameterizedTest(name = "durable={0}")
  @ValueSource(booleans = {true, false})
  void zeroBlocksAreHoles_andTheFileIsTheImage(boolean durable) throws Exception {
    byte[] image = withHoles(7, 6 * 1024 * 1024 + 1234);
    openDriver(durable);
    CacheWriter writer = driver.openForWrite(ID, expecting(image)).orElseThrow();

    // Writes of 10 000 bytes are never block-aligned: the zero blocks that two writes share
    // must be holes too.
    writeInPieces(writer, image, 10_000, true);
    CachedImage committed = writer.commit();

    Path file = dir.resolve(ID.value());
    assertThat(committed.size()).isEqualTo(image.length);
    assertThat(committed.checksum()).contains(md5Hex(image));
    assertThat(Files.size(file)).isEqualTo(image.length);
    assertThat(Files.readAllBytes(file)).isEqualTo(image);
    long allocated = AllocatedBytes.of(file);
    assertThat(allocated).isLessThanOrEqualTo(dataBlocks(image) * BLOCK + SLACK);
    assertThat(allocated).isLessThan(image.length / 2);
  }

  @Test
  void anImageOfZerosTakesNoDataBlocks_andKeepsItsLength() throws Exception {
    byte[] image = new byte[8 * 1024 * 1024 + 100];
    openDriver(true);
    CacheWriter writer = driver.openForWrite(ID, expecting(image)).orElseThrow();

    writeInPieces(writer, image, 1 << 20, false);
    CachedImage committed = writer.commit();

    Path file = dir.resolve(ID.value());
    assertThat(committed.checksum()).contains(md5Hex(image));
    assertThat(Files.size(file)).isEqualTo(image.length);
    assertThat(Files.readAllBytes(file)).isEqualTo(image);
    assertThat(AllocatedBytes.of(file)).isLessThanOrEqualTo(SLACK);
  }

  @Test
  void anImageWithoutZerosIsWrittenWhole() throws Exception {
    byte[] image = new byte[4 * 1024 * 1024];
    new Random(3).nextBytes(image);
    // No block of random bytes is all zeros; not one zero byte makes that certain.
    for (int i = 0; i < image.length; i++) {
      image[i] |= 1;
    }
    openDriver(true);
    CacheWriter writer = driver.openForWrite(ID, expecting(image)).orElseThrow();

    writeInPieces(writer, image, 65_536, true);
    writer.commit();

    Path file = dir.resolve(ID.value());
    assertThat(Files.readAllBytes(file)).isEqualTo(image);
    assertThat(AllocatedBytes.of(file)).isGreaterThanOrEqualTo(image.length);
  }

  @Test
  void aReaderOfTheGrowingFileReadsTheHolesAsZeros() throws Exception {
    byte[] image = new byte[3 * 1024 * 1024];
    new Random(5).nextBytes(image);
    // The second MiB is zeros, and so is the third after its first 5000 bytes.
    Arrays.fill(image, 1 << 20, 2 << 20, (byte) 0);
    Arrays.fill(image, (2 << 20) + 5000, image.length, (byte) 0);
    openDriver(true);
    CacheWriter writer = driver.openForWrite(ID, expecting(image)).orElseThrow();

    try (FileChannel reader = FileChannel.open(writer.file(), StandardOpenOption.READ)) {
      for (int mib = 0; mib < 3; mib++) {
        writer.write(ByteBuffer.wrap(image, mib << 20, 1 << 20));

        // Every byte below bytesWritten is readable, the skipped end too.
        assertThat(writer.bytesWritten()).isEqualTo((mib + 1L) << 20);
        assertThat(reader.size()).isEqualTo(writer.bytesWritten());
        assertThat(readAll(reader, (int) writer.bytesWritten()))
            .isEqualTo(Arrays.copyOf(image, (int) writer.bytesWritten()));
      }
      assertThat(AllocatedBytes.of(writer.file())).isLessThan(2L << 20);
    }
    writer.commit();
    assertThat(Files.readAllBytes(dir.resolve(ID.value()))).isEqualTo(image);
  }

  @Test
  void segmentsWrittenAtTheirOffsetsOutOfOrder_areTheSparseImage_andPublishingAZeroPrefixCutsNothing()
      throws Exception {
    int mib = 1 << 20;
    byte[] image = withHoles(9, 4 * mib + 1234);
    // Segment 1 is all zeros: publishing up to its end extends the file over it, and must not cut
    // what segments 2 and 3 already put beyond.
    Arrays.fill(image, mib, 2 * mib, (byte) 0);
    openDriver(true);
    CacheWriter writer = driver.openForWrite(ID, expecting(image)).orElseThrow();

    Thread later = new Thread(() -> {
      try {
        writer.writeAt(3L * mib, ByteBuffer.wrap(image, 3 * mib, image.length - 3 * mib));
        writer.writeAt(2L * mib, ByteBuffer.wrap(image, 2 * mib, mib));
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    });
    later.start();
    later.join();
    writer.writeAt(mib, ByteBuffer.wrap(image, mib, mib));
    writer.writeAt(0, ByteBuffer.wrap(image, 0, mib));
    assertThat(writer.bytesWritten()).as("nothing published by writes at offsets").isZero();

    try (FileChannel reader = FileChannel.open(writer.file(), StandardOpenOption.READ)) {
      for (long end : new long[] {mib, 2L * mib, 3L * mib, image.length}) {
        writer.advance(end);
        assertThat(writer.bytesWritten()).isEqualTo(end);
        assertThat(readAll(reader, (int) end)).isEqualTo(Arrays.copyOf(image, (int) end));
      }
    }
    writer.commit();

    Path file = dir.resolve(ID.value());
    assertThat(Files.size(file)).isEqualTo(image.length);
    assertThat(Files.readAllBytes(file)).isEqualTo(image);
    assertThat(AllocatedBytes.of(file)).isLessThanOrEqualTo(dataBlocks(image) * BLOCK + SLACK);
  }

  private void openDriver(boolean durable) throws Exception {
    driver = new FileCacheDriver(dir, new SqliteIndex(dir), clock, durable);
    driver.configure();
  }

  /**
   * Random bytes with zero runs of random lengths at random (unaligned) places, about two thirds
   * of the image, and a zero run at its end.
   */
  private static byte[] withHoles(long seed, int size) {
    byte[] image = new byte[size];
    Random random = new Random(seed);
    random.nextBytes(image);
    int position = 0;
    while (position < size) {
      position += 1 + random.nextInt(100_000);
      int zeros = 1 + random.nextInt(200_000);
      Arrays.fill(image, Math.min(position, size), Math.min(position + zeros, size), (byte) 0);
      position += zeros;
    }
    Arrays.fill(image, size - 300_000, size, (byte) 0);
    return image;
  }

  /** The 4 KiB blocks of the image that hold a byte other than zero. */
  private static long dataBlocks(byte[] image) {
    long blocks = 0;
    for (int start = 0; start < image.length; start += BLOCK) {
      int end = Math.min(image.length, start + BLOCK);
      for (int i = start; i < end; i++) {
        if (image[i] != 0) {
          blocks++;
          break;
        }
      }
    }
    return blocks;
  }

  /** Writes the image in pieces of {@code size} bytes, from heap or direct buffers. */
  private static void writeInPieces(CacheWriter writer, byte[] image, int size, boolean direct)
      throws IOException {
    for (int start = 0; start < image.length; start += size) {
      int length = Math.min(size, image.length - start);
      ByteBuffer piece = direct ? ByteBuffer.allocateDirect(length) : ByteBuffer.allocate(length);
      piece.put(image, start, length).flip();
      writer.write(piece);
      assertThat(piece.hasRemaining()).isFalse();
    }
  }

  private static ExpectedContent expecting(byte[] image) throws Exception {
    return new ExpectedContent(OptionalLong.of(image.length), List.of(ContentDigest.of(
        DigestAlgorithm.SHA_512, MessageDigest.getInstance("SHA-512").digest(image))));
  }

  private static String md5Hex(byte[] image) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(image));
  }

  private static byte[] readAll(FileChannel channel, int length) throws IOException {
    ByteBuffer buffer = ByteBuffer.allocate(length);
    while (buffer.hasRemaining()) {
      if (channel.read(buffer, buffer.position()) < 0) {
        break;
      }
    }
    return Arrays.copyOf(buffer.array(), buffer.position());
  }
}
