package io.imagecache.server;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import org.slf4j.Logger;

/**
 * One request as the access log records it: filled in by {@link AccessLogHandler} as the request
 * arrives and its response is written, then logged once when the response ends or is cut. The
 * message is the text line (combined log style plus duration, time to first byte and result);
 * every field is also attached as a key-value pair, which the JSON access format writes.
 */
final class AccessEntry {
  /** The combined log format's time: {@code 02/Dec/2026:06:40:00 +0000}. */
  private static final DateTimeFormatter CLF_TIME =
      DateTimeFormatter.ofPattern("dd/MMM/yyyy:HH:mm:ss Z", Locale.ROOT).withZone(ZoneOffset.UTC);

  private final long startMillis = System.currentTimeMillis();
  private final long startNanos = System.nanoTime();
  private final String client;
  private final String method;
  private final String target;
  private final String protocol;
  private final String referer;
  private final String userAgent;
  private int status;
  private long bytes;
  private long firstByteNanos = -1;
  private AccessResult result;

  AccessEntry(String client, HttpRequest request) {
    this.client = client;
    this.method = request.method().name();
    this.target = request.uri();
    this.protocol = request.protocolVersion().text();
    this.referer = request.headers().get(HttpHeaderNames.REFERER);
    this.userAgent = request.headers().get(HttpHeaderNames.USER_AGENT);
  }

  void status(int code) {
    status = code;
  }

  boolean hasStatus() {
    return status != 0;
  }

  /** The response head went out now (the first time only). */
  void firstByte() {
    if (firstByteNanos < 0) {
      firstByteNanos = System.nanoTime();
    }
  }

  void addBytes(long count) {
    bytes += count;
  }

  void result(AccessResult answered) {
    result = answered;
  }

  /** The result: what the exchange said, else {@code error} for a 4xx/5xx, else {@code local}. */
  AccessResult result() {
    if (result != null) {
      return result;
    }
    return status >= 400 || status == 0 ? AccessResult.ERROR : AccessResult.LOCAL;
  }

  /** Logs the entry at INFO; {@code aborted} when the response was cut before its end. */
  void log(Logger log, boolean aborted) {
    double seconds = (System.nanoTime() - startNanos) / 1e9;
    Double ttfb = firstByteNanos < 0 ? null : (firstByteNanos - startNanos) / 1e9;
    String resultLabel = result().label();
    log.atInfo()
        .addKeyValue("time", Instant.ofEpochMilli(startMillis).toString())
        .addKeyValue("client", client)
        .addKeyValue("method", method)
        .addKeyValue("target", target)
        .addKeyValue("protocol", protocol)
        .addKeyValue("status", status)
        .addKeyValue("bytes", bytes)
        .addKeyValue("duration", round(seconds))
        .addKeyValue("ttfb", ttfb == null ? null : round(ttfb))
        .addKeyValue("result", resultLabel)
        .addKeyValue("aborted", aborted)
        .addKeyValue("referer", referer)
        .addKeyValue("user_agent", userAgent)
        .log(text(seconds, ttfb, resultLabel, aborted));
  }

  private String text(double seconds, Double ttfb, String resultLabel, boolean aborted) {
    StringBuilder line = new StringBuilder(160)
        .append(client).append(" - - [").append(CLF_TIME.format(Instant.ofEpochMilli(startMillis)))
        .append("] \"");
    escape(line, method + " " + target + " " + protocol);
    line.append("\" ").append(status == 0 ? "-" : Integer.toString(status)).append(' ')
        .append(bytes == 0 ? "-" : Long.toString(bytes)).append(" \"");
    escape(line, referer == null ? "-" : referer);
    line.append("\" \"");
    escape(line, userAgent == null ? "-" : userAgent);
    line.append("\" ").append(String.format(Locale.ROOT, "%.3f", seconds)).append(' ')
        .append(ttfb == null ? "-" : String.format(Locale.ROOT, "%.3f", ttfb)).append(' ')
        .append(resultLabel);
    if (aborted) {
      line.append(" aborted");
    }
    return line.toString();
  }

  /** Seconds to the microsecond, as a JSON number. */
  private static double round(double seconds) {
    return Math.round(seconds * 1e6) / 1e6;
  }

  /** Appends {@code text} with quotes, backslashes and control characters escaped as nginx does. */
  private static void escape(StringBuilder line, String text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '"' || c == '\\' || c < 0x20 || c == 0x7f) {
        line.append(String.format(Locale.ROOT, "\\x%02X", (int) c));
      } else {
        line.append(c);
      }
    }
  }
}
