package io.imagecache.internal.store.postgres;

/**
 * The one rule that says whether a fleet node is alive, as SQL over an {@code imagecache_nodes}
 * row: its last heartbeat is younger than the node-dead-after it declared, by the database's
 * clock, AND the database session it registered with still exists. The heartbeat age catches a
 * node that hangs or loses its network without closing its connection; the session check catches
 * a node that crashed or was killed at once, because the operating system closes its socket and
 * PostgreSQL ends the session.
 *
 * <p>The session is matched by pid and start time, so that a recycled pid is not mistaken for the
 * old session. It is looked up with {@code pg_stat_get_activity(pid)}, the function behind
 * {@code pg_stat_activity}, once per candidate node, so that a lookup costs in proportion to the
 * holders and fillers of one image rather than to every backend of the server (the view builds a
 * row for each of them on every query). A role that may not see another role's session start
 * sees it as NULL; the pid alone then decides (nodes should share one role, or hold
 * {@code pg_read_all_stats}).
 */
final class PostgresFleetLiveness {
  private PostgresFleetLiveness() {}

  /** A boolean SQL condition: the {@code imagecache_nodes} row aliased {@code node} is alive. */
  static String alive(String node) {
    return "(" + node + ".heartbeat_at > now()"
        + " - " + node + ".dead_after_ms * INTERVAL '1 millisecond'"
        + " AND EXISTS (SELECT 1 FROM pg_stat_get_activity(" + node + ".backend_pid) a"
        + " WHERE a.backend_start = " + node + ".backend_start OR a.backend_start IS NULL))";
  }
}
