package io.imagecache.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Objects;
import java.util.function.Function;

/**
 * A JSON answer of the server: the request it answers, the text as sent (what {@code --json}
 * prints) and the parsed tree.
 */
record JsonAnswer(String call, String text, JsonNode tree) {

  JsonAnswer {
    Objects.requireNonNull(call, "call");
    Objects.requireNonNull(text, "text");
    Objects.requireNonNull(tree, "tree");
  }

  /**
   * The tree read by {@code reader}; an {@link IllegalArgumentException} from it (an answer of
   * the wrong shape) becomes a failure naming the request.
   */
  <T> T as(Function<JsonNode, T> reader) throws ClientFailure {
    try {
      return reader.apply(tree);
    } catch (IllegalArgumentException e) {
      throw ClientFailure.failed("unexpected answer to " + call + ": " + e.getMessage());
    }
  }
}
