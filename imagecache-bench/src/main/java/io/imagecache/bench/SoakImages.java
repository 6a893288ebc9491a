package io.imagecache.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The soak's origin images: {@value #COUNT} files of pseudo-random bytes from 64 KiB to 8 MiB (sizes spread
 * evenly on a log scale, odd sizes included), written to an origin directory and kept in memory with their
 * MD5 so that every body a client reads can be checked byte for byte. Immutable once made.
 */
final class SoakImages {
  static final int COUNT = 40;
  private static final long MIN = 64L << 10;
  private static final long MAX = 8L << 20;

  /** One image: its id, bytes and hex MD5. */
  record Image(String id, byte[] bytes, String md5Hex) {
    long size() {
      return bytes.length;
    }
  }

  private final List<Image> images;
  private final Map<String, Image> byId;

  private SoakImages(List<Image> images) {
    this.images = List.copyOf(images);
    this.byId = images.stream().collect(Collectors.toUnmodifiableMap(Image::id, Function.identity()));
  }

  /** Makes the images (seeded by {@code seed}) and writes them as files named by id into {@code dir}. */
  static SoakImages write(Path dir, long seed) throws IOException {
    Files.createDirectories(dir);
    SplittableRandom random = new SplittableRandom(seed);
    List<Image> images = new ArrayList<>();
    for (int i = 0; i < COUNT; i++) {
      double f = i / (double) (COUNT - 1);
      long size = Math.round(MIN * Math.pow(MAX / (double) MIN, f));
      if (i % 3 == 1) {
        size -= random.nextInt(4096) + 1; // not a multiple of any buffer size
      }
      byte[] bytes = new byte[(int) size];
      random.nextBytes(bytes);
      String id = String.format("soak-%02d", i);
      Files.write(dir.resolve(id), bytes);
      images.add(new Image(id, bytes, md5Hex(bytes, 0, bytes.length)));
    }
    return new SoakImages(images);
  }

  List<Image> all() {
    return images;
  }

  Image get(String id) {
    return byId.get(id);
  }

  /** Total bytes of all images. */
  long totalBytes() {
    return images.stream().mapToLong(Image::size).sum();
  }

  /** An image picked with a skew towards the small ids (a hot set), so that hits and misses mix. */
  Image pick(SplittableRandom random) {
    double r = random.nextDouble();
    return images.get((int) (r * r * images.size()));
  }

  static String md5Hex(byte[] bytes, int offset, int length) {
    try {
      MessageDigest md5 = MessageDigest.getInstance("MD5");
      md5.update(bytes, offset, length);
      return HexFormat.of().formatHex(md5.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK lacks MD5", e);
    }
  }
}
