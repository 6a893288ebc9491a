package io.imagecache.internal.origin;

/**
 * The buffer memory that segmented fetches ({@link SegmentedBody}) may hold at once, shared by
 * every fill of the process: a fill takes buffers for as many connections as the budget has room
 * for (a 256 KiB direct read buffer each when written at offsets, a 4 MiB heap segment each when
 * read as a stream), and gives them back when its body closes. Without it each fill took one 4 MiB
 * buffer per connection, so {@code origin-connections 16}, or four concurrent fills over 4
 * connections, ran the launcher's 64 MiB heap out of memory and failed every such miss.
 *
 * <p>Thread-safe: the count of bytes taken is guarded by the instance's monitor.
 */
final class SegmentMemory {
  /**
   * The process's budget: 3/8 of the maximum heap (the launcher's direct memory limit is the same
   * 64 MiB): 96 connections' read buffers, or five 4 MiB segments.
   */
  static final SegmentMemory PROCESS = new SegmentMemory(Runtime.getRuntime().maxMemory() / 8 * 3);

  private final long budget;
  /** Bytes taken and not given back; guarded by this. */
  private long taken;

  SegmentMemory(long budget) {
    if (budget < 0) {
      throw new IllegalArgumentException("budget must be >= 0, was " + budget);
    }
    this.budget = budget;
  }

  /**
   * Takes room for up to {@code wanted} buffers of {@code bufferSize} bytes and returns how many
   * it took (0 when the budget has no room for one).
   */
  synchronized int take(int wanted, int bufferSize) {
    long room = (budget - taken) / bufferSize;
    int granted = (int) Math.max(0, Math.min(wanted, room));
    taken += (long) granted * bufferSize;
    return granted;
  }

  /** Gives back the room of {@code count} buffers of {@code bufferSize} bytes. */
  synchronized void giveBack(int count, int bufferSize) {
    taken -= (long) count * bufferSize;
    if (taken < 0) {
      throw new IllegalStateException("more segment memory given back than taken");
    }
  }

  /** Bytes taken now. */
  synchronized long taken() {
    return taken;
  }
}
