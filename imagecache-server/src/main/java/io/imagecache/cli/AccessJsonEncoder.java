package io.imagecache.cli;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.encoder.EncoderBase;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.slf4j.event.KeyValuePair;

/**
 * Writes each access-log event as one JSON object of its key-value pairs ({@code time},
 * {@code client}, {@code method}, {@code status}, …) on a line of its own. Runs on the appender's
 * thread, never on an event loop.
 */
final class AccessJsonEncoder extends EncoderBase<ILoggingEvent> {
  private static final JsonFactory JSON = new JsonFactory();

  @Override
  public byte[] headerBytes() {
    return null;
  }

  @Override
  public byte[] encode(ILoggingEvent event) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(320);
    try (JsonGenerator json = JSON.createGenerator(out)) {
      json.writeStartObject();
      if (event.getKeyValuePairs() != null) {
        for (KeyValuePair pair : event.getKeyValuePairs()) {
          json.writeFieldName(pair.key);
          if (pair.value == null) {
            json.writeNull();
          } else if (pair.value instanceof Integer number) {
            json.writeNumber(number);
          } else if (pair.value instanceof Long number) {
            json.writeNumber(number);
          } else if (pair.value instanceof Double number) {
            json.writeNumber(number);
          } else if (pair.value instanceof Boolean flag) {
            json.writeBoolean(flag);
          } else {
            json.writeString(pair.value.toString());
          }
        }
      }
      json.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    out.write('\n');
    return out.toByteArray();
  }

  @Override
  public byte[] footerBytes() {
    return null;
  }
}
