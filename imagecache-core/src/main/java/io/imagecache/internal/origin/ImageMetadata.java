package io.imagecache.internal.origin;

import io.imagecache.ImageId;
import io.imagecache.internal.store.ExpectedContent;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * What an origin says about one image: its status ({@code active} for directory and HTTP origins,
 * Glance's image status otherwise) and the content a download must have (size and digests, when known).
 */
public record ImageMetadata(ImageId id, String status, ExpectedContent expected) {
  /** Glance's status of an image whose bytes may be downloaded. */
  public static final String ACTIVE = "active";

  public ImageMetadata {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(expected, "expected");
    if (status == null || status.isBlank()) {
      throw new IllegalArgumentException("image status is missing for image " + id);
    }
  }

  /** The image size in bytes, if the origin told it. */
  public OptionalLong size() {
    return expected.size();
  }

  /** True when the image may be downloaded (status {@code active}). */
  public boolean isActive() {
    return ACTIVE.equals(status);
  }
}
