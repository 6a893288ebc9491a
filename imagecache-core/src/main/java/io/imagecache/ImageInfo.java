package io.imagecache;

import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * What a download says about its image before the body: the size when known and the hex MD5
 * (Glance's {@code checksum}, sent as {@code Content-MD5} and {@code ETag}) when known.
 */
public record ImageInfo(ImageId imageId, OptionalLong size, Optional<String> md5) {
  public ImageInfo {
    Objects.requireNonNull(imageId, "imageId");
    Objects.requireNonNull(size, "size");
    Objects.requireNonNull(md5, "md5");
  }
}
