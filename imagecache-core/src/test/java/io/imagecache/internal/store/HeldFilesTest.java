package io.imagecache.internal.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.imagecache.ImageId;
import java.io.Closeable;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HeldFilesTest {
  @TempDir Path dir;

  private FileChannel open(String name) throws IOException {
    Path file = dir.resolve(name);
    if (!Files.exists(file)) {
      Files.write(file, new byte[] {1, 2, 3});
    }
    return FileChannel.open(file, StandardOpenOption.READ);
  }

  private static ImageId id(String value) {
    return ImageId.of(value);
  }

  @Test
  void aHeldFileIsSharedAndClosedByItsLastUser() throws IOException {
    HeldFiles files = new HeldFiles(4);
    FileChannel channel = open("a");
    Closeable opener = files.hold(id("a"), channel, 3, files.generation());
    HeldFiles.Handle hit = files.acquire(id("a")).orElseThrow();

    opener.close();
    files.invalidate(id("a"));
    assertThat(channel.isOpen()).isTrue();
    assertThat(files.acquire(id("a"))).isEmpty();

    hit.close();
    hit.close(); // a second close releases nothing more
    assertThat(channel.isOpen()).isFalse();
  }

  @Test
  void aFileOpenedBeforeAnInvalidationIsNotHeld() throws IOException {
    HeldFiles files = new HeldFiles(4);
    long seen = files.generation();
    FileChannel stale = open("a");
    files.invalidate(id("a")); // the file changed after it was opened

    Closeable opener = files.hold(id("a"), stale, 3, seen);

    assertThat(files.acquire(id("a"))).isEmpty();
    assertThat(stale.isOpen()).isTrue();
    opener.close();
    assertThat(stale.isOpen()).isFalse();
  }

  @Test
  void aSecondOpenOfAHeldIdStaysTheCallersOwn() throws IOException {
    HeldFiles files = new HeldFiles(4);
    FileChannel first = open("a");
    files.hold(id("a"), first, 3, files.generation()).close();
    FileChannel second = open("a");

    Closeable own = files.hold(id("a"), second, 3, files.generation());
    own.close();

    assertThat(second.isOpen()).isFalse();
    assertThat(files.acquire(id("a")).orElseThrow().channel()).isSameAs(first);
  }

  @Test
  void pastCapacity_theLeastRecentlyUsedFileIsClosed() throws IOException {
    HeldFiles files = new HeldFiles(2);
    FileChannel a = open("a");
    FileChannel b = open("b");
    files.hold(id("a"), a, 3, files.generation()).close();
    files.hold(id("b"), b, 3, files.generation()).close();
    files.acquire(id("a")).orElseThrow().close(); // a is now used more recently than b

    files.hold(id("c"), open("c"), 3, files.generation()).close();

    assertThat(files.size()).isEqualTo(2);
    assertThat(b.isOpen()).isFalse();
    assertThat(a.isOpen()).isTrue();
    assertThat(files.acquire(id("b"))).isEmpty();
    assertThat(files.acquire(id("c"))).isPresent();
  }

  @Test
  void aChannelClosedUnderItsUsersIsForgotten() throws IOException {
    HeldFiles files = new HeldFiles(2);
    FileChannel a = open("a");
    files.hold(id("a"), a, 3, files.generation()).close();
    a.close();

    assertThat(files.acquire(id("a"))).isEmpty();
    assertThat(files.size()).isZero();
  }

  @Test
  void closeReleasesEveryHeldFile() throws IOException {
    HeldFiles files = new HeldFiles(4);
    FileChannel a = open("a");
    FileChannel b = open("b");
    files.hold(id("a"), a, 3, files.generation()).close();
    files.hold(id("b"), b, 3, files.generation()).close();

    files.close();

    assertThat(a.isOpen()).isFalse();
    assertThat(b.isOpen()).isFalse();
  }
}
