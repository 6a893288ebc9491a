package io.imagecache.internal.fill;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.imagecache.CachedImage;
import io.imagecache.FillCancelledException;
import io.imagecache.FillProgress;
import io.imagecache.ImageId;
import io.imagecache.internal.store.CacheDriver;
import io.imagecache.internal.store.ExpectedContent;
import io.imagecache.internal.store.FileCacheDriver;
import io.imagecache.internal.store.sqlite.SqliteIndex;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Races of a fill's end with its readers and of chained cancels with new fills, each pinned by a
 * latch in the source or the admission.
 */
class FillRaceTest {
  private static final ImageId ID = ImageId.of("raced");
  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final byte[] CONTENT = "the bytes of the image".getBytes();
  private static final ExpectedContent EXPECTED =
      new ExpectedContent(OptionalLong.of(CONTENT.length), List.of());

  @TempDir Path dir;
  private CacheDriver driver;
  private final ExecutorService executor = Executors.newCachedThreadPool();

  @BeforeEach
  void openDriver() throws Exception {
    driver = new FileCacheDriver(dir, new SqliteIndex(dir), Clock.systemUTC(), false);
    driver.configure();
  }

  @AfterEach
  void close() throws Exception {
    executor.shutdownNow();
    assertThat(executor.awaitTermination(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
    driver.close();
  }

  @Test
  void aReaderOfAFillThatFailsAtOnceSeesTheFailure_notAFillWithoutAFile() throws Exception {
    CountDownLatch releasing = new CountDownLatch(1);
    CountDownLatch ended = new CountDownLatch(1);
    // The fill thread stops in release(): after the writer was aborted, before the fill ended.
    FillAdmission admission = (id, expected) -> () -> {
      releasing.countDown();
      awaitQuietly(ended);
    };
    FillRegistry fills = new FillRegistry(
        driver, dir, Clock.systemUTC(), false, admission, FillListener.NONE, executor);
    IOException dropped = new IOException("origin closed the connection after the headers");

    Fill fill = fills.fill(ID, () -> SourceResponse.of(EXPECTED, failingBody(dropped)));

    assertThat(fill.opened().get(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(EXPECTED);
    assertThat(releasing.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
    assertThat(fill.state()).isEqualTo(FillProgress.State.FAILED);
    assertThatThrownBy(fill::openChannel).isInstanceOf(IOException.class).hasCause(dropped);
    assertThat(fill.joinable()).isFalse();
    ended.countDown();
    assertThat(causeOf(fill)).isSameAs(dropped);
  }

  @Test
  void aFillAfterTwoCancelsWaitsForTheFirstWriter_insteadOfFindingItOpen() throws Exception {
    FillRegistry fills = new FillRegistry(
        driver, dir, Clock.systemUTC(), false, FillAdmission.ALL, FillListener.NONE, executor);
    CountDownLatch reading = new CountDownLatch(1);
    CountDownLatch stopReading = new CountDownLatch(1);
    // A body whose read does not end when the response is closed: the writer stays open until
    // the test lets the read go on.
    Fill first = fills.fill(ID, () -> SourceResponse.of(EXPECTED, blockingBody(reading,
        stopReading)));
    assertThat(reading.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
    assertThat(fills.cancel(ID, "first delete", Duration.ZERO)).isFalse();
    // A request while the first fill still holds its writer: its fill waits for that writer.
    Fill second = fills.fill(ID, () -> SourceResponse.of(EXPECTED, body(CONTENT)));
    assertThat(second).isNotSameAs(first);
    // A delete-all before the second one started, then another request.
    fills.cancelAll("every image deleted", Duration.ZERO);
    // The second fill never opened a writer, but the first still holds one: whoever replaces
    // the second must wait for it.
    assertThat(second.writerReleased()).isNotDone();
    Fill third = fills.fill(ID, () -> SourceResponse.of(EXPECTED, body(CONTENT)));
    assertThat(third).isNotSameAs(second);

    stopReading.countDown();

    CachedImage committed = third.completion().get(WAIT.toSeconds(), TimeUnit.SECONDS);
    assertThat(committed.size()).isEqualTo(CONTENT.length);
    assertThat(Files.readAllBytes(dir.resolve(ID.value()))).isEqualTo(CONTENT);
    assertThat(causeOf(first)).isInstanceOf(FillCancelledException.class);
    assertThat(causeOf(second)).isInstanceOf(FillCancelledException.class);
  }

  // ---- helpers -------------------------------------------------------------------------------

  private static ReadableByteChannel body(byte[] content) {
    return java.nio.channels.Channels.newChannel(new java.io.ByteArrayInputStream(content));
  }

  private static ReadableByteChannel failingBody(IOException failure) {
    return new ReadableByteChannel() {
      @Override
      public int read(ByteBuffer dst) throws IOException {
        throw failure;
      }

      @Override
      public boolean isOpen() {
        return true;
      }

      @Override
      public void close() {}
    };
  }

  /** Signals {@code reading} on the first read, then fails once {@code stop} opens. */
  private static ReadableByteChannel blockingBody(CountDownLatch reading, CountDownLatch stop) {
    return new ReadableByteChannel() {
      @Override
      public int read(ByteBuffer dst) throws IOException {
        reading.countDown();
        awaitQuietly(stop);
        throw new IOException("the connection was closed");
      }

      @Override
      public boolean isOpen() {
        return true;
      }

      @Override
      public void close() {}
    };
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      if (!latch.await(WAIT.toSeconds(), TimeUnit.SECONDS)) {
        throw new IllegalStateException("the test did not open the latch in time");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static Throwable causeOf(Fill fill) throws Exception {
    try {
      fill.completion().get(WAIT.toSeconds(), TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      return e.getCause();
    }
    throw new AssertionError(fill + " was expected to fail");
  }
}
