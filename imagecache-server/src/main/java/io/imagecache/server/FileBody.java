package io.imagecache.server;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.ssl.SslHandler;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;

/**
 * The message that sends part of a file: a zero-copy {@link SharedFileRegion} on a plain
 * connection, a {@link SharedChunkedFile} on a TLS connection, whose bytes must pass the encryption.
 */
final class FileBody {
  private static final Closeable NOTHING = () -> {};

  private FileBody() {}

  /** {@code count} bytes of {@code file} from {@code position}; sent or dropped, closes {@code release}. */
  static Object of(ChannelHandlerContext ctx, FileChannel file, long position, long count,
      Closeable release) {
    if (ctx.pipeline().get(SslHandler.class) == null) {
      return new SharedFileRegion(file, position, count, release);
    }
    try {
      return new SharedChunkedFile(file, position, count, release);
    } catch (IOException e) {
      ImageFileExchange.closeQuietly(release);
      throw new UncheckedIOException(e);
    }
  }

  /** As {@link #of(ChannelHandlerContext, FileChannel, long, long, Closeable)}, releasing nothing. */
  static Object of(ChannelHandlerContext ctx, FileChannel file, long position, long count) {
    return of(ctx, file, position, count, NOTHING);
  }
}
