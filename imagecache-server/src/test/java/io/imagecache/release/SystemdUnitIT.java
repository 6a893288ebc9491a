package io.imagecache.release;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The release's systemd unit, checked by {@code systemd-analyze verify} with its {@code ExecStart}
 * pointing at the unpacked tarball's launcher (a copy: the unit names /opt/imagecache), and its
 * stop timeout against the default shutdown grace. Skipped where systemd-analyze is not installed.
 */
class SystemdUnitIT {
  private static final Path ANALYZE = Path.of("/usr/bin/systemd-analyze");
  private static final Duration DEFAULT_SHUTDOWN_GRACE = Duration.ofSeconds(30);

  @TempDir Path tmp;

  @Test
  void systemdAnalyzeVerifiesTheUnitWithoutAWord() throws Exception {
    assumeThat(ANALYZE).as("systemd-analyze (Debian package systemd)").isExecutable();
    UnpackedRelease release = UnpackedRelease.unpack(tmp);
    String unit = Files.readString(release.home().resolve("systemd/imagecache.service"));
    assertThat(unit).contains("ExecStart=/opt/imagecache/bin/imagecache serve");
    Path copy = Files.createDirectory(tmp.resolve("units")).resolve("imagecache.service");
    Files.writeString(copy, unit.replace("/opt/imagecache/", release.home() + "/"));

    Path output = tmp.resolve("verify.log");
    int status = LoggedProcess.run(List.of(ANALYZE.toString(), "verify", copy.toString()), tmp,
        Map.of("PATH", "/usr/bin:/bin", "SYSTEMD_LOG_COLOR", "0"), output);
    assertThat(status).as(Files.readString(output)).isZero();
    assertThat(Files.readString(output)).as("systemd-analyze's warnings").isEmpty();
  }

  @Test
  void theUnitIsHardenedAndWaitsLongerThanTheShutdownGrace() throws Exception {
    String unit = Files.readString(UnpackedRelease.unpack(tmp).home()
        .resolve("systemd/imagecache.service"));
    assertThat(unit.lines()).contains("Type=exec", "Restart=on-failure", "User=imagecache",
        "ProtectSystem=strict", "ProtectHome=true", "PrivateTmp=true", "NoNewPrivileges=true",
        "ReadWritePaths=/var/lib/imagecache", "StateDirectory=imagecache", "KillSignal=SIGTERM",
        "ExecReload=/bin/kill -HUP $MAINPID");
    Matcher timeout = Pattern.compile("(?m)^TimeoutStopSec=(\\d+)s$").matcher(unit);
    assertThat(timeout.find()).as("TimeoutStopSec=Ns").isTrue();
    assertThat(Duration.ofSeconds(Long.parseLong(timeout.group(1))))
        .isGreaterThan(DEFAULT_SHUTDOWN_GRACE);
  }
}
