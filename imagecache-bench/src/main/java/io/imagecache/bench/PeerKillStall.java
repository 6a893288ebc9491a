package io.imagecache.bench;

import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Scenario 13's stall on peer death: node 0 fills a cold image from the origin (for a client beside
 * it); once it has 10 %, a client on every other node asks for the image, so those nodes fill from node
 * 0 (the one source); once each client has 20 %, node 0 is killed ({@code kill -9}). A client's stall
 * is the longest pause between two arrivals of body bytes after the kill, measured only on a client
 * whose download then completed with HTTP 200 and every byte.
 */
final class PeerKillStall {
  private static final double SOURCE_SHARE = 0.10;
  private static final double KILL_SHARE = 0.20;
  private static final int READ_TIMEOUT_MS = 30_000;

  private PeerKillStall() {}

  /** The stalls (s) of the clients that completed, and what went wrong for the others. */
  record Outcome(List<Double> stalls, List<String> problems) {}

  /** One streaming client: bytes so far and, after {@code killedAt} is set, its longest pause. */
  private static final class Client {
    final AtomicLong bytes = new AtomicLong();
    /** System.nanoTime() of the kill, 0 before; written by the scenario's thread. */
    volatile long killedAt;
    /** Longest pause after the kill, in ns; confined to the client's thread until its future is done. */
    long stallNanos;

    /** Downloads {@code url} to the end (each read bounded); returns the HTTP status. */
    int download(String url, long deadline) throws IOException {
      HttpURLConnection connection = (HttpURLConnection) new URL(url).openConnection();
      connection.setConnectTimeout(5_000);
      connection.setReadTimeout(READ_TIMEOUT_MS);
      try {
        int status = connection.getResponseCode();
        byte[] buffer = new byte[64 * 1024];
        long last = System.nanoTime();
        try (InputStream in = connection.getInputStream()) {
          for (int n; (n = in.read(buffer)) >= 0; ) {
            long now = System.nanoTime();
            long kill = killedAt;
            if (kill != 0 && now > kill && n > 0) {
              stallNanos = Math.max(stallNanos, now - last);
            }
            if (n > 0) {
              last = now;
              bytes.addAndGet(n);
            }
            if (now > deadline) {
              throw new IOException("not done within the time bound, " + bytes.get() + " bytes");
            }
          }
        }
        return status;
      } finally {
        connection.disconnect();
      }
    }
  }

  /** Runs the measurement on {@code id} ({@code size} bytes, cold on every node of {@code fleet}). */
  static Outcome measure(BenchContext context, FleetNodes fleet, String id, long size, long maxSeconds)
      throws IOException, InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(maxSeconds);
    List<String> problems = new ArrayList<>();
    Path log = context.workDir().resolve("s13-kill-source-client.out");
    Process sourceClient = context.processes().start(fleet.client(0, id, maxSeconds), log);
    ExecutorService pool = Executors.newFixedThreadPool(fleet.size() - 1, r -> {
      Thread t = new Thread(r, "fleet-stall-client");
      t.setDaemon(true);
      return t;
    });
    try {
      Path filling = fleet.node(0).cacheDir().resolve("incomplete").resolve(id);
      if (!await(() -> sizeOrZero(filling) >= SOURCE_SHARE * size, deadline)) {
        problems.add("node 0 never had " + (int) (SOURCE_SHARE * 100) + " % of the image in incomplete/");
        return new Outcome(List.of(), problems);
      }
      List<Client> clients = new ArrayList<>();
      List<Future<Integer>> downloads = new ArrayList<>();
      for (int i = 1; i < fleet.size(); i++) {
        Client client = new Client();
        String url = fleet.node(i).fileUrl(id);
        clients.add(client);
        downloads.add(pool.submit(() -> client.download(url, deadline)));
      }
      boolean reached = await(() -> clients.stream().allMatch(c -> c.bytes.get() >= KILL_SHARE * size), deadline);
      long killedAt = System.nanoTime();
      fleet.node(0).kill();
      clients.forEach(c -> c.killedAt = killedAt);
      if (!reached) {
        problems.add("not every client had " + (int) (KILL_SHARE * 100) + " % when the time bound ran out");
      }
      List<Double> stalls = new ArrayList<>();
      for (int i = 0; i < clients.size(); i++) {
        Client client = clients.get(i);
        String who = "client on node " + (i + 1);
        try {
          long left = Math.max(1, deadline - System.nanoTime());
          int status = downloads.get(i).get(left, TimeUnit.NANOSECONDS);
          if (status != 200 || client.bytes.get() != size) {
            problems.add(who + ": HTTP " + status + ", " + client.bytes.get() + " of " + size + " bytes");
          } else {
            stalls.add(client.stallNanos / 1e9);
          }
        } catch (java.util.concurrent.ExecutionException e) {
          problems.add(who + ": " + e.getCause() + " after " + client.bytes.get() + " of " + size + " bytes");
        } catch (TimeoutException e) {
          problems.add(who + ": not done within " + maxSeconds + " s");
        }
      }
      return new Outcome(stalls, problems);
    } finally {
      pool.shutdownNow();
      context.processes().stop(sourceClient);
    }
  }

  /** The size of {@code file}, 0 while (or once) it is not there. */
  private static long sizeOrZero(Path file) throws IOException {
    try {
      return Files.size(file);
    } catch (java.nio.file.NoSuchFileException e) {
      return 0;
    }
  }

  private interface Check {
    boolean holds() throws IOException;
  }

  /** Polls {@code check} every 10 ms until it holds (true) or {@code deadline} passes (false). */
  private static boolean await(Check check, long deadline) throws IOException, InterruptedException {
    while (System.nanoTime() < deadline) {
      if (check.holds()) {
        return true;
      }
      Thread.sleep(10);
    }
    return false;
  }
}
