package io.imagecache.internal.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.imagecache.CacheStoreException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.SQLException;
import org.junit.jupiter.api.Test;

/** Which failures count as a lack of space: the JDK and SQLite say so only in their messages. */
class NoSpaceLeftTest {

  @Test
  void aFullFileSystemAQuotaAndAFullDatabaseAreALackOfSpace() {
    assertThat(NoSpaceLeft.causedBy(new IOException("No space left on device"))).isTrue();
    assertThat(NoSpaceLeft.causedBy(new IOException("Disk quota exceeded"))).isTrue();
    assertThat(NoSpaceLeft.causedBy(new CacheStoreException("sqlite update failed",
        new SQLException("[SQLITE_FULL] Insertion failed because database is full "
            + "(database or disk is full)")))).isTrue();
  }

  @Test
  void aCauseDeepInTheChainCounts() {
    Throwable wrapped = new UncheckedIOException("copy failed",
        new IOException("write failed", new IOException("No space left on device")));

    assertThat(NoSpaceLeft.causedBy(wrapped)).isTrue();
  }

  @Test
  void otherFailuresDoNot() {
    assertThat(NoSpaceLeft.causedBy(new IOException("Input/output error"))).isFalse();
    assertThat(NoSpaceLeft.causedBy(new IOException())).isFalse();
    assertThat(NoSpaceLeft.causedBy(new ContentMismatchException(
        io.imagecache.ImageId.of("x"), ContentMismatchException.Kind.DIGEST, "md5 mismatch")))
        .isFalse();
  }
}
