package io.imagecache.internal.maintenance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import io.imagecache.ImageId;
import io.imagecache.PrefetchState.Status;
import io.imagecache.PrefetchState;
import io.imagecache.testing.ManualScheduler;
import io.imagecache.testing.MutableClock;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class PrefetchQueueTest {
  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final ImageId A = ImageId.of("aaaaaaaa-0000-4000-8000-000000000001");
  private static final ImageId B = ImageId.of("bbbbbbbb-0000-4000-8000-000000000002");
  private static final ImageId C = ImageId.of("cccccccc-0000-4000-8000-000000000003");
  private static final ImageId D = ImageId.of("dddddddd-0000-4000-8000-000000000004");
  /** The back-off of most tests: a minute of {@link #retries}' driven time. */
  private static final Duration QUICK = Duration.ofMinutes(1);

  private final MutableClock clock = new MutableClock(Instant.parse("2026-03-01T10:00:00Z"));
  /** Times retries when the test moves time; cancelled retries leave its queue. */
  private final ManualScheduler retries = new ManualScheduler(clock);
  /** Every worker thread the queues under test were given. */
  private final List<Thread> threads = new CopyOnWriteArrayList<>();
  private final List<PrefetchQueue> queues = new ArrayList<>();
  /** Ids in the order their fetches started. */
  private final List<ImageId> started = new CopyOnWriteArrayList<>();
  /** The futures handed out by held fetches, per id, for the test to complete. */
  private final Map<ImageId, CompletableFuture<Void>> held = new ConcurrentHashMap<>();
  /** Fetches whose futures have not completed yet. */
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicInteger maxInFlight = new AtomicInteger();

  @AfterEach
  void stop() throws InterruptedException {
    queues.forEach(PrefetchQueue::close);
    retries.shutdownNow();
    assertThat(retries.awaitTermination(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
    assertThat(threads).noneMatch(Thread::isAlive);
  }

  // ---- order and bounds ----------------------------------------------------------------------

  @Test
  void imagesAreFetchedInTheOrderTheyWereQueued() {
    PrefetchQueue queue = start(new PrefetchPolicy(1, 1, QUICK, QUICK));

    for (ImageId id : List.of(A, B, C, D)) {
      assertThat(queue.submit(id, held(id))).isTrue();
    }
    for (ImageId id : List.of(A, B, C, D)) {
      await().atMost(WAIT).until(() -> held.containsKey(id));
      held.get(id).complete(null);
    }

    await().atMost(WAIT).until(() -> queue.states().isEmpty());
    assertThat(started).containsExactly(A, B, C, D);
  }

  @Test
  void atMostTheConfiguredNumberOfWorkersFetchAtOnce() {
    PrefetchQueue queue = start(new PrefetchPolicy(2, 1, QUICK, QUICK));
    for (ImageId id : List.of(A, B, C, D)) {
      queue.submit(id, held(id));
    }

    await().atMost(WAIT).until(() -> started.size() == 2);
    assertThat(started).containsExactly(A, B);
    assertThat(queue.states()).extracting(PrefetchState::status)
        .containsExactly(Status.FETCHING, Status.FETCHING, Status.QUEUED, Status.QUEUED);

    held.get(A).complete(null);
    await().atMost(WAIT).until(() -> started.size() == 3);
    assertThat(started).containsExactly(A, B, C);
    held.get(B).complete(null);
    held.get(C).complete(null);
    await().atMost(WAIT).until(() -> held.containsKey(D));
    held.get(D).complete(null);

    await().atMost(WAIT).until(() -> queue.states().isEmpty());
    assertThat(maxInFlight).hasValue(2);
    assertThat(threads).hasSize(2);
  }

  @Test
  void anImageQueuedOrBeingFetchedIsNotQueuedTwice() {
    PrefetchQueue queue = start(new PrefetchPolicy(1, 1, QUICK, QUICK));
    queue.submit(A, held(A));
    await().atMost(WAIT).until(() -> started.contains(A));
    queue.submit(B, held(B));

    assertThat(queue.submit(A, held(A))).isFalse();
    assertThat(queue.submit(B, held(B))).isFalse();
    assertThat(queue.states()).extracting(PrefetchState::imageId, PrefetchState::status)
        .containsExactly(
            tuple(A, Status.FETCHING),
            tuple(B, Status.QUEUED));

    held.get(A).complete(null);
    await().atMost(WAIT).until(() -> held.containsKey(B));
    held.get(B).complete(null);
    await().atMost(WAIT).until(() -> queue.states().isEmpty());
    assertThat(started).containsExactly(A, B);
  }

  // ---- failures ------------------------------------------------------------------------------

  @Test
  void noFailureOfAFetchStopsTheWorkerFromFetchingTheNextImage() {
    PrefetchQueue queue = start(new PrefetchPolicy(1, 1, QUICK, QUICK));
    queue.submit(A, () -> {
      started.add(A);
      throw new IllegalStateException("thrown by the fetch itself");
    });
    queue.submit(B, () -> {
      started.add(B);
      return CompletableFuture.failedFuture(new IOException("checksum mismatch"));
    });
    queue.submit(C, () -> {
      started.add(C);
      return null;
    });
    queue.submit(D, succeeding(D));

    await().atMost(WAIT).until(() -> queue.states().stream()
        .allMatch(state -> state.status() == Status.FAILED));
    assertThat(started).containsExactly(A, B, C, D);
    assertThat(queue.state(D)).isEmpty();
    assertThat(queue.states()).extracting(PrefetchState::imageId, state -> state.lastError().get())
        .containsExactly(
            tuple(A, "thrown by the fetch itself"),
            tuple(B, "checksum mismatch"),
            tuple(C, "the prefetch fetch returned no future"));
  }

  @Test
  void aFailedAttemptIsRetriedUntilItSucceeds() {
    PrefetchQueue queue = start(new PrefetchPolicy(1, 5, QUICK, QUICK));
    AtomicInteger attempts = new AtomicInteger();
    queue.submit(A, () -> attempts.incrementAndGet() <= 2
        ? CompletableFuture.failedFuture(new IOException("origin answered 503"))
        : CompletableFuture.completedFuture(null));

    retryUntil(() -> queue.states().isEmpty());
    assertThat(attempts).hasValue(3);
  }

  @Test
  void aRetryingImageShowsItsAttemptsErrorAndWhenItIsTriedNext() {
    PrefetchQueue queue = start(
        new PrefetchPolicy(1, 5, Duration.ofHours(1), Duration.ofHours(4)));
    AtomicInteger attempts = new AtomicInteger();
    queue.submit(A, () -> {
      attempts.incrementAndGet();
      return CompletableFuture.failedFuture(new IOException("origin answered 503"));
    });

    await().atMost(WAIT).until(() -> queue.state(A).get().status() == Status.RETRYING);
    Instant next = clock.instant().plus(Duration.ofHours(1));
    assertThat(queue.state(A)).contains(new PrefetchState(A, Status.RETRYING, 1,
        Optional.of("origin answered 503"), Optional.of(next)));

    retries.advance(Duration.ofMinutes(59));
    assertThat(attempts).as("before the back-off").hasValue(1);
    retries.advance(Duration.ofMinutes(1));
    await().atMost(WAIT).until(() -> queue.state(A).get().attempts() == 2
        && queue.state(A).get().status() == Status.RETRYING);
    assertThat(attempts).hasValue(2);
    assertThat(queue.state(A).get().nextAttemptAt())
        .as("the back-off doubles").contains(next.plus(Duration.ofHours(2)));
  }

  @Test
  void anImageIsGivenUpAsFailedWithItsLastErrorAfterTheLastAttempt() {
    PrefetchQueue queue = start(new PrefetchPolicy(1, 3, QUICK, QUICK));
    AtomicInteger attempts = new AtomicInteger();
    queue.submit(A, () -> CompletableFuture.failedFuture(
        new IOException("attempt " + attempts.incrementAndGet() + " failed")));

    retryUntil(() -> queue.state(A).get().status() == Status.FAILED);
    assertThat(queue.state(A)).contains(new PrefetchState(
        A, Status.FAILED, 3, Optional.of("attempt 3 failed"), Optional.empty()));
    assertThat(attempts).hasValue(3);
  }

  @Test
  void queuingAFailedImageAgainStartsAfresh() {
    PrefetchQueue queue = start(new PrefetchPolicy(1, 1, QUICK, QUICK));
    queue.submit(A, () -> CompletableFuture.failedFuture(new IOException("origin down")));
    await().atMost(WAIT).until(() -> queue.state(A).get().status() == Status.FAILED);

    assertThat(queue.submit(A, succeeding(A))).isTrue();

    await().atMost(WAIT).until(() -> queue.states().isEmpty());
    assertThat(started).containsExactly(A);
  }

  // ---- removal and close ---------------------------------------------------------------------

  @Test
  void removeForgetsAWaitingImageAndLeavesAFetchInProgressAlone() {
    PrefetchQueue queue = start(new PrefetchPolicy(1, 5, QUICK, QUICK));
    queue.submit(A, held(A));
    await().atMost(WAIT).until(() -> started.contains(A));
    queue.submit(B, held(B));

    assertThat(queue.remove(B)).isTrue();
    assertThat(queue.remove(A)).isTrue();
    assertThat(queue.remove(C)).isFalse();
    assertThat(queue.states()).isEmpty();

    held.get(A).completeExceptionally(new IOException("failed after its removal"));
    queue.submit(C, held(C));
    await().atMost(WAIT).until(() -> started.contains(C));
    assertThat(started).containsExactly(A, C);
    assertThat(queue.states()).extracting(PrefetchState::imageId).containsExactly(C);
  }

  @Test
  void removeFailedForgetsOnlyAFailedImage() {
    PrefetchQueue queue = start(new PrefetchPolicy(1, 1, QUICK, QUICK));
    queue.submit(A, () -> CompletableFuture.failedFuture(new IOException("origin down")));
    await().atMost(WAIT).until(() -> queue.state(A).get().status() == Status.FAILED);
    queue.submit(B, held(B));
    await().atMost(WAIT).until(() -> started.contains(B));

    assertThat(queue.removeFailed(B)).isFalse();
    assertThat(queue.removeFailed(A)).isTrue();
    assertThat(queue.states()).extracting(PrefetchState::imageId).containsExactly(B);
    held.get(B).complete(null);
  }

  @Test
  void removeAllForgetsEveryImageAndCancelsPendingRetries() {
    PrefetchQueue queue = start(
        new PrefetchPolicy(1, 5, Duration.ofHours(1), Duration.ofHours(1)));
    queue.submit(A, () -> CompletableFuture.failedFuture(new IOException("origin down")));
    await().atMost(WAIT).until(() -> queue.state(A).get().status() == Status.RETRYING);
    queue.submit(B, held(B));
    await().atMost(WAIT).until(() -> started.contains(B));
    queue.submit(C, held(C));

    assertThat(queue.removeAll()).isEqualTo(3);

    assertThat(queue.states()).isEmpty();
    assertThat(retries.queued()).isZero();
    held.get(B).complete(null);
  }

  @Test
  void closeStopsWorkersThatAreWaitingForAFetch() {
    PrefetchQueue queue = start(new PrefetchPolicy(2, 1, QUICK, QUICK));
    queue.submit(A, held(A));
    await().atMost(WAIT).until(() -> started.contains(A));

    queue.close();

    assertThat(threads).hasSize(2).noneMatch(Thread::isAlive);
    assertThat(queue.submit(B, held(B))).isFalse();
    assertThat(held.get(A)).isNotDone();
  }

  // ---- worker count changed while running ------------------------------------------------

  @Test
  void moreWorkersStartFetchingTheWaitingImagesAtOnce() {
    PrefetchQueue queue = start(new PrefetchPolicy(1, 1, QUICK, QUICK));
    for (ImageId id : List.of(A, B, C)) {
      queue.submit(id, held(id));
    }
    await().atMost(WAIT).until(() -> held.containsKey(A));
    assertThat(started).containsExactly(A);

    queue.workers(3);

    await().atMost(WAIT).until(() -> inFlight.get() == 3);
    assertThat(queue.states()).extracting(PrefetchState::status)
        .containsOnly(Status.FETCHING);
    assertThat(threads).hasSize(3);
    List.of(A, B, C).forEach(id -> await().atMost(WAIT).until(() -> held.containsKey(id)));
    held.values().forEach(future -> future.complete(null));
    await().atMost(WAIT).until(() -> queue.states().isEmpty());
  }

  @Test
  void fewerWorkersLetTheFetchesInProgressFinishThenFetchOneAtATime() {
    PrefetchQueue queue = start(new PrefetchPolicy(3, 1, QUICK, QUICK));
    for (ImageId id : List.of(A, B, C)) {
      queue.submit(id, held(id));
    }
    await().atMost(WAIT).until(() -> inFlight.get() == 3);

    queue.workers(1);
    queue.submit(D, held(D));
    assertThat(held.get(A)).isNotDone();
    List.of(A, B, C).forEach(id -> await().atMost(WAIT).until(() -> held.containsKey(id)));
    List.of(A, B, C).forEach(id -> held.get(id).complete(null));

    await().atMost(WAIT).until(() -> held.containsKey(D));
    await().atMost(WAIT).until(() -> threads.stream().filter(Thread::isAlive).count() == 1);
    queue.submit(B, held(B));
    assertThat(queue.states()).extracting(PrefetchState::imageId, PrefetchState::status)
        .containsExactly(tuple(D, Status.FETCHING), tuple(B, Status.QUEUED));
    held.get(D).complete(null);
    await().atMost(WAIT).until(() -> held.containsKey(B) && !held.get(B).isDone());
    held.get(B).complete(null);
    await().atMost(WAIT).until(() -> queue.states().isEmpty());
  }

  // ---- helpers -------------------------------------------------------------------------------

  private PrefetchQueue start(PrefetchPolicy policy) {
    ThreadFactory factory = task -> {
      Thread thread = new Thread(task, "prefetch-test-" + threads.size());
      thread.setDaemon(true);
      threads.add(thread);
      return thread;
    };
    PrefetchQueue queue = PrefetchQueue.start(policy, factory, retries, clock);
    queues.add(queue);
    return queue;
  }

  /** A fetch that records its start and completes when the test completes {@code held.get(id)}. */
  private PrefetchQueue.Fetch held(ImageId id) {
    return () -> {
      started.add(id);
      maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
      CompletableFuture<Void> future = new CompletableFuture<>();
      future.whenComplete((ignored, error) -> inFlight.decrementAndGet());
      held.put(id, future);
      return future;
    };
  }

  /** Moves time a back-off at a time, running the retries due, until {@code condition} holds. */
  private void retryUntil(Callable<Boolean> condition) {
    await().atMost(WAIT).until(() -> {
      retries.advance(QUICK);
      return condition.call();
    });
  }

  /** A fetch that records its start and succeeds at once. */
  private PrefetchQueue.Fetch succeeding(ImageId id) {
    return () -> {
      started.add(id);
      return CompletableFuture.completedFuture(null);
    };
  }
}
