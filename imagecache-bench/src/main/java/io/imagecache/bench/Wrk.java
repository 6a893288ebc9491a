package io.imagecache.bench;

import java.io.IOException;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Runs wrk against one URL and reads requests/s and error counts from its summary. */
final class Wrk {
  private static final Pattern RATE = Pattern.compile("Requests/sec:\\s+([0-9.]+)");
  private static final Pattern NON_2XX = Pattern.compile("Non-2xx or 3xx responses:\\s+(\\d+)");
  private static final Pattern SOCKET_ERRORS = Pattern.compile("Socket errors:(.*)");

  private final Processes processes;

  Wrk(Processes processes) {
    this.processes = processes;
  }

  /** wrk's result: requests per second and any error text it reported. */
  record Result(double requestsPerSecond, String errors) {}

  /** {@code wrk -t2 -cCONNECTIONS -dSECONDS url}. */
  Result run(String url, int connections, int seconds) throws IOException, InterruptedException {
    String out = processes.run(List.of("wrk", "-t2", "-c" + connections, "-d" + seconds + "s", "--timeout", "5s",
        url), seconds + 30);
    Matcher rate = RATE.matcher(out);
    if (!rate.find()) {
      throw new IllegalStateException("wrk printed no Requests/sec:\n" + out);
    }
    StringBuilder errors = new StringBuilder();
    Matcher non2xx = NON_2XX.matcher(out);
    if (non2xx.find()) {
      errors.append(non2xx.group(1)).append(" non-2xx responses ");
    }
    Matcher socket = SOCKET_ERRORS.matcher(out);
    if (socket.find()) {
      errors.append("socket errors:").append(socket.group(1).trim());
    }
    return new Result(Double.parseDouble(rate.group(1)), errors.toString());
  }
}
