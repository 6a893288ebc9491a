package io.imagecache.internal.origin;

import static org.assertj.core.api.Assertions.assertThat;

import io.imagecache.ImageId;
import io.imagecache.testing.GeneratedImage;
import io.imagecache.testing.TestOrigin;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link Origin#rest}: the rest of an image from an offset, for a fill that got the bytes before it
 * from a peer: a range request where the origin answers one, else the whole body read past.
 */
class OriginRestTest {
  private static final ImageId IMAGE = ImageId.of("img-1");
  private static final int SIZE = 300_000;
  private static final int OFFSET = 123_457;
  private static final byte[] BYTES = new GeneratedImage(8, SIZE).bytes(0, SIZE);
  private static final byte[] REST = Arrays.copyOfRange(BYTES, OFFSET, SIZE);
  private static final OriginSettings SETTINGS = OriginSettings.defaults()
      .withTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(5), Duration.ofSeconds(5));

  @TempDir
  Path dir;
  private TestOrigin testOrigin;

  @BeforeEach
  void start() throws IOException {
    testOrigin = TestOrigin.start();
  }

  @AfterEach
  void stop() {
    testOrigin.close();
  }

  @Test
  void anHttpOriginThatAnswersRangesSendsOnlyTheRest() throws Exception {
    testOrigin.put(IMAGE.value(), BYTES).ranges(Optional.empty());
    try (Origin origin = Origins.parse(testOrigin.httpTemplate(), SETTINGS)) {

      byte[] rest = ResponseBodies.readAll(origin.rest(IMAGE, Optional.empty(), OFFSET, SIZE));

      assertThat(rest).isEqualTo(REST);
      assertThat(testOrigin.image(IMAGE.value()).bytesSent()).isEqualTo(SIZE - OFFSET);
      assertThat(testOrigin.requests("/images/img-1").get(0).header("Range"))
          .contains("bytes=" + OFFSET + "-");
    }
  }

  @Test
  void anHttpOriginThatIgnoresRangesIsReadPastTheOffset() throws Exception {
    testOrigin.put(IMAGE.value(), BYTES);
    try (Origin origin = Origins.parse(testOrigin.httpTemplate(), SETTINGS)) {

      byte[] rest = ResponseBodies.readAll(origin.rest(IMAGE, Optional.empty(), OFFSET, SIZE));

      assertThat(rest).isEqualTo(REST);
    }
  }

  @Test
  void aGlanceOriginAsksForTheRangeOfTheFileWithTheCallersToken() throws Exception {
    testOrigin.put(IMAGE.value(), BYTES).visibleTo("alice").ranges(Optional.empty());
    try (Origin origin = Origins.parse(testOrigin.glanceSpec(), SETTINGS)) {

      byte[] rest = ResponseBodies.readAll(origin.rest(IMAGE, Optional.of("alice"), OFFSET, SIZE));

      assertThat(rest).isEqualTo(REST);
      assertThat(testOrigin.image(IMAGE.value()).bytesSent()).isEqualTo(SIZE - OFFSET);
    }
  }

  @Test
  void aDirectoryOriginSkipsToTheOffset() throws Exception {
    Files.write(dir.resolve(IMAGE.value()), BYTES);
    try (Origin origin = Origins.parse(dir.toString(), SETTINGS)) {

      byte[] rest = ResponseBodies.readAll(origin.rest(IMAGE, Optional.empty(), OFFSET, SIZE));

      assertThat(rest).isEqualTo(REST);
    }
  }
}
