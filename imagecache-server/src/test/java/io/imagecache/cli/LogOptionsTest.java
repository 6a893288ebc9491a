package io.imagecache.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.AsyncAppender;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import ch.qos.logback.core.rolling.RollingFileAppender;
import ch.qos.logback.core.rolling.SizeAndTimeBasedRollingPolicy;
import ch.qos.logback.core.rolling.helper.CompressionMode;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.slf4j.Logger;

/**
 * {@code log-level}, {@code log-format} and {@code access-log}: how they are read, and what they
 * do to the shipped logging configuration (a logger context of its own per test).
 */
class LogOptionsTest {
  @TempDir
  Path temp;

  @Test
  void defaultsAreInfoTextAndNoAccessLog() throws Exception {
    assertThat(SettingsResolver.logSettings(Map.of(), Map.of(), Optional.empty()))
        .isEqualTo(LogSettings.DEFAULT);
  }

  @Test
  void valuesComeFromFlagsEnvironmentAndTheConfigFile() throws Exception {
    Path config = Files.writeString(temp.resolve("c.yaml"),
        "log_level: warn\nlog-format: json\naccess-log: " + temp.resolve("a.log") + "\n");

    assertThat(SettingsResolver.logSettings(Map.of("log-level", "DEBUG"),
        Map.of("IMAGECACHE_ACCESS_LOG", "stdout"), Optional.of(config)))
        .isEqualTo(new LogSettings(LogSettings.Level.DEBUG, true,
            new LogSettings.Access(true, Optional.empty())));
    assertThat(SettingsResolver.logSettings(Map.of(), Map.of(), Optional.of(config)))
        .isEqualTo(new LogSettings(LogSettings.Level.WARN, true,
            new LogSettings.Access(false, Optional.of(temp.resolve("a.log")))));
  }

