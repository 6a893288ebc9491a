package io.imagecache.server;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;

/**
 * The buffers of TLS connections: pooled direct memory in 1 MiB chunks, shared by every TLS
 * listener of the process. A TLS hit reads {@value SharedChunkedFile#CHUNK_SIZE}-byte file chunks
 * and writes 64 KiB encrypted ones; with the launcher's 64 MiB heap Netty's default (adaptive)
 * allocator pools nothing that large and allocates and frees each one (a TLS hit took 0.49 CPU
 * s/GiB so, 0.42 with this pool). Direct, so OpenSSL reads and writes them without a copy; no
 * per-thread caches, so what is held is what open connections have in flight (about 0.5 MiB per
 * download: a file chunk and its encrypted copy), returned as chunks empty.
 */
final class TlsBuffers {
  /** 8 KiB pages, 2^7 per chunk: 1 MiB chunks, four file chunks each. */
  private static final int PAGE_SIZE = 8 * 1024;
  private static final int MAX_ORDER = 7;
  /**
   * One arena per event loop thread (the server has one per core), so that they seldom share a
   * lock; at most 8, since an arena in use keeps a chunk even when idle.
   */
  private static final int ARENAS = Math.min(8, Runtime.getRuntime().availableProcessors());

  private static final ByteBufAllocator ALLOCATOR = new PooledByteBufAllocator(
      true, 0, ARENAS, PAGE_SIZE, MAX_ORDER, 0, 0, false);

  private TlsBuffers() {}

  /** The allocator of every TLS connection's channel. */
  static ByteBufAllocator allocator() {
    return ALLOCATOR;
  }
}
