package io.imagecache.internal.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.imagecache.CachedImage;
import io.imagecache.ImageId;
import io.imagecache.internal.store.sqlite.SqliteIndex;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A hit whose file a delete removes between its open and its metadata lookup is a miss. */
class VanishingFileTest {
  private static final ImageId ID = ImageId.of("img-006");

  @TempDir Path dir;

  @Test
  void aFileTheIndexLacks_deletedWhileItsEntryIsLookedUp_isAMissNotAFailureNamingItsPath()
      throws Exception {
    DeletingIndex index = new DeletingIndex(new SqliteIndex(dir), dir.resolve(ID.value()));
    try (FileCacheDriver driver = new FileCacheDriver(dir, index, Clock.systemUTC(), false)) {
      driver.configure();
      // A committed file the index does not know (yet): a crash leftover not adopted so far.
      Files.write(dir.resolve(ID.value()), new byte[] {1, 2, 3});

      Optional<CacheReader> read = driver.openForRead(ID);

      assertThat(index.deleted).isTrue();
      assertThat(read).isEmpty();
      assertThat(driver.hitCount(ID)).isZero();
    }
  }

  /** An index whose lookup first deletes the file, as a delete racing the hit would. */
  private static final class DeletingIndex extends ForwardingImageIndex {
    private final Path file;
    volatile boolean deleted;

    DeletingIndex(ImageIndex delegate, Path file) {
      super(delegate);
      this.file = file;
    }

    @Override
    public Optional<CachedImage> get(ImageId id) throws IOException {
      deleted = Files.deleteIfExists(file);
      return delegate.get(id);
    }
  }
}
