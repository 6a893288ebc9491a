package io.imagecache.bench;

import java.io.IOException;

/**
 * Samples the server's RSS, threads and open files every second on a daemon thread and keeps the first, the
 * largest and the latest value of each. Fields are guarded by {@code this}.
 */
final class SoakSampler implements AutoCloseable {
  private final ProcessProbe probe;
  private final Thread thread;
  private ProcessProbe.Sample first;
  private ProcessProbe.Sample last;
  private long maxRss;
  private long maxThreads;
  private long maxFds;
  private int samples;

  SoakSampler(ProcessProbe probe) {
    this.probe = probe;
    this.thread = new Thread(this::loop, "soak-sampler");
    this.thread.setDaemon(true);
  }

  /** Takes the first sample now and starts sampling every second. */
  SoakSampler start() throws IOException {
    record(probe.sample());
    thread.start();
    return this;
  }

  /** Takes a sample now (also counted in the maxima) and returns it. */
  ProcessProbe.Sample sampleNow() throws IOException {
    ProcessProbe.Sample sample = probe.sample();
    record(sample);
    return sample;
  }

  private synchronized void record(ProcessProbe.Sample sample) {
    if (first == null) {
      first = sample;
    }
    last = sample;
    maxRss = Math.max(maxRss, sample.rssBytes());
    maxThreads = Math.max(maxThreads, sample.threads());
    maxFds = Math.max(maxFds, sample.fds());
    samples++;
  }

  private void loop() {
    while (!Thread.currentThread().isInterrupted()) {
      try {
        Thread.sleep(1000);
        record(probe.sample());
      } catch (InterruptedException e) {
        return;
      } catch (IOException e) {
        return; // the server is gone; the soak notices on its own
      }
    }
  }

  synchronized ProcessProbe.Sample first() {
    return first;
  }

  synchronized ProcessProbe.Sample last() {
    return last;
  }

  /** The largest value of each figure over all samples so far. */
  synchronized ProcessProbe.Sample max() {
    return new ProcessProbe.Sample(maxRss, maxThreads, maxFds);
  }

  synchronized int samples() {
    return samples;
  }

  @Override
  public void close() {
    thread.interrupt();
  }
}
