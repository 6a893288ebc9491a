package io.imagecache.internal.origin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** What a reader sees of a body whose transport breaks in the middle of a read. */
class BodyChannelTest {

  @Test
  void aReadThatBreaksAfterSomeBytesArrivedGivesNoneOfThem() throws IOException {
    BodyChannel body = new BodyChannel("origin", OptionalLong.of(10_000)) {
      private int reads;

      @Override
      int next(ByteBuffer dst) throws IOException {
        dst.put(new byte[300]);
        if (++reads == 2) {
          throw new SocketException("Connection reset");
        }
        return 300;
      }

      @Override
      public void close() {
        failed();
      }
    };
    ByteBuffer dst = ByteBuffer.allocate(1000);

    assertThat(body.read(dst)).isEqualTo(300);
    assertThatThrownBy(() -> body.read(dst)).isInstanceOf(SocketException.class);

    assertThat(dst.position()).isEqualTo(300);
    assertThat(body.received).isEqualTo(300);
  }
}
