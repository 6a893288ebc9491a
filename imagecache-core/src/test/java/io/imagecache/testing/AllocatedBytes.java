package io.imagecache.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The bytes a file takes on disk ({@code st_blocks}, what {@code du} counts), which the JDK does
 * not expose: asked of {@code stat -c '%b %B'}.
 */
public final class AllocatedBytes {
  private AllocatedBytes() {}

  /** The disk space allocated to {@code file}: its blocks times the block unit of {@code stat}. */
  public static long of(Path file) throws IOException, InterruptedException {
    Process stat = new ProcessBuilder("stat", "-c", "%b %B", file.toString())
        .redirectErrorStream(true)
        .start();
    try {
      if (!stat.waitFor(10, TimeUnit.SECONDS)) {
        throw new IOException("stat " + file + " did not answer within 10 s");
      }
      String out = new String(stat.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      if (stat.exitValue() != 0) {
        throw new IOException("stat " + file + " failed: " + out);
      }
      String[] fields = out.split(" ");
      return Long.parseLong(fields[0]) * Long.parseLong(fields[1]);
    } finally {
      stat.destroy();
    }
  }
}
