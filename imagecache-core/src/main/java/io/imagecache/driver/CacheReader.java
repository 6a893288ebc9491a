package io.imagecache.driver;

import io.imagecache.CachedImage;
import java.io.Closeable;
import java.io.IOException;
import java.nio.channels.FileChannel;

/**
 * An open committed image. The channel stays readable if the image is deleted or pruned meanwhile.
 * Closing the reader closes the channel.
 */
public final class CacheReader implements Closeable {
  private final CachedImage image;
  private final FileChannel channel;

  public CacheReader(CachedImage image, FileChannel channel) {
    this.image = image;
    this.channel = channel;
  }

  /** The image's metadata at the time it was opened; its size is the opened file's size. */
  public CachedImage image() {
    return image;
  }

  /** The open file, positioned at 0. Whoever takes the channel may close it instead of the reader. */
  public FileChannel channel() {
    return channel;
  }

  public long size() {
    return image.size();
  }

  @Override
  public void close() throws IOException {
    channel.close();
  }
}
