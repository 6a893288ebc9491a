package io.imagecache.cli;

import java.util.Map;
import picocli.CommandLine.Parameters;

/** A management command about one image: its {@code ID} argument is checked before sending. */
abstract class ImageCommand extends ClientCommand {

  @Parameters(index = "0", paramLabel = "ID", description = "The image id")
  private String imageId;

  ImageCommand(Map<String, String> environment, ClientRuntime runtime) {
    super(environment, runtime);
  }

  @Override
  final void checkArguments() throws ClientFailure {
    imageId(imageId);
  }

  /** The image id, valid once {@link #checkArguments} passed. */
  final String imageId() {
    return imageId;
  }
}
