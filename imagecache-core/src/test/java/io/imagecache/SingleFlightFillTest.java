package io.imagecache;

import static io.imagecache.CacheHarness.WAIT;
import static io.imagecache.CacheHarness.follow;
import static io.imagecache.CacheHarness.namesIn;
import static io.imagecache.CacheHarness.randomBytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.imagecache.internal.fill.Fill;
import io.imagecache.internal.store.ContentDigest;
import io.imagecache.internal.store.ContentMismatchException;
import io.imagecache.internal.store.DigestAlgorithm;
import io.imagecache.internal.store.ExpectedContent;
import java.io.ByteArrayOutputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class SingleFlightFillTest {
  private static final ImageId ID = ImageId.of("9f5c2a7e-1d3b-4c8a-9e6f-0a1b2c3d4e5f");
  private static final int SIZE = 3 * 1024 * 1024 + 4321;

  @TempDir Path dir;
  private CacheHarness harness;
  private ImageCache cache;
  private final byte[] content = randomBytes(42, SIZE);

  @BeforeEach
  void openCache() throws IOException {
    harness = new CacheHarness();
    cache = harness.open(dir);
  }

  @AfterEach
  void closeCache() throws Exception {
    harness.close();
  }

  // ---- single flight -------------------------------------------------------------------------

  @Test
  void sixteenConcurrentMissesShareOneOriginFetch() throws Exception {
    ScriptedSource source = new ScriptedSource(content, expectedAll(content)).pauseAfter(0);
    int callers = 16;
    CyclicBarrier start = new CyclicBarrier(callers);
    ExecutorService threads = Executors.newFixedThreadPool(callers);
    try {
      List<Future<Fill>> calls = new ArrayList<>();
      for (int i = 0; i < callers; i++) {
        calls.add(threads.submit(() -> {
          start.await();
          return cache.fill(ID, source);
        }));
      }
      List<Fill> fills = new ArrayList<>();
      for (Future<Fill> call : calls) {
        fills.add(call.get(WAIT.toSeconds(), TimeUnit.SECONDS));
      }
      assertThat(fills).allSatisfy(fill -> assertThat(fill).isSameAs(fills.get(0)));

      List<Future<byte[]>> reads = new ArrayList<>();
      for (Fill fill : fills) {
        reads.add(threads.submit(() -> follow(fill)));
      }
      source.resume();

      List<CachedImage> completions = new ArrayList<>();
      for (int i = 0; i < callers; i++) {
        assertThat(reads.get(i).get(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(content);
        completions.add(fills.get(i).completion().get(WAIT.toSeconds(), TimeUnit.SECONDS));
      }
      assertThat(completions).allSatisfy(image -> assertThat(image).isEqualTo(completions.get(0)));
      assertThat(completions.get(0).size()).isEqualTo(SIZE);
    } finally {
      threads.shutdownNow();
    }

    assertThat(source.opens()).isEqualTo(1);
    assertThat(Files.readAllBytes(dir.resolve(ID.value()))).isEqualTo(content);
    assertThat(cache.cachedImages()).extracting(CachedImage::imageId).containsExactly(ID);
    assertThat(namesIn(dir.resolve("incomplete"))).isEmpty();
    assertThat(namesIn(dir.resolve("invalid"))).isEmpty();
    await().atMost(WAIT).until(() -> cache.activeFill(ID).isEmpty());
  }

  @Test
  void aReaderFollowsTheFileWhileTheSourceIsStillSending() throws Exception {
    int firstPart = 1024 * 1024 + 123;
    ScriptedSource source = new ScriptedSource(content, expectedAll(content)).pauseAfter(firstPart);
    Fill fill = cache.fill(ID, source);
    assertThat(source.awaitPaused(WAIT)).isTrue();

    long available = fill.awaitBytes(firstPart - 1).get(WAIT.toSeconds(), TimeUnit.SECONDS);
    assertThat(available).isEqualTo(firstPart);
    CompletableFuture<Long> more = fill.awaitBytes(firstPart);
    try (FileChannel channel = fill.openChannel()) {
      assertThat(CacheHarness.read(channel, 0, firstPart))
          .isEqualTo(Arrays.copyOfRange(content, 0, firstPart));
      assertThat(fill.state()).isEqualTo(FillProgress.State.RUNNING);
      assertThat(cache.activeFills()).containsExactly(new FillProgress(
          ID, FillProgress.State.RUNNING, firstPart, OptionalLong.of(SIZE), harness.clock.instant()));
      assertThat(fill.completion()).isNotDone();
      assertThat(more).isNotDone();

      source.resume();

      long position = firstPart;
      ByteArrayOutputStream rest = new ByteArrayOutputStream();
      while (true) {
        long now = fill.awaitBytes(position).get(WAIT.toSeconds(), TimeUnit.SECONDS);
        if (now <= position) {
          break;
        }
        rest.write(CacheHarness.read(channel, position, (int) (now - position)));
        position = now;
      }
      assertThat(rest.toByteArray()).isEqualTo(Arrays.copyOfRange(content, firstPart, SIZE));
    }
    assertThat(more.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isGreaterThan(firstPart);
    assertThat(fill.completion().get(WAIT.toSeconds(), TimeUnit.SECONDS).size()).isEqualTo(SIZE);
    assertThat(fill.state()).isEqualTo(FillProgress.State.COMMITTED);
    assertThat(fill.awaitBytes(SIZE + 100L).get(WAIT.toSeconds(), TimeUnit.SECONDS))
        .isEqualTo(SIZE);
    assertThat(Files.readAllBytes(dir.resolve(ID.value()))).isEqualTo(content);
  }

  @Test
  void aFillOfAnImageCommittedMeanwhileDoesNotAskTheSource() throws Exception {
    CachedImage first = CacheHarness.cache(cache, ID.value(), content);
    await().atMost(WAIT).until(() -> cache.activeFill(ID).isEmpty());
    ScriptedSource second = ScriptedSource.of(content);

    Fill fill = cache.fill(ID, second);

    assertThat(fill.completion().get(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(first);
    assertThat(fill.opened().get(WAIT.toSeconds(), TimeUnit.SECONDS).size()).hasValue(SIZE);
    assertThat(follow(fill)).isEqualTo(content);
    assertThat(second.opens()).isZero();
  }

  // ---- failures ------------------------------------------------------------------------------

  static Stream<Arguments> badSources() {
    return Stream.of(
        bad("the origin drops the connection mid-body",
            c -> new ScriptedSource(c, expectedAll(c)).failAfter(2 * 1024 * 1024),
            IOException.class, "origin dropped the connection after 2097152 bytes"),
        bad("the body ends before the expected size",
            c -> new ScriptedSource(c, expectedAll(c)).endAfter(2 * 1024 * 1024),
            ContentMismatchException.class, ""),
        bad("the MD5 differs",
            c -> new ScriptedSource(c, new ExpectedContent(OptionalLong.of(c.length), List.of(
                new ContentDigest(DigestAlgorithm.MD5, "0".repeat(32))))),
            ContentMismatchException.class, ""),
        bad("the SHA-512 differs",
            c -> new ScriptedSource(c, new ExpectedContent(OptionalLong.of(c.length), List.of(
                digest(DigestAlgorithm.MD5, c), new ContentDigest(DigestAlgorithm.SHA_512,
                    "ab".repeat(64))))),
            ContentMismatchException.class, ""));
  }

  @ParameterizedTest(name = "{0}: nothing is cached")
  @MethodSource("badSources")
  void aFailedFillCachesNothingAndFailsEveryWaiter(
      String why, Function<byte[], ScriptedSource> bad, Class<? extends Throwable> failure,
      String message) throws Exception {
    ScriptedSource source = bad.apply(content).pauseAfter(512 * 1024);
    Fill fill = cache.fill(ID, source);
    assertThat(source.awaitPaused(WAIT)).isTrue();
    CompletableFuture<Long> waiter = fill.awaitBytes(SIZE + 1L);
    source.resume();

    Throwable cause = causeOf(fill.completion());
    assertThat(cause).isInstanceOf(failure).hasMessageContaining(message);
    assertThat(causeOf(waiter)).isSameAs(cause);
    assertThat(causeOf(fill.awaitBytes(0))).isSameAs(cause);
    assertThatThrownBy(fill::openChannel).isInstanceOf(IOException.class).hasCause(cause);
    assertThat(fill.state()).isEqualTo(FillProgress.State.FAILED);
    await().atMost(WAIT).until(() -> cache.activeFill(ID).isEmpty());

    assertThat(cache.isCached(ID)).isFalse();
    assertThat(cache.openCached(ID)).isEmpty();
    assertThat(cache.cachedImages()).isEmpty();
    assertThat(namesIn(dir.resolve("incomplete"))).isEmpty();
    assertThat(namesIn(dir.resolve("invalid"))).containsExactly(ID.value());
    assertThat(cache.isCacheable(ID)).isTrue();

    Fill again = cache.fill(ID, new ScriptedSource(content, expectedAll(content)));
    assertThat(again).isNotSameAs(fill);
    assertThat(again.completion().get(WAIT.toSeconds(), TimeUnit.SECONDS).size()).isEqualTo(SIZE);
    assertThat(Files.readAllBytes(dir.resolve(ID.value()))).isEqualTo(content);
  }

  @Test
  void whatTheSourceThrowsOnOpenReachesEveryWaiterUnchanged() throws Exception {
    FileNotFoundException notFound = new FileNotFoundException("no image " + ID + " at the origin");
    ScriptedSource source = ScriptedSource.of(content).failOnOpen(notFound);

    Fill fill = cache.fill(ID, source);

    assertThat(causeOf(fill.opened())).isSameAs(notFound);
    assertThat(causeOf(fill.completion())).isSameAs(notFound);
    assertThat(causeOf(fill.awaitBytes(0))).isSameAs(notFound);
    fill.completion().handle((image, error) -> assertThat(error).isSameAs(notFound)).join();
    assertThat(cache.isCacheable(ID)).isTrue();
    assertThat(namesIn(dir.resolve("invalid"))).isEmpty();
  }

  @Test
  void sharedFuturesCannotBeCompletedByACaller() throws Exception {
    ScriptedSource source = ScriptedSource.of(content).pauseAfter(0);
    Fill fill = cache.fill(ID, source);
    assertThat(source.awaitPaused(WAIT)).isTrue();

    assertThatThrownBy(() -> fill.completion().cancel(true))
        .isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> fill.completion().completeExceptionally(new IOException("mine")))
        .isInstanceOf(UnsupportedOperationException.class);
    source.resume();
    assertThat(fill.completion().get(WAIT.toSeconds(), TimeUnit.SECONDS).size()).isEqualTo(SIZE);
  }

  // ---- cancel and delete ---------------------------------------------------------------------

  @Test
  void aCancelledFillCachesNothing() throws Exception {
    ScriptedSource source = ScriptedSource.of(content).pauseAfter(1024 * 1024);
    Fill fill = cache.fill(ID, source);
    assertThat(source.awaitPaused(WAIT)).isTrue();
    CompletableFuture<Long> waiter = fill.awaitBytes(SIZE);

    fill.cancel("test says stop");

    Throwable cause = causeOf(fill.completion());
    assertThat(cause).isInstanceOf(FillCancelledException.class)
        .hasMessage("fill of image " + ID + " cancelled: test says stop");
    assertThat(causeOf(waiter)).isSameAs(cause);
    assertThat(fill.state()).isEqualTo(FillProgress.State.FAILED);
    await().atMost(WAIT).until(() -> cache.activeFill(ID).isEmpty());
    await().atMost(WAIT).until(() -> namesIn(dir.resolve("incomplete")).isEmpty());
    assertThat(cache.isCached(ID)).isFalse();
    assertThat(namesIn(dir.resolve("invalid"))).containsExactly(ID.value());
  }

  @Test
  void deleteCancelsALiveFillAndReturnsOnceItsFileIsGone() throws Exception {
    ScriptedSource source = ScriptedSource.of(content).pauseAfter(1024 * 1024);
    Fill fill = cache.fill(ID, source);
    assertThat(source.awaitPaused(WAIT)).isTrue();

    assertThat(cache.delete(ID)).isFalse();

    assertThat(causeOf(fill.completion())).isInstanceOf(FillCancelledException.class);
    assertThat(namesIn(dir.resolve("incomplete"))).isEmpty();
    assertThat(cache.isCached(ID)).isFalse();
    assertThat(cache.isCacheable(ID)).isTrue();
  }

  @Test
  void aFillAskedForAfterACancelStartsAfreshInsteadOfJoiningTheCancelledOne() throws Exception {
    ScriptedSource first = ScriptedSource.of(content).pauseAfter(1024 * 1024);
    Fill cancelled = cache.fill(ID, first);
    assertThat(first.awaitPaused(WAIT)).isTrue();
    cancelled.cancel("replaced");

    ScriptedSource second = ScriptedSource.of(content);
    Fill fresh = cache.fill(ID, second);

    assertThat(fresh).isNotSameAs(cancelled);
    assertThat(fresh.completion().get(WAIT.toSeconds(), TimeUnit.SECONDS).size()).isEqualTo(SIZE);
    assertThat(second.opens()).isEqualTo(1);
    assertThat(Files.readAllBytes(dir.resolve(ID.value()))).isEqualTo(content);
    assertThat(namesIn(dir.resolve("incomplete"))).isEmpty();
  }

  // ---- helpers -------------------------------------------------------------------------------

  private static Arguments bad(
      String why, Function<byte[], ScriptedSource> source, Class<? extends Throwable> failure,
      String message) {
    return Arguments.of(why, source, failure, message);
  }

  /** Size, MD5 and SHA-512 of {@code content}, as a Glance origin announces them. */
  static ExpectedContent expectedAll(byte[] content) {
    return new ExpectedContent(OptionalLong.of(content.length), List.of(
        digest(DigestAlgorithm.MD5, content), digest(DigestAlgorithm.SHA_512, content)));
  }

  static ContentDigest digest(DigestAlgorithm algorithm, byte[] content) {
    MessageDigest digest = algorithm.newMessageDigest();
    return ContentDigest.of(algorithm, digest.digest(content));
  }

  /** The exception a future failed with, waiting for it. */
  private static Throwable causeOf(CompletableFuture<?> future) throws Exception {
    try {
      future.get(WAIT.toSeconds(), TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      return e.getCause();
    }
    throw new AssertionError("expected " + future + " to fail, it succeeded");
  }
}
