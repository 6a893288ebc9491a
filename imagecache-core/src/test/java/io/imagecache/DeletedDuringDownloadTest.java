package io.imagecache;

import static io.imagecache.CacheHarness.WAIT;
import static io.imagecache.CacheHarness.randomBytes;
import static org.assertj.core.api.Assertions.assertThat;

import io.imagecache.internal.fill.DownloadPlanner;
import io.imagecache.internal.origin.Origin;
import io.imagecache.internal.origin.OriginSettings;
import io.imagecache.internal.origin.Origins;
import io.imagecache.testing.Gate;
import io.imagecache.testing.TestOrigin;
import java.io.ByteArrayOutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A download whose image is deleted before its answer is ready starts again as a miss: the fill
 * it waited for was cancelled by a delete, or the committed file it was about to open was deleted.
 * Each race is pinned: by a gate in the test origin, and by the executor that runs the download's
 * steps, which deletes the image just before the step that opens the file.
 */
class DeletedDuringDownloadTest {
  private static final ImageId ID = ImageId.of("img-006");
  private static final int SIZE = 256 * 1024;

  @TempDir Path dir;
  private final CacheHarness harness = new CacheHarness();
  private final ExecutorService steps = Executors.newCachedThreadPool();
  private TestOrigin origin;
  private ImageCache cache;
  private final byte[] content = randomBytes(6, SIZE);

  @BeforeEach
  void open() throws Exception {
    origin = TestOrigin.start();
    origin.put(ID.value(), content);
    Origin http = Origins.parse(origin.httpTemplate(), OriginSettings.defaults());
    cache = new ImageCache(CacheHarness.config(dir).build(), Optional.of(http), harness.clock,
        harness.scheduler, harness.fillExecutor);
  }

  @AfterEach
  void close() throws Exception {
    cache.close();
    harness.close();
    steps.shutdownNow();
    assertThat(steps.awaitTermination(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
    origin.close();
  }

  @Test
  void aFileDeletedBetweenTheCommitAndItsOpen_isFetchedAgainAsAMiss() throws Exception {
    Gate paused = origin.image(ID.value()).pauseAfter(1024);
    // The first request starts the fill; it is under way, paused by the origin.
    Download first = cache.download(ID, Optional.empty());
    assertThat(paused.awaitReached(WAIT)).isTrue();
    // The second joins it; before its step that opens the file runs, the fill commits and a
    // delete (a prune, say) removes the committed file.
    AtomicInteger step = new AtomicInteger();
    Executor deleteBeforeTheOpen = task -> steps.execute(() -> {
      if (step.incrementAndGet() == 2) {
        paused.release();
        CacheHarness.closeQuietly(first);
        join(cache.activeFill(ID).orElseThrow().completion());
        deleteQuietly();
      }
      task.run();
    });

    Download second =
        cache.download(ID, Optional.empty(), deleteBeforeTheOpen).get(WAIT.toSeconds(),
            TimeUnit.SECONDS);

    assertThat(step.get()).isGreaterThan(2);
    assertThat(readAll(second)).isEqualTo(content);
    assertThat(origin.requestCount("/images/" + ID.value())).isEqualTo(2);
  }

  @Test
  void aDownloadThatLosesItsImageAtEveryAttempt_streamsTheOriginsBytesWithoutCaching()
      throws Exception {
    // Before every step that opens the file (the 2nd, 4th and 6th), the fill is let finish and a
    // delete removes the image: each attempt loses it. The last resort must still answer.
    AtomicInteger step = new AtomicInteger();
    Executor deleteBeforeEveryOpen = task -> steps.execute(() -> {
      int current = step.incrementAndGet();
      if (current % 2 == 0 && current <= 2 * DownloadPlanner.ATTEMPTS) {
        cache.activeFill(ID).ifPresent(fill -> join(fill.completion()));
        deleteQuietly();
      }
      task.run();
    });

    Download answered =
        cache.download(ID, Optional.empty(), deleteBeforeEveryOpen).get(WAIT.toSeconds(),
            TimeUnit.SECONDS);

    assertThat(answered).isInstanceOf(Download.PassThrough.class);
    assertThat(readAll(answered)).isEqualTo(content);
    assertThat(step.get()).isEqualTo(2 * DownloadPlanner.ATTEMPTS + 1);
    assertThat(origin.requestCount("/images/" + ID.value())).isEqualTo(DownloadPlanner.ATTEMPTS + 1);
  }

  @Test
  void aReaderWaitingForAFillThatADeleteCancels_isAnsweredByANewFill() throws Exception {
    Gate headers = origin.image(ID.value()).holdHeaders();
    CompletableFuture<Download> waiting = cache.download(ID, Optional.empty(), steps);
    assertThat(headers.awaitReached(WAIT)).isTrue();

    cache.delete(ID);
    headers.release();

    Download answered = waiting.get(WAIT.toSeconds(), TimeUnit.SECONDS);
    assertThat(readAll(answered)).isEqualTo(content);
    assertThat(cache.isCached(ID)).isTrue();
  }

  @Test
  void aReaderOfACancelledFill_ofAnImageGoneFromTheOrigin_isNotFound() throws Exception {
    Gate headers = origin.image(ID.value()).holdHeaders();
    CompletableFuture<Download> waiting = cache.download(ID, Optional.empty(), steps);
    assertThat(headers.awaitReached(WAIT)).isTrue();
    origin.remove(ID.value());

    cache.delete(ID);
    headers.release();

    assertThat(waiting).failsWithin(WAIT).withThrowableOfType(Exception.class)
        .havingRootCause().isInstanceOf(ImageNotFoundException.class);
  }

  // ---- helpers -------------------------------------------------------------------------------

  private void deleteQuietly() {
    try {
      cache.delete(ID);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static <T> T join(CompletableFuture<T> future) {
    try {
      return future.get(WAIT.toSeconds(), TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** Reads a download's whole image as a server would: a fill followed to its commit. */
  private static byte[] readAll(Download download) throws Exception {
    try (download) {
      if (download instanceof Download.Hit hit) {
        return CacheHarness.read(hit.channel(), 0, (int) hit.size());
      }
      if (download instanceof Download.PassThrough passThrough) {
        return java.nio.channels.Channels.newInputStream(passThrough.body()).readAllBytes();
      }
      Download.Filling filling = (Download.Filling) download;
      FileChannel channel = filling.channel();
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      long position = 0;
      while (true) {
        long available = filling.awaitBytes(position).get(WAIT.toSeconds(), TimeUnit.SECONDS);
        if (available <= position) {
          filling.verified().get(WAIT.toSeconds(), TimeUnit.SECONDS);
          return out.toByteArray();
        }
        out.write(CacheHarness.read(channel, position, (int) (available - position)));
        position = available;
      }
    }
  }
}
