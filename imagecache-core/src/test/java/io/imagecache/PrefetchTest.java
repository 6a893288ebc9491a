package io.imagecache;

import static io.imagecache.CacheHarness.WAIT;
import static io.imagecache.CacheHarness.namesIn;
import static io.imagecache.CacheHarness.randomBytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import io.imagecache.PrefetchState.Status;
import io.imagecache.internal.fill.ImageSource;
import io.imagecache.internal.origin.ImageMetadata;
import io.imagecache.internal.origin.Origin;
import io.imagecache.internal.origin.OriginSettings;
import io.imagecache.internal.origin.Origins;
import io.imagecache.testing.Gate;
import io.imagecache.testing.ManualScheduler;
import io.imagecache.testing.MutableClock;
import io.imagecache.testing.RecordedRequest;
import io.imagecache.testing.TestOrigin;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** PUT /v2/cache/{id} through the facade, against a real Glance origin on loopback. */
class PrefetchTest {
  private static final ImageId A = ImageId.of("aaaaaaaa-1111-4000-8000-000000000001");
  private static final ImageId B = ImageId.of("bbbbbbbb-2222-4000-8000-000000000002");
  private static final ImageId C = ImageId.of("cccccccc-3333-4000-8000-000000000003");
  private static final ImageId D = ImageId.of("dddddddd-4444-4000-8000-000000000004");
  private static final int SIZE = 200_000;
  private static final OriginSettings SETTINGS = OriginSettings.defaults()
      .withTimeouts(Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(10));

  @TempDir Path dir;
  private final MutableClock clock = new MutableClock(Instant.parse("2026-03-01T10:00:00Z"));
  private final ExecutorService fillExecutor = Executors.newCachedThreadPool();
  /** Runs retries (and the caches' other timers) when a test moves time. */
  private final ManualScheduler scheduler = new ManualScheduler(clock);
  private final List<ImageCache> opened = new ArrayList<>();
  /** Gates a test holds responses at; all released before the origin stops. */
  private final List<Gate> gates = new ArrayList<>();
  private TestOrigin glance;

  @BeforeEach
  void startOrigin() throws IOException {
    glance = TestOrigin.start();
  }

