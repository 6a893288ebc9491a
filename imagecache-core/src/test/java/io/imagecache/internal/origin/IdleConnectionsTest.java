package io.imagecache.internal.origin;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The connections kept for the next request: real sockets on 127.0.0.1, a clock the test moves.
 */
class IdleConnectionsTest {
  private final AtomicLong now = new AtomicLong();
  private final IdleConnections idle = new IdleConnections(now::get);
  private final List<SocketChannel> accepted = new ArrayList<>();
  private ServerSocketChannel server;
  private InetSocketAddress address;

  @BeforeEach
  void listen() throws IOException {
    server = ServerSocketChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    address = (InetSocketAddress) server.getLocalAddress();
  }

  @AfterEach
  void stop() throws IOException {
    idle.close();
    for (SocketChannel s : accepted) {
      s.close();
    }
    server.close();
  }

  @Test
  void theMostRecentlyKeptConnectionIsTakenFirst_andEachOnlyOnce() throws IOException {
    IdleConnections.Connection older = connect();
    IdleConnections.Connection newer = connect();
    idle.keep(address, older);
    idle.keep(address, newer);

    assertThat(idle.take(address)).containsSame(newer);
    assertThat(idle.take(address)).containsSame(older);
    assertThat(idle.take(address)).isEmpty();
    assertThat(idle.take(new InetSocketAddress(InetAddress.getLoopbackAddress(), 1))).isEmpty();
  }

  @Test
  void aConnectionKeptTooLongIsClosedNotTaken() throws IOException {
    IdleConnections.Connection connection = connect();
    idle.keep(address, connection);

    now.addAndGet(IdleConnections.MAX_IDLE.toNanos() + 1);

    assertThat(idle.take(address)).isEmpty();
    assertThat(connection.socket().isOpen()).isFalse();
    assertThat(connection.selector().isOpen()).isFalse();
  }

  @Test
  void aConnectionTheOriginClosedIsClosedNotTaken() throws IOException {
    IdleConnections.Connection closedByOrigin = connect();
    IdleConnections.Connection open = connect();
    idle.keep(address, open);
    idle.keep(address, closedByOrigin);
    accepted.get(0).close();
    awaitReadable(closedByOrigin.socket());

    assertThat(idle.take(address)).containsSame(open);
    assertThat(closedByOrigin.socket().isOpen()).isFalse();
  }

  @Test
  void aConnectionWithBytesNobodyAskedForIsClosedNotTaken() throws IOException {
    IdleConnections.Connection connection = connect();
    idle.keep(address, connection);
    accepted.get(0).write(ByteBuffer.wrap(new byte[] {'x'}));
    awaitReadable(connection.socket());

    assertThat(idle.take(address)).isEmpty();
    assertThat(connection.socket().isOpen()).isFalse();
  }

  @Test
  void keepsNoMoreThanItsLimitPerAddress_closingTheOldest() throws IOException {
    List<IdleConnections.Connection> all = new ArrayList<>();
    for (int i = 0; i <= IdleConnections.MAX_PER_ADDRESS; i++) {
      IdleConnections.Connection connection = connect();
      all.add(connection);
      idle.keep(address, connection);
    }

    assertThat(idle.size()).isEqualTo(IdleConnections.MAX_PER_ADDRESS);
    assertThat(all.get(0).socket().isOpen()).as("the oldest").isFalse();
    assertThat(all.get(1).socket().isOpen()).isTrue();
  }

  @Test
  void closeClosesTheKeptConnections_andThoseKeptAfterIt() throws IOException {
    IdleConnections.Connection before = connect();
    idle.keep(address, before);

    idle.close();
    IdleConnections.Connection after = connect();
    idle.keep(address, after);

    assertThat(before.socket().isOpen()).isFalse();
    assertThat(after.socket().isOpen()).isFalse();
    assertThat(idle.size()).isZero();
  }

  /** A connection to the server, as {@link PlainHttp} makes them: non-blocking, with its selector. */
  private IdleConnections.Connection connect() throws IOException {
    SocketChannel socket = SocketChannel.open(address);
    accepted.add(server.accept());
    socket.configureBlocking(false);
    Selector selector = Selector.open();
    socket.register(selector, 0);
    return new IdleConnections.Connection(socket, selector);
  }

  /** Waits (up to 5 s) until a byte or the peer's close reached {@code socket}. */
  private static void awaitReadable(SocketChannel socket) throws IOException {
    try (Selector wait = Selector.open()) {
      socket.register(wait, SelectionKey.OP_READ);
      assertThat(wait.select(5000)).isEqualTo(1);
    }
  }
}
