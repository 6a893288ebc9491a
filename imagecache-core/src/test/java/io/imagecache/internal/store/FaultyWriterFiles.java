package io.imagecache.internal.store;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.Objects;

/**
 * The real file-system calls of a writer, except that the next call of a chosen kind fails with a
 * chosen exception, once (in the manner of OkHttp's {@code FaultyFileSystem}), or the next write
 * silently puts one wrong byte in the file.
 */
final class FaultyWriterFiles extends WriterFiles {
  /** The calls that can be made to fail. */
  enum Call { CREATE, WRITE, FORCE, MOVE, FORCE_DIRECTORY }

  /** The call to fail next, or null; set by the test thread, read by the writing one. */
  private volatile Call failing;
  private volatile IOException failure;
  /** Whether the next write flips a bit of its first byte; set by the test thread. */
  private volatile boolean corruptingNextWrite;

  /** Makes the next {@code call} throw {@code failure} (once); the calls after it are real. */
  void failNext(Call call, IOException failure) {
    this.failure = Objects.requireNonNull(failure, "failure");
    this.failing = Objects.requireNonNull(call, "call");
  }

  /** Makes the next write put its first byte in the file with one bit flipped, and succeed. */
  void corruptNextWrite() {
    corruptingNextWrite = true;
  }

  /** Whether the failure set by {@link #failNext} has been thrown. */
  boolean failed() {
    return failing == null;
  }

  @Override
  RandomAccessFile create(Path file) throws IOException {
    failIf(Call.CREATE);
    return super.create(file);
  }

  @Override
  void write(FileChannel channel, ByteBuffer src, long position) throws IOException {
    failIf(Call.WRITE);
    if (corruptingNextWrite && src.hasRemaining()) {
      corruptingNextWrite = false;
      ByteBuffer wrong = ByteBuffer.allocate(src.remaining()).put(src).flip();
      wrong.put(0, (byte) (wrong.get(0) ^ 1));
      super.write(channel, wrong, position);
      return;
    }
    super.write(channel, src, position);
  }

  @Override
  void force(FileChannel channel) throws IOException {
    failIf(Call.FORCE);
    super.force(channel);
  }

  @Override
  void move(Path source, Path target) throws IOException {
    failIf(Call.MOVE);
    super.move(source, target);
  }

  @Override
  void forceDirectory(Path directory) throws IOException {
    failIf(Call.FORCE_DIRECTORY);
    super.forceDirectory(directory);
  }

  private synchronized void failIf(Call call) throws IOException {
    if (failing == call) {
      failing = null;
      throw failure;
    }
  }
}