  @Test
  void anUnquotedOffInTheConfigFileIsOffNotAFileNamedFalse() throws Exception {
    Path config = Files.writeString(temp.resolve("c.yaml"), "access-log: off\n");

    assertThat(SettingsResolver.logSettings(Map.of(), Map.of(), Optional.of(config)))
        .isEqualTo(LogSettings.DEFAULT);
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "log-level | verbose | expected error, warn, info or debug",
      "log-format | xml | expected text or json",
      "access-log | ' ' | expected off, stdout or a file path"})
  void aBadValueNamesTheOptionAndItsSource(String option, String value, String problem) {
    String variable = "IMAGECACHE_" + option.toUpperCase().replace('-', '_');
    assertThatThrownBy(() -> SettingsResolver.logSettings(
        Map.of(), Map.of(variable, value), Optional.empty()))
        .isInstanceOf(SettingsException.class)
        .hasMessage("invalid --" + option + " \"" + value + "\" (from " + variable + "): "
            + problem);
  }

  @Test
  void anAccessLogThatIsADirectoryIsRefused() {
    assertThatThrownBy(() -> SettingsResolver.logSettings(
        Map.of("access-log", temp.toString()), Map.of(), Optional.empty()))
        .isInstanceOf(SettingsException.class)
        .hasMessageStartingWith("invalid --access-log \"" + temp + "\" (from the command line): "
            + "is a directory");
  }

  @ParameterizedTest
  @CsvSource({"DEBUG, true, true", "WARN, false, false", "INFO, false, true"})
  void theLevelDecidesWhatTheServerLogShows(LogSettings.Level level, boolean debugShown,
      boolean infoShown) throws Exception {
    LoggerContext context = shipped();
    try {
      LogSetup.apply(context, new LogSettings(level, false, LogSettings.Access.OFF));
      Logger log = context.getLogger("io.imagecache.server.RequestRouter");
      assertThat(log.isDebugEnabled()).isEqualTo(debugShown);
      assertThat(log.isInfoEnabled()).isEqualTo(infoShown);
      assertThat(log.isWarnEnabled()).isTrue();
      // Netty's own debug output stays off whatever imagecache's level.
      assertThat(context.getLogger("io.netty.channel").isInfoEnabled()).isFalse();
      assertThat(context.getLogger(LogSetup.ACCESS_LOGGER).isInfoEnabled()).isFalse();
    } finally {
      context.stop();
    }
  }

  @Test
  void jsonServerLinesHaveTheFormattedMessageMdcAndException() throws Exception {
    PrintStream stderr = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      LoggerContext context = shipped();
      LogSetup.apply(context, new LogSettings(LogSettings.Level.INFO, true,
          LogSettings.Access.OFF));
      Logger log = context.getLogger("io.imagecache.internal.fill.FillCoordinator");
      context.getMDCAdapter().put("image", "img-1");
      try {
        log.warn("fill of {} failed", "img-1", new IllegalStateException("disk gone"));
      } finally {
        context.getMDCAdapter().remove("image");
      }
      context.stop();
    } finally {
      System.setErr(stderr);
    }

    String[] lines = captured.toString(StandardCharsets.UTF_8).split("\\R");
    assertThat(lines).hasSize(1);
    JsonNode line = new ObjectMapper().readTree(lines[0]);
    assertThat(line.get("timestamp").asLong()).isPositive();
    assertThat(line.get("level").asText()).isEqualTo("WARN");
    assertThat(line.get("loggerName").asText())
        .isEqualTo("io.imagecache.internal.fill.FillCoordinator");
    assertThat(line.get("threadName").asText()).isEqualTo(Thread.currentThread().getName());
    assertThat(line.get("formattedMessage").asText()).isEqualTo("fill of img-1 failed");
    assertThat(line.get("mdc").get("image").asText()).isEqualTo("img-1");
    assertThat(line.get("throwable").get("className").asText())
        .isEqualTo("java.lang.IllegalStateException");
    assertThat(line.get("throwable").get("message").asText()).isEqualTo("disk gone");
  }

  @Test
  void theAccessLogFileRotatesDailyAndBySizeKeepingAWeekCompressed() throws Exception {
    Path file = temp.resolve("access.log");
    LoggerContext context = shipped();
    LogSetup.apply(context, new LogSettings(LogSettings.Level.INFO, false,
        new LogSettings.Access(false, Optional.of(file))));

    AsyncAppender async = (AsyncAppender) context.getLogger(LogSetup.ACCESS_LOGGER)
        .getAppender("ACCESS");
    RollingFileAppender<ILoggingEvent> appender =
        (RollingFileAppender<ILoggingEvent>) async.getAppender("ACCESS-FILE");
    SizeAndTimeBasedRollingPolicy<?> policy =
        (SizeAndTimeBasedRollingPolicy<?>) appender.getRollingPolicy();
    assertThat(appender.isStarted()).isTrue();
    assertThat(appender.getFile()).isEqualTo(file.toString());
    assertThat(policy.getFileNamePattern()).isEqualTo(file + ".%d{yyyy-MM-dd}.%i.gz");
    assertThat(policy.getMaxHistory()).isEqualTo(7);
    assertThat(policy.getCompressionMode()).isEqualTo(CompressionMode.GZ);
    context.stop();
  }

  @Test
  void stoppingWritesOutTheAccessLogsQueue() throws Exception {
    Path file = temp.resolve("access.log");
    LoggerContext context = shipped();
    LogSetup.apply(context, new LogSettings(LogSettings.Level.INFO, false,
        new LogSettings.Access(false, Optional.of(file))));
    Logger access = context.getLogger(LogSetup.ACCESS_LOGGER);
    int lines = LogSetup.ACCESS_QUEUE / 2;
    for (int i = 0; i < lines; i++) {
      access.info("line {} of an access log that the process is about to exit after", i);
    }

    LogSetup.stop(context);

    // Read at once: the queue's thread would die with the JVM, only what is in the file stays.
    assertThat(Files.readAllLines(file)).hasSize(lines)
        .endsWith("line " + (lines - 1) + " of an access log that the process is about to exit after");
  }

  /** A fresh logger context configured from the shipped {@code logback.xml}. */
  private static LoggerContext shipped() throws Exception {
    LoggerContext context = new LoggerContext();
    context.setMDCAdapter(new LogbackMDCAdapter());
    JoranConfigurator configurator = new JoranConfigurator();
    configurator.setContext(context);
    configurator.doConfigure(LogOptionsTest.class.getClassLoader().getResource("logback.xml"));
    return context;
  }
}
