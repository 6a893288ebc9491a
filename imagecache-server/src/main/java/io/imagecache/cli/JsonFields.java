package io.imagecache.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Reads fields of the API's JSON answers, throwing {@link IllegalArgumentException} that names
 * the field when the answer does not have the documented shape. Absent and {@code null} are the
 * same for optional fields.
 */
final class JsonFields {

  private JsonFields() {}

  /** The elements of the array {@code field} of {@code object}. */
  static List<JsonNode> array(JsonNode object, String field) {
    JsonNode value = object.path(field);
    if (!value.isArray()) {
      throw new IllegalArgumentException("\"" + field + "\" is not a list");
    }
    List<JsonNode> elements = new ArrayList<>();
    value.forEach(elements::add);
    return elements;
  }

  /** {@code node} itself, when it is an object. */
  static JsonNode object(JsonNode node, String what) {
    if (!node.isObject()) {
      throw new IllegalArgumentException(what + " is not an object: " + abbreviate(node));
    }
    return node;
  }

  /** {@code node} itself as text, when it is a string. */
  static String text(JsonNode node, String what) {
    if (!node.isTextual()) {
      throw new IllegalArgumentException(what + " is not a string: " + abbreviate(node));
    }
    return node.textValue();
  }

  /** The string field {@code field}. */
  static String text(JsonNode object, String field, String what) {
    return optionalText(object, field, what).orElseThrow(
        () -> new IllegalArgumentException(what + " has no \"" + field + "\""));
  }

  /** The string field {@code field}, if present and not null. */
  static Optional<String> optionalText(JsonNode object, String field, String what) {
    JsonNode value = object.path(field);
    if (value.isMissingNode() || value.isNull()) {
      return Optional.empty();
    }
    return Optional.of(text(value, what + " \"" + field + "\""));
  }

  /** The whole-number field {@code field}, at least 0. */
  static long count(JsonNode object, String field, String what) {
    return optionalCount(object, field, what).orElseThrow(
        () -> new IllegalArgumentException(what + " has no \"" + field + "\""));
  }

  /** The whole-number field {@code field}, at least 0, if present and not null. */
  static OptionalLong optionalCount(JsonNode object, String field, String what) {
    JsonNode value = object.path(field);
    if (value.isMissingNode() || value.isNull()) {
      return OptionalLong.empty();
    }
    if (!value.isIntegralNumber() || !value.canConvertToLong() || value.longValue() < 0) {
      throw new IllegalArgumentException(
          what + " \"" + field + "\" is not a whole number >= 0: " + abbreviate(value));
    }
    return OptionalLong.of(value.longValue());
  }

  /** The number field {@code field} (an epoch time in seconds), 0 when absent or null. */
  static double seconds(JsonNode object, String field, String what) {
    JsonNode value = object.path(field);
    if (value.isMissingNode() || value.isNull()) {
      return 0;
    }
    if (!value.isNumber()) {
      throw new IllegalArgumentException(
          what + " \"" + field + "\" is not a number: " + abbreviate(value));
    }
    return value.doubleValue();
  }

  /** The boolean field {@code field}, false when absent or null. */
  static boolean flag(JsonNode object, String field, String what) {
    JsonNode value = object.path(field);
    if (value.isMissingNode() || value.isNull()) {
      return false;
    }
    if (!value.isBoolean()) {
      throw new IllegalArgumentException(
          what + " \"" + field + "\" is not true or false: " + abbreviate(value));
    }
    return value.booleanValue();
  }

  private static String abbreviate(JsonNode node) {
    String text = node.toString();
    return text.length() > 60 ? text.substring(0, 60) + "…" : text;
  }
}
