package io.imagecache.internal.origin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ReadableByteChannel;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * A resumed body is the origin's bytes exactly, also when the read that broke had already put
 * bytes into the reader's buffer (a socket read that got some bytes and then the reset).
 */
class ResumingBodyTest {
  private static final byte[] IMAGE = new byte[100_000];

  static {
    new Random(7).nextBytes(IMAGE);
  }

  private final List<Long> resumedAt = new CopyOnWriteArrayList<>();

  @Test
  void bytesAReadLeftBehindWhenItBrokeAreNotDelivered_theRestStartsAtTheLastCountedByte()
      throws IOException {
    ReadableByteChannel first = new BreaksMidRead(40_000, 1_500);

    byte[] read = ResponseBodies.readAll(new ResumingBody("image", first, 3, this::rest));

    assertThat(read).isEqualTo(IMAGE);
    assertThat(resumedAt).containsExactly(40_000L);
  }

  @Test
  void aBreakThatIsNotResumedLeavesTheBufferAsItWas() {
    ResumingBody body = new ResumingBody("image", new BreaksMidRead(0, 700), 0, this::rest);
    ByteBuffer dst = ByteBuffer.allocate(4096);

    assertThatThrownBy(() -> body.read(dst)).isInstanceOf(SocketException.class);

    assertThat(dst.position()).isZero();
    assertThat(resumedAt).isEmpty();
  }

  private ReadableByteChannel rest(long offset) {
    resumedAt.add(offset);
    return Channels.newChannel(
        new ByteArrayInputStream(IMAGE, (int) offset, IMAGE.length - (int) offset));
  }

  /**
   * The image's first {@code breakAt} bytes; then a read that puts {@code lost} more bytes into
   * the buffer and fails as a reset connection does.
   */
  private static final class BreaksMidRead implements ReadableByteChannel {
    private final int breakAt;
    private final int lost;
    private int position;

    BreaksMidRead(int breakAt, int lost) {
      this.breakAt = breakAt;
      this.lost = lost;
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
      if (position == breakAt) {
        dst.put(IMAGE, position, Math.min(lost, dst.remaining()));
        throw new SocketException("Connection reset");
      }
      int n = Math.min(dst.remaining(), breakAt - position);
      dst.put(IMAGE, position, n);
      position += n;
      return n;
    }

    @Override
    public boolean isOpen() {
      return true;
    }

    @Override
    public void close() {}
  }
}
