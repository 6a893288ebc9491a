package io.imagecache.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AdminTokenTest {

  @TempDir
  Path temp;

  @Test
  void createsA32ByteBase64UrlTokenWithMode0600() throws IOException {
    Path cacheDir = temp.resolve("cache");

    String token = AdminToken.readOrCreate(cacheDir);

    Path file = cacheDir.resolve("admin-token");
    assertThat(token).matches("[A-Za-z0-9_-]{43}");
    assertThat(Files.readString(file)).isEqualTo(token + "\n");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
        .isEqualTo("rw-------");
    assertThat(names(cacheDir)).containsExactly("admin-token");
  }

  @Test
  void reusesTheExistingTokenInsteadOfCreatingAnother() throws IOException {
    String first = AdminToken.readOrCreate(temp);
    long modified = Files.getLastModifiedTime(temp.resolve("admin-token")).toMillis();

    String second = AdminToken.readOrCreate(temp, new SecureRandom());

    assertThat(second).isEqualTo(first);
    assertThat(Files.getLastModifiedTime(temp.resolve("admin-token")).toMillis())
        .isEqualTo(modified);
  }

  @Test
  void readsATokenSomeoneElseWroteWithoutItsNewline() throws IOException {
    Files.writeString(temp.resolve("admin-token"), "s3cret-token\n\n");

    assertThat(AdminToken.read(temp)).contains("s3cret-token");
    assertThat(AdminToken.readOrCreate(temp)).isEqualTo("s3cret-token");
  }

  @Test
  void readIsEmptyWhenThereIsNoTokenFile() throws IOException {
    assertThat(AdminToken.read(temp)).isEmpty();
    assertThat(AdminToken.read(temp.resolve("missing"))).isEmpty();
  }

  @Test
  void aTokenFileWithoutATokenIsAnErrorNotReplaced() throws IOException {
    Path file = temp.resolve("admin-token");
    Files.writeString(file, "  \n");

    assertThatThrownBy(() -> AdminToken.readOrCreate(temp))
        .isInstanceOf(IOException.class)
        .hasMessage("admin token file " + file
            + " does not hold a token (visible ASCII); delete it to have a new one generated");
    assertThat(Files.readString(file)).isEqualTo("  \n");
  }

  @Test
  void serversStartingAtOnceAgreeOnOneToken() throws Exception {
    int servers = 8;
    CountDownLatch start = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(servers);
    try {
      List<Future<String>> tokens = new ArrayList<>();
      for (int i = 0; i < servers; i++) {
        Callable<String> create = () -> {
          start.await();
          return AdminToken.readOrCreate(temp);
        };
        tokens.add(pool.submit(create));
      }
      start.countDown();
      Set<String> distinct = tokens.stream().map(AdminTokenTest::get).collect(Collectors.toSet());

      assertThat(distinct).hasSize(1);
      assertThat(AdminToken.read(temp)).contains(distinct.iterator().next());
      assertThat(names(temp)).containsExactly("admin-token");
    } finally {
      pool.shutdownNow();
      assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }
  }

  private static List<String> names(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.map(file -> file.getFileName().toString()).collect(Collectors.toList());
    }
  }

  private static String get(Future<String> future) {
    try {
      return future.get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
