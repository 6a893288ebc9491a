package io.imagecache.internal.origin;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * The plain-HTTP connections whose last response was read to its end, kept for the next request
 * to the same address (HTTP/1.1 keep-alive): a segmented fill sends one range request after
 * another, a resumed one a few, and a new connection for each costs a handshake and, over a long
 * link, TCP's slow start again. At most {@value #MAX_PER_ADDRESS} per address (the most
 * connections one fill uses), each for at most {@link #MAX_IDLE}, shorter than the idle timeouts
 * of common servers (Apache's 5 s is the shortest), so that the origin seldom closes one first;
 * one it did close is dropped when taken, and a request on a kept connection that fails before
 * any response byte is sent again on a new one ({@link PlainHttp}).
 *
 * <p>Thread-safe: the deques and the closed flag are guarded by {@code this}; connections are
 * closed outside it.
 */
final class IdleConnections {
  /** Connections kept per address. */
  static final int MAX_PER_ADDRESS = 16;
  /** How long a connection is kept unused. */
  static final Duration MAX_IDLE = Duration.ofSeconds(4);

  /** An idle connection: a non-blocking socket registered (for nothing) with its own selector. */
  record Connection(SocketChannel socket, Selector selector) {
    /** Closes the selector and the socket. */
    void close() {
      QuietClose.close(selector, "an idle connection's selector");
      QuietClose.close(socket, "an idle connection");
    }
  }

  private record Kept(Connection connection, long since) {}

  private final LongSupplier nanoTime;
  /** Guarded by {@code this}: per address, the kept connections, the most recently kept first. */
  private final Map<InetSocketAddress, ArrayDeque<Kept>> kept = new HashMap<>();
  /** Guarded by {@code this}. */
  private boolean closed;

  IdleConnections() {
    this(System::nanoTime);
  }

  /** With the clock {@code nanoTime}, for tests. */
  IdleConnections(LongSupplier nanoTime) {
    this.nanoTime = nanoTime;
  }

  /**
   * A kept connection to {@code address} the origin has not closed, the most recently kept one;
   * empty when there is none. Closes those kept too long or closed by the origin.
   */
  Optional<Connection> take(InetSocketAddress address) {
    List<Connection> stale = new ArrayList<>();
    try {
      while (true) {
        Connection candidate;
        synchronized (this) {
          ArrayDeque<Kept> queue = kept.get(address);
          Kept next = queue == null ? null : queue.pollFirst();
          if (next == null) {
            return Optional.empty();
          }
          if (queue.isEmpty()) {
            kept.remove(address);
          }
          if (nanoTime.getAsLong() - next.since > MAX_IDLE.toNanos()) {
            stale.add(next.connection);
            stale.addAll(drain(queue)); // older still
            kept.remove(address);
            return Optional.empty();
          }
          candidate = next.connection;
        }
        if (stillOpen(candidate.socket)) {
          return Optional.of(candidate);
        }
        stale.add(candidate);
      }
    } finally {
      stale.forEach(Connection::close);
    }
  }

  /**
   * Keeps {@code connection} to {@code address} for the next request; closes it instead once
   * {@link #close} ran, and closes the oldest kept one beyond {@value #MAX_PER_ADDRESS}.
   */
  void keep(InetSocketAddress address, Connection connection) {
    Connection dropped = null;
    synchronized (this) {
      if (closed) {
        dropped = connection;
      } else {
        ArrayDeque<Kept> queue = kept.computeIfAbsent(address, a -> new ArrayDeque<>());
        queue.addFirst(new Kept(connection, nanoTime.getAsLong()));
        if (queue.size() > MAX_PER_ADDRESS) {
          dropped = queue.pollLast().connection;
        }
      }
    }
    if (dropped != null) {
      dropped.close();
    }
  }

  /** Connections kept now, for tests. */
  synchronized int size() {
    return kept.values().stream().mapToInt(ArrayDeque::size).sum();
  }

  /** Closes every kept connection; those handed back later are closed at once. */
  void close() {
    List<Connection> all = new ArrayList<>();
    synchronized (this) {
      closed = true;
      for (Iterator<ArrayDeque<Kept>> it = kept.values().iterator(); it.hasNext(); ) {
        all.addAll(drain(it.next()));
        it.remove();
      }
    }
    all.forEach(Connection::close);
  }

  private static List<Connection> drain(ArrayDeque<Kept> queue) {
    List<Connection> connections = new ArrayList<>(queue.size());
    for (Kept k : queue) {
      connections.add(k.connection);
    }
    queue.clear();
    return connections;
  }

  /**
   * Whether the origin left {@code socket} open and silent: a non-blocking read finds nothing. Its
   * end (the origin closed it), a byte nobody asked for, or an error all mean it cannot carry a
   * request.
   */
  private static boolean stillOpen(SocketChannel socket) {
    try {
      return socket.isOpen() && socket.read(ByteBuffer.allocate(1)) == 0;
    } catch (IOException e) {
      return false;
    }
  }
}
