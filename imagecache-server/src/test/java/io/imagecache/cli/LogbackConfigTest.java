package io.imagecache.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import ch.qos.logback.core.status.Status;
import ch.qos.logback.core.status.StatusUtil;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The shipped logging configurations load cleanly and log what they promise. */
class LogbackConfigTest {

  @ParameterizedTest
  @ValueSource(strings = {"src/main/resources/logback.xml", "src/test/resources/logback-test.xml"})
  void loadsWithoutErrors(String file) throws Exception {
    LoggerContext context = configure(Path.of(file).toUri().toURL());
    try {
      assertThat(new StatusUtil(context).getHighestLevel(0)).isLessThan(Status.WARN);
      assertThat(context.getLogger("io.imagecache.cli").getEffectiveLevel())
          .isEqualTo(Level.INFO);
    } finally {
      context.stop();
    }
  }

  @Test
  void productionLogsOneCompactLinePerEventOnStderrAndQuietsNetty() throws Exception {
    PrintStream stderr = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    LoggerContext context;
    // The console appender binds to System.err when it starts.
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      context = configure(LogbackConfigTest.class.getClassLoader().getResource("logback.xml"));
      context.getLogger("io.imagecache.internal.fill.FillCoordinator").info("filled {}", "img-1");
      context.getLogger("io.imagecache.internal.fill.FillCoordinator").debug("not shown");
      context.getLogger("io.netty.channel.DefaultChannelPipeline").info("not shown either");
      context.getLogger("io.netty.channel.DefaultChannelPipeline").warn("netty warning");
      assertThat(new StatusUtil(context).getHighestLevel(0)).isLessThan(Status.WARN);
      context.stop();
    } finally {
      System.setErr(stderr);
    }

    assertThat(captured.toString(StandardCharsets.UTF_8)).matches(
        "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}(Z|[+-]\\d\\d:\\d\\d)"
            + " INFO  FillCoordinator - filled img-1\\R"
            + "\\S+ WARN  DefaultChannelPipeline - netty warning\\R");
  }

  /** A fresh logger context configured from {@code url}, apart from the tests' own logging. */
  private static LoggerContext configure(URL url) throws Exception {
    assertThat(url).isNotNull();
    LoggerContext context = new LoggerContext();
    context.setMDCAdapter(new LogbackMDCAdapter());
    JoranConfigurator configurator = new JoranConfigurator();
    configurator.setContext(context);
    configurator.doConfigure(url);
    return context;
  }
}
