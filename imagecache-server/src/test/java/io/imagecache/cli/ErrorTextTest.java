package io.imagecache.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import org.junit.jupiter.api.Test;

/** How the CLI words a failure in its one line. */
class ErrorTextTest {

  @Test
  void aFileFailureThatIsOnlyAPathGetsItsReason() {
    assertThat(ErrorText.of(new AccessDeniedException("/srv/cache/admin-token")))
        .isEqualTo("/srv/cache/admin-token: permission denied");
    assertThat(ErrorText.of(new FileAlreadyExistsException("/srv/cache")))
        .isEqualTo("/srv/cache: a file is in the way");
  }

  @Test
  void aFileFailureWithAReasonKeepsItsMessage() {
    assertThat(ErrorText.of(new FileSystemException("/srv/cache", null, "Read-only file system")))
        .isEqualTo("/srv/cache: Read-only file system");
  }

  @Test
  void otherFailuresAreTheirMessageOrTheirClass() {
    assertThat(ErrorText.of(new IOException("Address already in use")))
        .isEqualTo("Address already in use");
    assertThat(ErrorText.of(new IOException())).isEqualTo("IOException");
  }
}
