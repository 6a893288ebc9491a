package io.imagecache.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A small tmpfs mounted on a test's directory, so that a test can fill a real file system (as
 * root, which CI is); {@link #mount} says why not when it cannot, for a JUnit assumption.
 */
public final class Tmpfs implements AutoCloseable {
  private final Path mountPoint;

  private Tmpfs(Path mountPoint) {
    this.mountPoint = mountPoint;
  }

  /** Mounts a tmpfs of {@code mebibytes} MiB on the empty directory {@code mountPoint}. */
  public static Mounted mount(Path mountPoint, int mebibytes) throws InterruptedException {
    Optional<String> failure = run(List.of(
        "mount", "-t", "tmpfs", "-o", "size=" + mebibytes + "m,mode=700", "tmpfs",
        mountPoint.toString()));
    return failure.isPresent()
        ? new Mounted(Optional.empty(), "cannot mount a tmpfs here: " + failure.get())
        : new Mounted(Optional.of(new Tmpfs(mountPoint)), "");
  }

  /** The outcome of {@link #mount}: the file system, or why there is none. */
  public record Mounted(Optional<Tmpfs> tmpfs, String whyNot) {}

  /** Where the file system is mounted. */
  public Path path() {
    return mountPoint;
  }

  /** Bytes still free on the file system. */
  public long usable() throws IOException {
    return Files.getFileStore(mountPoint).getUsableSpace();
  }

  /** Writes a file of real bytes that leaves {@code free} bytes usable (within a page or so). */
  public Path fillLeaving(String name, long free) throws IOException {
    Path filler = mountPoint.resolve(name);
    long size = usable() - free;
    if (size <= 0) {
      throw new IllegalStateException("only " + usable() + " bytes are free, not " + free);
    }
    byte[] block = new byte[1 << 16];
    java.util.Arrays.fill(block, (byte) 1);
    try (var out = Files.newOutputStream(filler)) {
      long left = size;
      while (left > 0) {
        int n = (int) Math.min(block.length, left);
        out.write(block, 0, n);
        left -= n;
      }
    }
    return filler;
  }

  /** Unmounts (lazily, should a file still be open). */
  @Override
  public void close() throws IOException, InterruptedException {
    Optional<String> failure = run(List.of("umount", "-l", mountPoint.toString()));
    if (failure.isPresent()) {
      throw new IOException("unmounting " + mountPoint + " failed: " + failure.get());
    }
  }

  /** Runs a command; empty when it succeeded, else what it said. */
  private static Optional<String> run(List<String> command) throws InterruptedException {
    try {
      Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        return Optional.of(String.join(" ", command) + " did not end within 30 s");
      }
      String output = new String(process.getInputStream().readAllBytes()).strip();
      return process.exitValue() == 0 ? Optional.empty()
          : Optional.of(String.join(" ", command) + " exited with " + process.exitValue() + ": "
              + output);
    } catch (IOException e) {
      return Optional.of(e.toString());
    }
  }
}