  @AfterEach
  void stop() throws Exception {
    gates.forEach(Gate::release);
    for (ImageCache cache : opened) {
      cache.close();
    }
    scheduler.shutdownNow();
    fillExecutor.shutdownNow();
    assertThat(fillExecutor.awaitTermination(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
    glance.close();
  }

  // ---- the happy path ------------------------------------------------------------------------

  @Test
  void aPrefetchedImageIsCachedAndLeavesTheQueue() throws Exception {
    byte[] content = serve(A, 1);
    ImageCache cache = open(config().build(), glanceOrigin(SETTINGS));

    cache.prefetch(A, Optional.empty());

    await().atMost(WAIT).until(() -> cache.isCached(A));
    assertThat(Files.readAllBytes(dir.resolve(A.value()))).isEqualTo(content);
    assertThat(cache.queuedImages()).isEmpty();
    assertThat(cache.prefetchStates()).isEmpty();
    assertThat(glance.requestCount(filePath(A))).isEqualTo(1);
  }

  @Test
  void aQueuedImageIsListedUntilItIsCached() throws Exception {
    serve(A, 1);
    Gate body = gate(glance.image(A.value()).pauseAfter(1000));
    ImageCache cache = open(config().build(), glanceOrigin(SETTINGS));

    cache.prefetch(A, Optional.empty());

    assertThat(body.awaitReached(WAIT)).isTrue();
    assertThat(cache.queuedImages()).containsExactly(A);
    assertThat(cache.prefetchStates()).extracting(PrefetchState::imageId, PrefetchState::status)
        .containsExactly(tuple(A, Status.FETCHING));
    body.release();
    await().atMost(WAIT).until(() -> cache.isCached(A));
    assertThat(cache.queuedImages()).isEmpty();
  }

  @Test
  void prefetchOfACachedImageAcceptsItWithoutDownloadingItAgain() throws Exception {
    serve(A, 1);
    ImageCache cache = open(config().build(), glanceOrigin(SETTINGS));
    cache.prefetch(A, Optional.empty());
    await().atMost(WAIT).until(() -> cache.isCached(A));

    cache.prefetch(A, Optional.empty());

    assertThat(cache.isCached(A)).isTrue();
    assertThat(cache.queuedImages()).isEmpty();
    assertThat(cache.prefetchStates()).isEmpty();
    assertThat(glance.requestCount(filePath(A))).isEqualTo(1);
  }

  @Test
  void prefetchWhileAClientDownloadFillsTheImageJoinsThatFill() throws Exception {
    byte[] content = serve(A, 1);
    Gate body = gate(glance.image(A.value()).pauseAfter(SIZE / 2));
    ImageCache cache = open(config().build(), glanceOrigin(SETTINGS));

    try (Download download = cache.download(A, Optional.empty())) {
      assertThat(download).isInstanceOf(Download.Filling.class);
      cache.prefetch(A, Optional.empty());
      await().atMost(WAIT).until(() -> cache.prefetchStates().stream()
          .anyMatch(state -> state.status() == Status.FETCHING));
      body.release();
      ((Download.Filling) download).verified().get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }

    await().atMost(WAIT).until(() -> cache.prefetchStates().isEmpty());
    assertThat(Files.readAllBytes(dir.resolve(A.value()))).isEqualTo(content);
    assertThat(glance.requestCount(filePath(A))).isEqualTo(1);
  }

  // ---- refusals ------------------------------------------------------------------------------

  @Test
  void anUnknownImageIsNotFoundAndNothingIsQueued() throws Exception {
    ImageCache cache = open(config().build(), glanceOrigin(SETTINGS));

    assertThatThrownBy(() -> cache.prefetch(A, Optional.empty()))
        .isInstanceOf(ImageNotFoundException.class);

    assertThat(cache.queuedImages()).isEmpty();
    assertThat(cache.prefetchStates()).isEmpty();
  }

  @Test
  void anImageTheCallerMayNotSeeIsNotFound() throws Exception {
    serve(A, 1);
    glance.image(A.value()).visibleTo("owner-token");
    ImageCache cache = open(config().build(), glanceOrigin(SETTINGS));

    assertThatThrownBy(() -> cache.prefetch(A, Optional.of("other-token")))
        .isInstanceOf(ImageNotFoundException.class);

    assertThat(cache.queuedImages()).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"saving", "queued", "pending_delete", "deactivated", "importing",
      "uploading"})
  void anImageThatIsNotActiveIsRefusedAndNothingIsQueued(String status) throws Exception {
    serve(A, 1);
    glance.image(A.value()).glanceStatus(status);
    ImageCache cache = open(config().build(), glanceOrigin(SETTINGS));

    assertThatThrownBy(() -> cache.prefetch(A, Optional.empty()))
        .isInstanceOf(ImageNotActiveException.class)
        .extracting(e -> ((ImageNotActiveException) e).status()).isEqualTo(status);

    assertThat(cache.queuedImages()).isEmpty();
    assertThat(cache.prefetchStates()).isEmpty();
    assertThat(glance.requestCount(filePath(A))).isZero();
  }

  @Test
  void withoutAnOriginOnlyACachedImageIsAccepted() throws Exception {
    ImageCache cache = new ImageCache(config().build(), clock, scheduler, fillExecutor);
    opened.add(cache);
    CacheHarness.cache(cache, B.value(), randomBytes(2, 1000));

    assertThatThrownBy(() -> cache.prefetch(A, Optional.empty()))
        .isInstanceOf(ImageNotFoundException.class);
    cache.prefetch(B, Optional.empty());

    assertThat(cache.queuedImages()).isEmpty();
    assertThat(cache.prefetchStates()).isEmpty();
  }

  // ---- failures and retries ------------------------------------------------------------------

  @Test
  void aCorruptImageIsNotCachedAndTheWorkerGoesOnToCacheTheNextOne() throws Exception {
    serve(A, 1);
    glance.image(A.value()).wrongMd5();
    byte[] next = serve(B, 2);
    ImageCache cache = open(config().prefetchWorkers(1).prefetchMaxAttempts(1).build(),
        glanceOrigin(SETTINGS));

    cache.prefetch(A, Optional.empty());
    cache.prefetch(B, Optional.empty());

    await().atMost(WAIT).until(() -> cache.isCached(B));
    assertThat(Files.readAllBytes(dir.resolve(B.value()))).isEqualTo(next);
    assertThat(cache.isCached(A)).isFalse();
    assertThat(namesIn(dir.resolve("invalid"))).containsExactly(A.value());
    assertThat(cache.prefetchStates()).singleElement().satisfies(state -> {
      assertThat(state.imageId()).isEqualTo(A);
      assertThat(state.status()).isEqualTo(Status.FAILED);
      assertThat(state.attempts()).isEqualTo(1);
      assertThat(state.lastError()).hasValueSatisfying(
          error -> assertThat(error).containsIgnoringCase("md5"));
    });
    assertThat(cache.queuedImages()).containsExactly(A);
  }

  @Test
  void aFailedFetchIsRetriedWithGrowingDelaysUntilItSucceeds() throws Exception {
    byte[] content = serve(A, 1);
    ImageCache cache = open(config().build(), new FailingFirstOrigin(glanceOrigin(SETTINGS), 2));

    cache.prefetch(A, Optional.empty());

    retryAfter(cache, 1, Duration.ofSeconds(1));
    retryAfter(cache, 2, Duration.ofSeconds(2));
    await().atMost(WAIT).until(() -> cache.isCached(A));
    assertThat(Files.readAllBytes(dir.resolve(A.value()))).isEqualTo(content);
    assertThat(cache.queuedImages()).isEmpty();
    await().atMost(WAIT).until(() -> cache.prefetchStates().isEmpty());
  }

  @Test
  void afterTheLastAttemptTheImageStaysQueuedAsFailedWithItsReason() throws Exception {
    serve(A, 1);
    glance.image(A.value()).truncateAfter(SIZE / 4);
    ImageCache cache = open(config().prefetchMaxAttempts(3).build(), glanceOrigin(SETTINGS));

    cache.prefetch(A, Optional.empty());

    retryAfter(cache, 1, Duration.ofSeconds(1));
    retryAfter(cache, 2, Duration.ofSeconds(2));
    await().atMost(WAIT).until(() -> cache.prefetchStates().stream()
        .anyMatch(state -> state.status() == Status.FAILED));
    PrefetchState failed = cache.prefetchStates().get(0);
    assertThat(failed.attempts()).isEqualTo(3);
    assertThat(failed.lastError()).isPresent();
    assertThat(failed.nextAttemptAt()).isEmpty();
    assertThat(glance.requestCount(filePath(A))).isEqualTo(3);
    assertThat(cache.isCached(A)).isFalse();
    assertThat(cache.queuedImages()).containsExactly(A);

    assertThat(cache.deleteQueued(A)).isTrue();
    assertThat(cache.prefetchStates()).isEmpty();
    assertThat(cache.queuedImages()).isEmpty();
  }

  @Test
  void queuingAFailedImageAgainStartsAfresh() throws Exception {
    serve(A, 1);
    glance.image(A.value()).truncateAfter(SIZE / 4);
    ImageCache cache = open(config().prefetchMaxAttempts(1).build(), glanceOrigin(SETTINGS));
    cache.prefetch(A, Optional.empty());
    await().atMost(WAIT).until(() -> cache.prefetchStates().stream()
        .anyMatch(state -> state.status() == Status.FAILED));

    byte[] repaired = serve(A, 3);
    cache.prefetch(A, Optional.empty());

    await().atMost(WAIT).until(() -> cache.isCached(A));
    assertThat(Files.readAllBytes(dir.resolve(A.value()))).isEqualTo(repaired);
    await().atMost(WAIT).until(() -> cache.prefetchStates().isEmpty());
    assertThat(cache.queuedImages()).isEmpty();
  }

  @Test
  void aFailedPrefetchOfAnImageAClientCachedSinceIsForgotten() throws Exception {
    serve(A, 1);
    glance.image(A.value()).truncateAfter(SIZE / 4);
    ImageCache cache = open(config().prefetchMaxAttempts(1).build(), glanceOrigin(SETTINGS));
    cache.prefetch(A, Optional.empty());
    await().atMost(WAIT).until(() -> !cache.prefetchStates().isEmpty()
        && cache.prefetchStates().get(0).status() == Status.FAILED);

    serve(A, 1);
    try (Download download = cache.download(A, Optional.empty())) {
      ((Download.Filling) download).verified().get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }

    assertThat(cache.prefetchStates()).isEmpty();
    assertThat(cache.queuedImages()).isEmpty();
  }

  // ---- bounds, removal, restart --------------------------------------------------------------

  @Test
  void twoWorkersHaveAtMostTwoImagesInFlight() throws Exception {
    List<Gate> bodies = new ArrayList<>();
    for (ImageId id : List.of(A, B, C, D)) {
      serve(id, id.hashCode());
      bodies.add(gate(glance.image(id.value()).pauseAfter(0)));
    }
    ImageCache cache = open(config().prefetchWorkers(2).build(), glanceOrigin(SETTINGS));

    for (ImageId id : List.of(A, B, C, D)) {
      cache.prefetch(id, Optional.empty());
    }

    // A and B reaching the origin's body is the moment a third worker, if there were one, would
    // have taken C long since (a worker takes an entry at submit, before any request).
    await().atMost(WAIT).until(() -> bodies.get(0).isReached() && bodies.get(1).isReached());
    assertThat(cache.prefetchStates()).extracting(PrefetchState::imageId, PrefetchState::status)
        .containsExactly(tuple(A, Status.FETCHING), tuple(B, Status.FETCHING),
            tuple(C, Status.QUEUED), tuple(D, Status.QUEUED));
    assertThat(fileRequests()).isEqualTo(2);

    bodies.get(0).release();
    await().atMost(WAIT).until(() -> bodies.get(2).isReached());
    assertThat(fileRequests()).isEqualTo(3);
    bodies.forEach(Gate::release);
    await().atMost(WAIT).until(() -> cache.cachedImages().size() == 4);
    assertThat(cache.queuedImages()).isEmpty();
  }

  @Test
  void deletingQueuedImagesForgetsTheirPrefetches() throws Exception {
    serve(A, 1);
    serve(B, 2);
    serve(C, 3);
    Gate body = gate(glance.image(A.value()).pauseAfter(0));
    ImageCache cache = open(config().prefetchWorkers(1).build(), glanceOrigin(SETTINGS));
    cache.prefetch(A, Optional.empty());
    assertThat(body.awaitReached(WAIT)).isTrue();
    cache.prefetch(B, Optional.empty());
    cache.prefetch(C, Optional.empty());

    assertThat(cache.deleteQueued(B)).isTrue();
    assertThat(cache.prefetchStates()).extracting(PrefetchState::imageId).containsExactly(A, C);
    assertThat(cache.deleteAllQueued()).isEqualTo(2);
    assertThat(cache.prefetchStates()).isEmpty();
    assertThat(cache.queuedImages()).isEmpty();

    body.release();
    await().atMost(WAIT).until(() -> cache.isCached(A));
    assertThat(glance.requestCount(filePath(B))).isZero();
    assertThat(glance.requestCount(filePath(C))).isZero();
  }

  @Test
  void imagesStillQueuedAtCloseAreFetchedAfterTheCacheIsOpenedAgain() throws Exception {
    byte[] first = serve(A, 1);
    byte[] second = serve(B, 2);
    Gate body = gate(glance.image(A.value()).pauseAfter(0));
    CacheConfig config = config().prefetchWorkers(1).build();
    ImageCache cache = open(config, glanceOrigin(SETTINGS));
    cache.prefetch(A, Optional.empty());
    cache.prefetch(B, Optional.empty());
    assertThat(body.awaitReached(WAIT)).isTrue();
    assertThat(cache.queuedImages()).containsExactly(A, B);

    cache.close();
    body.release();
    ImageCache reopened = open(config, glanceOrigin(SETTINGS));

    await().atMost(WAIT).until(() -> reopened.isCached(A) && reopened.isCached(B));
    assertThat(Files.readAllBytes(dir.resolve(A.value()))).isEqualTo(first);
    assertThat(Files.readAllBytes(dir.resolve(B.value()))).isEqualTo(second);
    assertThat(reopened.queuedImages()).isEmpty();
    assertThat(glance.requestCount(filePath(B))).isEqualTo(1);
  }

  @Test
  void prefetchesAskGlanceWithTheServiceTokenAndClientDownloadsNeverDo() throws Exception {
    serve(A, 1);
    serve(B, 2);
    glance.image(A.value()).visibleTo("user-token", "service-token");
    glance.image(B.value()).visibleTo("user-token");
    ImageCache cache = open(config().build(), glanceOrigin(SETTINGS.withBearerToken("service-token")));

    cache.prefetch(A, Optional.of("user-token"));
    await().atMost(WAIT).until(() -> cache.isCached(A));
    try (Download download = cache.download(B, Optional.of("user-token"))) {
      ((Download.Filling) download).verified().get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }
    assertThatThrownBy(() -> cache.download(C, Optional.empty()))
        .isInstanceOf(ImageNotFoundException.class);

    // The PUT's check and the fill both ask as the cache: management calls never forward a token.
    assertThat(glance.requests("/v2/images/" + A)).extracting(token())
        .containsExactly(Optional.of("service-token"), Optional.of("service-token"));
    assertThat(glance.requests(filePath(A))).extracting(token())
        .containsExactly(Optional.of("service-token"));
    assertThat(glance.requests("/v2/images/" + B)).extracting(token())
        .containsOnly(Optional.of("user-token"));
    assertThat(glance.requests(filePath(B))).extracting(token())
        .containsExactly(Optional.of("user-token"));
    assertThat(glance.requests("/v2/images/" + C)).extracting(token())
        .containsOnly(Optional.empty());
  }

  @Test
  void withoutAServiceTokenAPrefetchUsesTheTokenOfTheRequestThatQueuedIt() throws Exception {
    serve(A, 1);
    glance.image(A.value()).visibleTo("user-token");
    ImageCache cache = open(config().build(), glanceOrigin(SETTINGS));

    cache.prefetch(A, Optional.of("user-token"));

    await().atMost(WAIT).until(() -> cache.isCached(A));
    assertThat(glance.requests(filePath(A))).extracting(token())
        .containsExactly(Optional.of("user-token"));
  }

  // ---- helpers -------------------------------------------------------------------------------

  private CacheConfig.Builder config() {
    return CacheHarness.config(dir);
  }

  private ImageCache open(CacheConfig config, Origin origin) throws IOException {
    ImageCache cache = new ImageCache(config, Optional.of(origin), clock, scheduler, fillExecutor);
    opened.add(cache);
    return cache;
  }

  private Origin glanceOrigin(OriginSettings settings) {
    return Origins.parse(glance.glanceSpec(), settings);
  }

  /** Serves reproducible bytes as {@code id} (replacing its knobs) and returns them. */
  private byte[] serve(ImageId id, long seed) {
    byte[] content = randomBytes(seed, SIZE);
    glance.put(id.value(), content);
    return content;
  }

  private Gate gate(Gate gate) {
    gates.add(gate);
    return gate;
  }

  private int fileRequests() {
    return (int) glance.requests().stream().filter(r -> r.path().endsWith("/file")).count();
  }

  private static String filePath(ImageId id) {
    return "/v2/images/" + id + "/file";
  }

  private static java.util.function.Function<RecordedRequest, Optional<String>> token() {
    return request -> request.header("X-Auth-Token");
  }

  /**
   * Waits for the {@code attempts}-th failed prefetch (the only one), checks that its retry is
   * due {@code delay} later and not before, and moves time there.
   */
  private void retryAfter(ImageCache cache, int attempts, Duration delay) {
    await().atMost(WAIT).until(() -> cache.prefetchStates().stream().anyMatch(
        state -> state.status() == Status.RETRYING && state.attempts() == attempts));
    Instant due = clock.instant().plus(delay);
    assertThat(cache.prefetchStates().get(0).nextAttemptAt()).contains(due);
    scheduler.advance(delay.minusMillis(1));
    assertThat(cache.prefetchStates().get(0).status()).as("before the back-off")
        .isEqualTo(Status.RETRYING);
    scheduler.advance(Duration.ofMillis(1));
  }

  /** A Glance origin whose first {@code failures} prefetch downloads fail before asking Glance. */
  private static final class FailingFirstOrigin implements Origin {
    private final Origin delegate;
    private final AtomicInteger failuresLeft;

    FailingFirstOrigin(Origin delegate, int failures) {
      this.delegate = delegate;
      this.failuresLeft = new AtomicInteger(failures);
    }

    @Override
    public ImageMetadata metadata(ImageId id, Optional<String> authToken) throws IOException {
      return delegate.metadata(id, authToken);
    }

    @Override
    public ImageSource source(ImageId id, Optional<String> authToken) {
      return delegate.source(id, authToken);
    }

    @Override
    public ImageSource prefetchSource(ImageId id, Optional<String> callerToken) {
      ImageSource real = delegate.prefetchSource(id, callerToken);
      return () -> {
        if (failuresLeft.getAndDecrement() > 0) {
          throw new OriginUnavailableException("Glance answered 503 (scripted)");
        }
        return real.open();
      };
    }

    @Override
    public boolean authorizesReaders() {
      return delegate.authorizesReaders();
    }

    @Override
    public Optional<URI> apiEndpoint() {
      return delegate.apiEndpoint();
    }

    @Override
    public void close() {
      delegate.close();
    }
  }
}
