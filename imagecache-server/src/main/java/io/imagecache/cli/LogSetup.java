package io.imagecache.cli;

import ch.qos.logback.classic.AsyncAppender;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.rolling.RollingFileAppender;
import ch.qos.logback.core.rolling.SizeAndTimeBasedRollingPolicy;
import ch.qos.logback.core.util.FileSize;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Applies {@link LogSettings} to Logback at start: the server log's level and format (the
 * {@code STDERR} appender of the shipped {@code logback.xml}; a user's own configuration keeps its
 * appenders), and the access log on the logger {@value #ACCESS_LOGGER} behind an
 * {@link AsyncAppender}, so that no event loop ever waits on its I/O.
 */
public final class LogSetup {
  /** The access log's logger, as the server's access-log handler names it. */
  static final String ACCESS_LOGGER = "imagecache.access";
  /** The server log's console appender in the shipped {@code logback.xml}. */
  static final String SERVER_APPENDER = "STDERR";
  /** Access lines queued for the appender; beyond that, lines are dropped rather than waited on. */
  static final int ACCESS_QUEUE = 8192;
  /** How long stopping waits for the access log's queue to be written out, in milliseconds. */
  static final int ACCESS_FLUSH_MILLIS = 10_000;
  static final String MAX_FILE_SIZE = "100MB";
  static final int MAX_HISTORY_DAYS = 7;
  static final String TOTAL_SIZE_CAP = "2GB";

  private LogSetup() {}

  /** The server log's level and format, then the access log. */
  public static void apply(LoggerContext context, LogSettings logs) throws IOException {
    serverLog(context, logs);
    accessLog(context, logs);
  }

  /**
   * Sets the level of imagecache's own loggers and the root; Netty and Hikari stay at WARN or
   * above. JSON replaces the text encoder of the server log's console appender.
   */
  public static void serverLog(LoggerContext context, LogSettings logs) {
    level(context, logs.level());
    if (logs.json()) {
      Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
      Appender<ILoggingEvent> appender = root.getAppender(SERVER_APPENDER);
      if (appender instanceof ConsoleAppender<ILoggingEvent> console) {
        ConsoleAppender<ILoggingEvent> json = new ConsoleAppender<>();
        json.setContext(context);
        json.setName(SERVER_APPENDER);
        json.setTarget(console.getTarget());
        json.setEncoder(started(context, serverJsonEncoder()));
        json.start();
        root.detachAppender(appender);
        appender.stop();
        root.addAppender(json);
      }
    }
  }

  /**
   * Sets the level of imagecache's own loggers and the root; Netty and Hikari stay at WARN or
   * above. Also what a SIGHUP changes; the access log is not touched.
   */
  public static void level(LoggerContext context, LogSettings.Level setting) {
    Level level = Level.toLevel(setting.name());
    context.getLogger(Logger.ROOT_LOGGER_NAME).setLevel(level);
    context.getLogger("io.imagecache").setLevel(level);
    Level libraries = level.isGreaterOrEqual(Level.WARN) ? level : Level.WARN;
    context.getLogger("io.netty").setLevel(libraries);
    context.getLogger("com.zaxxer.hikari").setLevel(libraries);
  }

  /**
   * Turns the access log off, or on towards standard output or a rotated file.
   *
   * @throws IOException when the file cannot be opened
   */
  public static void accessLog(LoggerContext context, LogSettings logs) throws IOException {
    Logger access = context.getLogger(ACCESS_LOGGER);
    access.detachAndStopAllAppenders();
    access.setAdditive(false);
    if (!logs.access().on()) {
      access.setLevel(Level.OFF);
      return;
    }
    Encoder<ILoggingEvent> encoder = started(context, logs.json()
        ? new AccessJsonEncoder()
        : textEncoder());
    OutputStreamAppender<ILoggingEvent> target = logs.access().file().isPresent()
        ? rollingFile(context, logs.access().file().get(), encoder)
        : stdout(context, encoder);
    AsyncAppender async = new AsyncAppender();
    async.setContext(context);
    async.setName("ACCESS");
    async.setQueueSize(ACCESS_QUEUE);
    async.setDiscardingThreshold(0);
    async.setNeverBlock(true);
    async.setMaxFlushTime(ACCESS_FLUSH_MILLIS);
    async.addAppender(target);
    async.start();
    access.addAppender(async);
    access.setLevel(Level.INFO);
  }

  /**
   * Stops {@code context} at the end of the process: each appender is stopped, so the access
   * log's queue is written out (waiting up to {@value #ACCESS_FLUSH_MILLIS} ms) and its file
   * flushed and closed. Nothing is logged afterwards.
   */
  public static void stop(LoggerContext context) {
    context.stop();
  }

  private static JsonEncoder serverJsonEncoder() {
    JsonEncoder encoder = new JsonEncoder();
    encoder.setWithSequenceNumber(false);
    encoder.setWithNanoseconds(false);
    encoder.setWithContext(false);
    encoder.setWithMessage(false);
    encoder.setWithArguments(false);
    encoder.setWithFormattedMessage(true);
    return encoder;
  }

  private static Encoder<ILoggingEvent> textEncoder() {
    PatternLayoutEncoder encoder = new PatternLayoutEncoder();
    encoder.setPattern("%msg%n");
    return encoder;
  }

  private static OutputStreamAppender<ILoggingEvent> stdout(LoggerContext context,
      Encoder<ILoggingEvent> encoder) {
    ConsoleAppender<ILoggingEvent> console = new ConsoleAppender<>();
    console.setContext(context);
    console.setName("ACCESS-STDOUT");
    console.setEncoder(encoder);
    console.start();
    return console;
  }

  /** {@code FILE}, rolled to {@code FILE.YYYY-MM-DD.N.gz} daily and at {@value #MAX_FILE_SIZE}. */
  private static OutputStreamAppender<ILoggingEvent> rollingFile(LoggerContext context, Path file,
      Encoder<ILoggingEvent> encoder) throws IOException {
    RollingFileAppender<ILoggingEvent> appender = new RollingFileAppender<>();
    appender.setContext(context);
    appender.setName("ACCESS-FILE");
    appender.setFile(file.toString());
    appender.setEncoder(encoder);
    SizeAndTimeBasedRollingPolicy<ILoggingEvent> policy = new SizeAndTimeBasedRollingPolicy<>();
    policy.setContext(context);
    policy.setParent(appender);
    policy.setFileNamePattern(file + ".%d{yyyy-MM-dd}.%i.gz");
    policy.setMaxFileSize(FileSize.valueOf(MAX_FILE_SIZE));
    policy.setMaxHistory(MAX_HISTORY_DAYS);
    policy.setTotalSizeCap(FileSize.valueOf(TOTAL_SIZE_CAP));
    policy.start();
    appender.setRollingPolicy(policy);
    appender.start();
    if (!appender.isStarted()) {
      throw new IOException("cannot open the access log " + file + " (see the messages above)");
    }
    return appender;
  }

  private static <E extends Encoder<ILoggingEvent>> E started(LoggerContext context, E encoder) {
    encoder.setContext(context);
    encoder.start();
    return encoder;
  }
}
