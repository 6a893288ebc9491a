package io.imagecache.internal.origin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.imagecache.ImageId;
import io.imagecache.ImageNotFoundException;
import io.imagecache.internal.fill.SourceResponse;
import io.imagecache.internal.store.ExpectedContent;
import java.io.EOFException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DirectoryOriginTest {
  private static final ImageId IMAGE = ImageId.of("cirros.img");

  @TempDir Path root;
  private Path images;
  private Origin origin;

  @BeforeEach
  void openOrigin() throws Exception {
    images = Files.createDirectory(root.resolve("images"));
    origin = Origins.parse(images.toString(), OriginSettings.defaults());
  }

  @AfterEach
  void closeOrigin() {
    origin.close();
  }

  @Test
  void servesTheFileNamedByTheIdWithItsSize() throws Exception {
    byte[] bytes = "image bytes".getBytes();
    Files.write(images.resolve(IMAGE.value()), bytes);

    SourceResponse response = origin.source(IMAGE, Optional.empty()).open();

    assertThat(response.expected()).isEqualTo(new ExpectedContent(OptionalLong.of(bytes.length), List.of()));
    assertThat(ResponseBodies.readAll(response)).isEqualTo(bytes);
  }

  @Test
  void metadataIsActiveWithTheFileSizeAndNoDigests() throws Exception {
    Files.write(images.resolve(IMAGE.value()), new byte[1234]);

    ImageMetadata metadata = origin.metadata(IMAGE, Optional.of("ignored-token"));

    assertThat(metadata).isEqualTo(new ImageMetadata(IMAGE, "active",
        new ExpectedContent(OptionalLong.of(1234), List.of())));
    assertThat(metadata.isActive()).isTrue();
    assertThat(metadata.size()).hasValue(1234);
  }

  @Test
  void missingFileIsNotFound() {
    assertThatThrownBy(() -> origin.metadata(IMAGE, Optional.empty()))
        .isInstanceOf(ImageNotFoundException.class)
        .hasMessage("image cirros.img not found at the origin");
    assertThatThrownBy(() -> origin.source(IMAGE, Optional.empty()).open())
        .isInstanceOf(ImageNotFoundException.class);
  }

  @Test
  void directoryNamedLikeAnImageIsNotFound() throws Exception {
    Files.createDirectory(images.resolve(IMAGE.value()));

    assertThatThrownBy(() -> origin.source(IMAGE, Optional.empty()).open())
        .isInstanceOf(ImageNotFoundException.class);
  }

  @Test
  void symbolicLinkLeadingOutsideTheDirectoryIsRefusedAsNotFound() throws Exception {
    Path secret = Files.writeString(root.resolve("secret"), "not an image");
    Files.createSymbolicLink(images.resolve(IMAGE.value()), secret);

    assertThatThrownBy(() -> origin.metadata(IMAGE, Optional.empty()))
        .isInstanceOf(ImageNotFoundException.class);
    assertThatThrownBy(() -> origin.source(IMAGE, Optional.empty()).open())
        .isInstanceOf(ImageNotFoundException.class);
  }

  @Test
  void symbolicLinkToAFileInsideTheDirectoryIsServed() throws Exception {
    Files.createDirectory(images.resolve("store"));
    Path real = Files.writeString(images.resolve("store").resolve("v1"), "version one");
    Files.createSymbolicLink(images.resolve(IMAGE.value()), real);

    assertThat(ResponseBodies.readAll(origin.source(IMAGE, Optional.empty()).open())).asString().isEqualTo("version one");
  }

  @Test
  void fileThatShrinksWhileReadEndsWithEofExceptionNotACleanEnd() throws Exception {
    Path file = images.resolve(IMAGE.value());
    Files.write(file, new byte[100_000]);
    try (SourceResponse response = origin.source(IMAGE, Optional.empty()).open()) {
      ByteBuffer first = ByteBuffer.allocate(1000);
      assertThat(response.body().read(first)).isEqualTo(1000);
      try (FileChannel shrink = FileChannel.open(file, StandardOpenOption.WRITE)) {
        shrink.truncate(5000);
      }

      assertThatThrownBy(() -> ResponseBodies.readAll(response.body()))
          .isInstanceOf(EOFException.class)
          .hasMessage("origin file " + file.toRealPath() + " sent 5000 of 100000 bytes");
    }
  }
}
