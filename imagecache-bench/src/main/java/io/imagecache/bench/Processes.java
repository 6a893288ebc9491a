package io.imagecache.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Starts the child processes of a benchmark run and stops every one of them (and their descendants)
 * at the end, also when the run fails or the JVM is interrupted (a shutdown hook calls {@link
 * #stopAll()}).
 */
final class Processes implements AutoCloseable {
  /** Processes still to be stopped, oldest first; guarded by {@code this}. */
  private final List<Process> running = new ArrayList<>();

  /** Extra clean-up actions (processes not started by us directly, e.g. Glance); guarded by {@code this}. */
  private final List<Runnable> stopActions = new ArrayList<>();

  /** True once {@link #stopAll()} began for good (shutdown); guarded by {@code this}. */
  private boolean closing;

  private final Thread hook = new Thread(this::shutdown, "benchmark-process-cleanup");

  Processes() {
    Runtime.getRuntime().addShutdownHook(hook);
  }

  /** Starts {@code command} with stdout and stderr appended to {@code log}. */
  Process start(List<String> command, Path log) throws IOException {
    ProcessBuilder builder = new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    Process process = builder.start();
    track(process);
    return process;
  }

  /** Runs {@code command} to completion (at most {@code timeoutSeconds}) and returns its stdout. */
  String run(List<String> command, long timeoutSeconds) throws IOException, InterruptedException {
    ProcessBuilder builder = new ProcessBuilder(command)
        .redirectError(ProcessBuilder.Redirect.DISCARD)
        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    Process process = builder.start();
    track(process);
    try {
      byte[] out = process.getInputStream().readAllBytes();
      if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
        throw new IOException("timed out after " + timeoutSeconds + " s: " + command);
      }
      return new String(out, java.nio.charset.StandardCharsets.UTF_8);
    } finally {
      stop(process);
    }
  }

  private void track(Process process) throws IOException {
    synchronized (this) {
      if (!closing) {
        running.add(process);
        return;
      }
    }
    process.destroyForcibly();
    throw new IOException("shutting down: not starting " + process.info().command().orElse("a process"));
  }

  /** Stops {@code process} and its descendants: TERM, up to 10 s of waiting, then KILL. */
  void stop(Process process) {
    List<ProcessHandle> descendants = process.descendants().toList();
    if (process.isAlive()) {
      process.destroy();
      try {
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
          process.destroyForcibly();
          process.waitFor(5, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        process.destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }
    for (ProcessHandle child : descendants) {
      if (child.isAlive()) {
        child.destroyForcibly();
      }
    }
    synchronized (this) {
      running.remove(process);
    }
  }

  /** Registers {@code action} to run once in {@link #stopAll()}, for processes started indirectly. */
  synchronized void onStop(Runnable action) {
    stopActions.add(action);
  }

  /** Stops every process started here that is still tracked, newest first. */
  void stopAll() {
    List<Process> snapshot;
    List<Runnable> actions;
    synchronized (this) {
      snapshot = new ArrayList<>(running);
      actions = new ArrayList<>(stopActions);
      stopActions.clear();
    }
    for (Runnable action : actions) {
      try {
        action.run();
      } catch (RuntimeException e) {
        System.err.println("clean-up action failed: " + e);
      }
    }
    for (int i = snapshot.size() - 1; i >= 0; i--) {
      stop(snapshot.get(i));
    }
  }

  /** Stops everything and refuses to start more processes from now on. */
  void shutdown() {
    synchronized (this) {
      closing = true;
    }
    stopAll();
  }

  @Override
  public void close() {
    shutdown();
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException e) {
      // the JVM is already shutting down; the hook is running or has run
    }
  }
}
