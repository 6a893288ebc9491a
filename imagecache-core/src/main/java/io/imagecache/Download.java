package io.imagecache;

import io.imagecache.internal.fill.Fill;
import java.io.Closeable;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * How the cache answers one request for an image's bytes: from the committed file, from a fill
 * that is still writing it, or straight from the origin without caching. Whoever gets a
 * download closes it (or hands its channel to something that does).
 */
public sealed interface Download extends Closeable {

  /** Size and checksum, as far as they are known before the body. */
  ImageInfo info();

  /**
   * The image is committed: its whole file is open (possibly shared with other hits: read it with
   * positional reads and close the hit, not the channel). Counted as a hit.
   */
  record Hit(ImageInfo info, FileChannel channel, Closeable release) implements Download {
    public Hit {
      Objects.requireNonNull(info, "info");
      Objects.requireNonNull(channel, "channel");
      Objects.requireNonNull(release, "release");
    }

    /** The committed file's size. */
    public long size() {
      return info.size().orElseThrow();
    }

    /** Releases the file (the channel itself may stay open for other hits). */
    @Override
    public void close() throws IOException {
      release.close();
    }
  }

  /**
   * A fill is writing the image: {@link #channel()} reads the file as it grows. Bytes below
   * {@link #awaitBytes} are on disk; only {@link #verified()} says that the whole image matched
   * its size and digests, so a reader must not end its response cleanly before that.
   */
  final class Filling implements Download {
    private final ImageInfo info;
    private final FileChannel channel;
    private final Fill fill;
    private final boolean joined;

    public Filling(ImageInfo info, FileChannel channel, Fill fill, boolean joined) {
      this.info = Objects.requireNonNull(info, "info");
      this.channel = Objects.requireNonNull(channel, "channel");
      this.fill = Objects.requireNonNull(fill, "fill");
      this.joined = joined;
    }

    /** Whether this request joined a fill that was running already (else it started one). */
    public boolean joined() {
      return joined;
    }

    @Override
    public ImageInfo info() {
      return info;
    }

    /** A read channel on the growing file; it stays valid after the commit or a failure. */
    public FileChannel channel() {
      return channel;
    }

    /**
     * Completes with the bytes on disk once more than {@code position} are there, or with the
     * final size once the fill committed, or exceptionally when it failed. Dependent stages run on
     * the fill's thread: hop to your own before blocking or writing.
     */
    public CompletableFuture<Long> awaitBytes(long position) {
      return fill.awaitBytes(position);
    }

    /** Completes when the fill committed (size and digests verified); fails when it did not. */
    public CompletableFuture<Void> verified() {
      return fill.completion().thenApply(image -> null);
    }

    @Override
    public void close() throws IOException {
      channel.close();
    }
  }

  /**
   * The image is not cached (too large, or refused by the disk guard): its bytes come straight
   * from the origin. The body checks size and digests and fails instead of ending cleanly when
   * they do not match, holding back its last bytes until it knows.
   */
  record PassThrough(ImageInfo info, ReadableByteChannel body) implements Download {
    public PassThrough {
      Objects.requireNonNull(info, "info");
      Objects.requireNonNull(body, "body");
    }

    @Override
    public void close() throws IOException {
      body.close();
    }
  }
}
