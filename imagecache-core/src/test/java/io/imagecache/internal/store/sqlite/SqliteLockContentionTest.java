package io.imagecache.internal.store.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.imagecache.CacheStoreException;
import io.imagecache.ImageId;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Glance's scenario 37: a write that meets another connection's lock waits and succeeds once the
 * lock is gone; one that meets it for longer than the busy timeout fails with a store error
 * instead of hanging or being swallowed.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class SqliteLockContentionTest {
  private static final ImageId ID = ImageId.of("img");

  @TempDir Path dir;
  private Path file;
  private Connection other;

  @BeforeEach
  void setUp() throws Exception {
    file = Files.write(dir.resolve("img"), new byte[10]);
    other = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve(SqliteIndex.FILE_NAME));
  }

  @AfterEach
  void tearDown() throws Exception {
    other.close();
  }

  @Test
  void aWriteWaitsForAnotherConnectionsLockAndThenSucceeds() throws Exception {
    try (SqliteIndex index = new SqliteIndex(dir, Duration.ofSeconds(10))) {
      index.open();
      lockTheDatabase();

      AtomicBoolean unlocked = new AtomicBoolean();
      CompletableFuture<Boolean> put = new CompletableFuture<>();
      Thread writer = new Thread(() -> {
        try {
          index.put(ID, file, 10, Instant.now(), Optional.empty());
          put.complete(unlocked.get());
        } catch (Exception e) {
          put.completeExceptionally(e);
        }
      }, "sqlite-put");
      writer.start();
      // The put is in sqlite's busy wait (a native call) while the other connection holds the lock.
      await().atMost(Duration.ofSeconds(5)).until(() -> inSqlite(writer) || put.isDone());
      assertThat(put).isNotDone();
      unlocked.set(true);
      unlockTheDatabase();

      assertThat(put.get(10, TimeUnit.SECONDS)).as("the put ended after the unlock").isTrue();
      assertThat(index.get(ID)).hasValueSatisfying(image -> assertThat(image.size()).isEqualTo(10));
    }
  }

  @Test
  void aWriteThatStaysLockedOutFailsAfterTheBusyTimeout() throws Exception {
    try (SqliteIndex index = new SqliteIndex(dir, Duration.ofMillis(200))) {
      index.open();
      lockTheDatabase();
      try {
        assertThatThrownBy(() -> index.put(ID, file, 10, Instant.now(), Optional.empty()))
            .isInstanceOf(CacheStoreException.class)
            .hasMessageContaining("insert or replace of image img")
            .hasMessageContaining("locked");
      } finally {
        unlockTheDatabase();
      }
      index.put(ID, file, 10, Instant.now(), Optional.empty());
      assertThat(index.get(ID)).isPresent();
    }
  }

  /** Whether {@code thread} is inside a native call of the sqlite driver. */
  private static boolean inSqlite(Thread thread) {
    StackTraceElement[] stack = thread.getStackTrace();
    return stack.length > 0 && stack[0].isNativeMethod()
        && stack[0].getClassName().startsWith("org.sqlite.");
  }

  private void lockTheDatabase() throws Exception {
    try (Statement statement = other.createStatement()) {
      statement.execute("BEGIN EXCLUSIVE");
    }
  }

  private void unlockTheDatabase() throws Exception {
    try (Statement statement = other.createStatement()) {
      statement.execute("COMMIT");
    }
  }
}
