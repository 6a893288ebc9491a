package io.imagecache.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.imagecache.OriginConfig;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * {@code verify}, {@code origin-resume-attempts} and {@code origin-connections}: defaults, the
 * three sources, bad values.
 */
class OriginFetchOptionsTest {

  @Test
  void defaultsVerifyTheStrongestDigestAndResumeFiveTimes() throws Exception {
    ServeSettings settings = SettingsResolver.resolve(Map.of(), Map.of(), Optional.empty());

    assertThat(settings.originFetch())
        .isEqualTo(new OriginFetch(OriginConfig.Verify.STRONGEST, 5, 1));
  }

  @Test
  void flagsAndEnvironmentAreRead() throws Exception {
    ServeSettings settings = SettingsResolver.resolve(
        Map.of("verify", "ALL", "origin-connections", "4"),
        Map.of("IMAGECACHE_ORIGIN_RESUME_ATTEMPTS", "0"), Optional.empty());

    assertThat(settings.originFetch()).isEqualTo(new OriginFetch(OriginConfig.Verify.ALL, 0, 4));
  }

  @Test
  void badValuesAreOneLineNamingTheOption() {
    assertThatThrownBy(() -> SettingsResolver.resolve(
        Map.of("verify", "md5"), Map.of(), Optional.empty()))
        .isInstanceOf(SettingsException.class)
        .hasMessage("invalid --verify \"md5\" (from the command line):"
            + " verify must be strongest or all, was \"md5\"");
    assertThatThrownBy(() -> SettingsResolver.resolve(
        Map.of("origin-resume-attempts", "-1"), Map.of(), Optional.empty()))
        .isInstanceOf(SettingsException.class)
        .hasMessage("invalid --origin-resume-attempts \"-1\" (from the command line):"
            + " expected a whole number from 0 to 1000");
    assertThatThrownBy(() -> SettingsResolver.resolve(
        Map.of(), Map.of("IMAGECACHE_ORIGIN_CONNECTIONS", "17"), Optional.empty()))
        .isInstanceOf(SettingsException.class)
        .hasMessageContaining("expected a whole number from 1 to 16");
  }
}
