package io.imagecache.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * One readiness check: its probe's detail or failure, a failed result once the timeout has passed,
 * and one probe in flight at a time however many requests ask.
 */
class ReadinessCheckTest {
  private final ExecutorService blocking = Executors.newFixedThreadPool(4);
  private final CountDownLatch release = new CountDownLatch(1);

  @AfterEach
  void stop() {
    release.countDown();
    blocking.shutdownNow();
  }

  @Test
  void aProbeThatAnswersPassesWithItsDetail() {
    ReadinessCheck check = new ReadinessCheck("x", () -> "fine", blocking, Duration.ofSeconds(5));

    ReadinessCheck.Result result = check.run().join();

    assertThat(result.ok()).isTrue();
    assertThat(result.detail()).startsWith("fine (").endsWith(" ms)");
  }

  @Test
  void aProbeThatThrowsFailsWithItsMessage() {
    ReadinessCheck check = new ReadinessCheck("x", () -> {
      throw new IOException("read-only file system");
    }, blocking, Duration.ofSeconds(5));

    assertThat(check.run().join())
        .isEqualTo(new ReadinessCheck.Result(false, "read-only file system"));
  }

  @Test
  void aProbeThatHangsFailsAtTheTimeoutAndIsSharedMeanwhile() throws Exception {
    AtomicInteger started = new AtomicInteger();
    ReadinessCheck check = new ReadinessCheck("x", () -> {
      started.incrementAndGet();
      release.await(1, TimeUnit.MINUTES);
      return "late";
    }, blocking, Duration.ofMillis(200));

    ReadinessCheck.Result first = check.run().join();
    ReadinessCheck.Result second = check.run().join();

    assertThat(first).isEqualTo(new ReadinessCheck.Result(false, "no answer within 200 ms"));
    assertThat(second.ok()).isFalse();
    assertThat(started).hasValue(1);
    release.countDown();
  }
}
