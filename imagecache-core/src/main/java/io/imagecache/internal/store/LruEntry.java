package io.imagecache.internal.store;

import io.imagecache.ImageId;

/** The least recently accessed image and its current file size (0 when it cannot be stat-ed). */
public record LruEntry(ImageId imageId, long size) {}
