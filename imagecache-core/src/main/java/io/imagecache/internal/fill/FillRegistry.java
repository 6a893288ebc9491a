package io.imagecache.internal.fill;

import io.imagecache.ImageId;
import io.imagecache.internal.store.CacheDriver;
import io.imagecache.internal.store.CacheLayout;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live fills of one cache, at most one per image: the facade's single-flight table and, in
 * this process, the only code that opens {@link CacheDriver#openForWrite writers}. Public only
 * because the facade lives in another package; servers reach fills through the facade.
 *
 * <p>Why a driver's {@code openForWrite} cannot come back empty here: a fill opens its writer on
 * its own thread and leaves this table only after closing that writer, and a fill that replaces a
 * cancelled or failed one starts only once the old one's writer is closed (transitively: see
 * {@link #fill}); the directory lock keeps other processes out. So when a fill opens a writer, no
 * other writer of that image is open, and an empty answer is reported as a broken invariant (the
 * fill fails) instead of being joined.
 */
public final class FillRegistry {
  private static final Logger LOG = LoggerFactory.getLogger(FillRegistry.class);

  private final FillEnvironment environment;
  private final Executor executor;
  /**
   * Live fills by image id. Concurrent map, no other guard: fill() adds an entry inside
   * {@code compute} (so two callers cannot both create one), a fill removes its own entry with
   * {@code remove(id, fill)} once its writer is closed.
   */
  private final ConcurrentHashMap<ImageId, Fill> fills = new ConcurrentHashMap<>();

  /**
   * A registry whose fills write through {@code driver} into {@code dir}, once {@code admission}
   * let them, tell {@code listener} what they do, and run on {@code executor} (which must run each
   * task on a thread that may block).
   */
  public FillRegistry(
      CacheDriver driver, Path dir, Clock clock, boolean durable, FillAdmission admission,
      FillListener listener, Executor executor) {
    this.environment = new FillEnvironment(
        driver, new CacheLayout(dir), clock, durable, admission, listener);
    this.executor = Objects.requireNonNull(executor, "executor");
  }

  /**
   * The live fill of {@code id}, or a new one reading from {@code source}, started. A joining
   * caller's {@code source} is not used. A fill that was cancelled or failed but has not ended
   * yet is not joined: the new fill starts once the old one has closed its writer (and, when the
   * old one was itself a replacement cancelled before it started, once the writer it waited for
   * is closed: a chain of cancels never lets two writers of one image overlap).
   */
  public Fill fill(ImageId id, ImageSource source) {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(source, "source");
    Fill[] created = new Fill[1];
    Fill[] replaced = new Fill[1];
    Fill fill = fills.compute(id, (key, live) -> {
      if (live != null && live.joinable()) {
        return live;
      }
      replaced[0] = live;
      created[0] = new Fill(id, source, environment,
          live == null ? CompletableFuture.completedFuture(null) : live.writerReleased());
      return created[0];
    });
    if (created[0] != null) {
      Fill started = created[0];
      if (replaced[0] == null) {
        submit(started);
      } else {
        replaced[0].writerReleased().whenComplete((ignored, error) -> submit(started));
      }
    }
    return fill;
  }

  /** The live fill of {@code id}, if any. */
  public Optional<Fill> active(ImageId id) {
    return Optional.ofNullable(fills.get(id));
  }

  /** Whether a fill of {@code id} is live. */
  public boolean isActive(ImageId id) {
    return fills.containsKey(id);
  }

  /** Every live fill, ordered by image id. */
  public List<Fill> active() {
    List<Fill> live = new ArrayList<>(fills.values());
    live.sort((a, b) -> a.imageId().compareTo(b.imageId()));
    return live;
  }

  /**
   * Cancels the live fill of {@code id}, if any, and waits up to {@code wait} until it can no
   * longer commit or hold an incomplete file. Returns false only when that wait timed out.
   */
  public boolean cancel(ImageId id, String reason, Duration wait) {
    Fill live = fills.get(id);
    return live == null || await("the fill of " + id, live.requestCancel(reason), wait);
  }

  /** Cancels every live fill and waits as {@link #cancel} does, {@code wait} in total. */
  public boolean cancelAll(String reason, Duration wait) {
    List<Fill> live = active();
    CompletableFuture<?>[] released = new CompletableFuture<?>[live.size()];
    for (int i = 0; i < released.length; i++) {
      released[i] = live.get(i).requestCancel(reason);
    }
    return await(live.size() + " fills", CompletableFuture.allOf(released), wait);
  }

  private void submit(Fill fill) {
    Runnable onEnd = () -> fills.remove(fill.imageId(), fill);
    try {
      executor.execute(() -> fill.run(onEnd));
    } catch (RejectedExecutionException e) {
      fill.failToStart(e, onEnd);
    }
  }

  private static boolean await(String what, CompletableFuture<Void> released, Duration wait) {
    try {
      released.get(wait.toNanos(), TimeUnit.NANOSECONDS);
      return true;
    } catch (TimeoutException e) {
      LOG.warn("cancelled {} did not end within {} ms", what, wait.toMillis());
      return false;
    } catch (ExecutionException e) {
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
