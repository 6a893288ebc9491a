package io.imagecache.internal.store;

import io.imagecache.CachedImage;
import java.io.Closeable;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.util.Objects;

/**
 * An open committed image. The channel stays readable if the image is deleted or pruned meanwhile.
 * The channel may be shared with other readers (the driver holds recently read files open): read
 * it with positional reads only, and close the reader, never the channel.
 */
public final class CacheReader implements Closeable {
  private final CachedImage image;
  private final FileChannel channel;
  private final Closeable release;

  /** A reader that owns {@code channel}: closing the reader closes it. */
  public CacheReader(CachedImage image, FileChannel channel) {
    this(image, channel, channel);
  }

  /** A reader of {@code channel} that, when closed, closes {@code release} (its share of the file). */
  public CacheReader(CachedImage image, FileChannel channel, Closeable release) {
    this.image = Objects.requireNonNull(image, "image");
    this.channel = Objects.requireNonNull(channel, "channel");
    this.release = Objects.requireNonNull(release, "release");
  }

  /** The image's metadata at the time it was opened; its size is the opened file's size. */
  public CachedImage image() {
    return image;
  }

  /** The open file. Use positional reads; close the reader, not the channel. */
  public FileChannel channel() {
    return channel;
  }

  public long size() {
    return image.size();
  }

  @Override
  public void close() throws IOException {
    release.close();
  }
}
