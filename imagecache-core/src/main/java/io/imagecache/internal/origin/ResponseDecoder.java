package io.imagecache.internal.origin;

import io.imagecache.internal.Throwables;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponseDecoder;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.nio.channels.SocketChannel;

/**
 * Netty's {@link HttpResponseDecoder} run in an {@link EmbeddedChannel} on the caller's thread, fed
 * with the bytes the caller reads from the origin's socket: it parses the response head and takes
 * the chunked framing off a body. One thread at a time; its buffers come from a heap pool, so that
 * many fills at once do not press on the direct-memory limit the launcher sets.
 */
final class ResponseDecoder {
  /** The longest status line, and the longest header block, accepted (the JDK client's default). */
  static final int MAX_HEAD = 384 << 10;
  /** How much one read from the socket takes at most. */
  private static final int READ_SIZE = 64 << 10;
  /** Heap buffers for the socket's bytes and the decoder's cumulation, shared by every decoder. */
  private static final ByteBufAllocator HEAP = new PooledByteBufAllocator(false);

  private final EmbeddedChannel channel;
  /** A buffer read into but not fed yet (the socket held nothing), or null. */
  private ByteBuf spare;
  /** Bytes read from the socket so far. */
  private long bytesRead;

  ResponseDecoder() {
    channel = new EmbeddedChannel(new HttpResponseDecoder(new HttpDecoderConfig()
        .setMaxInitialLineLength(MAX_HEAD)
        .setMaxHeaderSize(MAX_HEAD)
        .setMaxChunkSize(READ_SIZE)));
    channel.config().setAllocator(HEAP);
  }

  /**
   * Reads what {@code socket} (non-blocking) holds and feeds it to the decoder: how many bytes,
   * 0 when it held nothing, -1 at the connection's end.
   */
  int readFrom(SocketChannel socket) throws IOException {
    ByteBuf bytes = spare != null ? spare : HEAP.heapBuffer(READ_SIZE, READ_SIZE);
    spare = null;
    int read;
    try {
      read = bytes.writeBytes(socket, bytes.writableBytes());
    } catch (IOException | RuntimeException e) {
      bytes.release();
      throw e;
    }
    if (read <= 0) {
      spare = bytes;
      return read;
    }
    bytesRead += read;
    channel.writeInbound(bytes);
    return read;
  }

  /** Bytes read from the socket so far: 0 while the origin sent nothing. */
  long bytesRead() {
    return bytesRead;
  }

  /** The next decoded head or content, owned by the caller (release it); null until more is fed. */
  HttpObject next() {
    return channel.readInbound();
  }

  /** Releases the decoder's buffers and whatever it decoded that was not taken; idempotent. */
  void close() {
    if (spare != null) {
      spare.release();
      spare = null;
    }
    channel.finishAndReleaseAll();
  }

  /** The failure of {@code object} when the decoder could not decode it, in our words. */
  static IOException failure(HttpObject object, String what) {
    Throwable cause = object.decoderResult().cause();
    ReferenceCountUtil.release(object);
    if (cause instanceof TooLongHttpHeaderException || cause instanceof TooLongHttpLineException) {
      return new IOException("response head longer than " + MAX_HEAD + " bytes", cause);
    }
    return new IOException("invalid " + what + ": " + Throwables.describe(cause), cause);
  }
}
