package io.imagecache.cli;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Reads the YAML config file of {@code serve}: one mapping of option names (or their snake_case
 * spellings) to single values. Unknown keys, nested values, empty values and an option given
 * twice are errors that name the key and the file.
 */
final class ConfigFile {

  private ConfigFile() {}

  /**
   * The settings in {@code file}.
   *
   * @param source where the file's name came from, for messages
   */
  static Map<ServeOption, RawSetting> read(Path file, String source) throws SettingsException {
    String text;
    try {
      text = Files.readString(file);
    } catch (NoSuchFileException e) {
      throw new SettingsException("config file " + file + " (from " + source + ") does not exist");
    } catch (IOException e) {
      throw new SettingsException(
          "config file " + file + " (from " + source + ") cannot be read: " + e, e);
    }
    return parse(text, file.toString());
  }

  /** The settings in YAML {@code text}; {@code fileName} is used in messages. */
  static Map<ServeOption, RawSetting> parse(String text, String fileName)
      throws SettingsException {
    JsonNode root;
    try {
      root = mapper().readTree(text);
    } catch (JacksonException e) {
      throw new SettingsException(
          "config file " + fileName + " is not valid YAML: " + e.getOriginalMessage()
              + location(e), e);
    }
    Map<ServeOption, RawSetting> settings = new EnumMap<>(ServeOption.class);
    if (root == null || root.isMissingNode() || root.isNull()) {
      return settings;
    }
    if (!root.isObject()) {
      throw new SettingsException("config file " + fileName
          + " must be a mapping of option names to values, e.g. \"max-size: 20GiB\"");
    }
    Map<String, String> written = scalarTexts(text);
    Map<ServeOption, String> keyOf = new EnumMap<>(ServeOption.class);
    for (Map.Entry<String, JsonNode> field : root.properties()) {
      String key = field.getKey();
      ServeOption option = ServeOption.forConfigKey(key).orElseThrow(
          () -> new SettingsException("unknown key \"" + key + "\" in config file " + fileName
              + "; known keys: " + knownKeys()));
      String earlier = keyOf.putIfAbsent(option, key);
      if (earlier != null) {
        throw new SettingsException("config file " + fileName + " sets " + option.optionName()
            + " twice, as \"" + earlier + "\" and as \"" + key + "\"");
      }
      settings.put(option, new RawSetting(
          option, scalar(field.getValue(), written.get(key), key, fileName),
          fileName + ", key " + key));
    }
    return settings;
  }

  /**
   * The top-level scalar values as written in the file. YAML 1.1, which the parser follows, reads
   * {@code off}, {@code no} and {@code yes} as booleans and a tree gives them back as
   * {@code false}/{@code true}; {@code access-log: off} must stay {@code off}.
   */
  private static Map<String, String> scalarTexts(String text) throws SettingsException {
    Map<String, String> texts = new HashMap<>();
    try (JsonParser parser = mapper().getFactory().createParser(text)) {
      if (parser.nextToken() != JsonToken.START_OBJECT) {
        return texts;
      }
      while (parser.nextToken() == JsonToken.FIELD_NAME) {
        String key = parser.currentName();
        JsonToken value = parser.nextToken();
        if (value != null && value.isScalarValue()) {
          texts.putIfAbsent(key, parser.getText());
        } else {
          parser.skipChildren();
        }
      }
    } catch (IOException e) {
      throw new SettingsException("config file cannot be parsed: " + e.getMessage(), e);
    }
    return texts;
  }

  private static String scalar(JsonNode value, String written, String key, String fileName)
      throws SettingsException {
    if (value.isNull()) {
      throw new SettingsException(
          "key \"" + key + "\" in config file " + fileName + " has no value");
    }
    if (!value.isValueNode()) {
      throw new SettingsException("key \"" + key + "\" in config file " + fileName
          + " must be a single value, not a " + (value.isArray() ? "list" : "mapping"));
    }
    return written != null ? written : value.asText();
  }

  private static ObjectMapper mapper() {
    return YAMLMapper.builder(new YAMLFactory())
        .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
        .build();
  }

  private static String location(JacksonException e) {
    return e.getLocation() == null || e.getLocation().getLineNr() < 1
        ? ""
        : " (line " + e.getLocation().getLineNr() + ")";
  }

  private static String knownKeys() {
    return Arrays.stream(ServeOption.values())
        .filter(ServeOption::inConfigFile)
        .map(ServeOption::optionName)
        .collect(Collectors.joining(", "));
  }
}
