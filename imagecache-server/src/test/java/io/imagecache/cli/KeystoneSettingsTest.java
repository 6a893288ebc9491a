package io.imagecache.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Keystone options: what they need of each other, secrets from files, never echoed. */
class KeystoneSettingsTest {
  private static final String URL = "http://127.0.0.1:5000/v3";

  @TempDir
  Path temp;

  @Test
  void anApplicationCredentialSecretComesTrimmedFromItsFile() throws Exception {
    Path secret = Files.writeString(temp.resolve("secret"), "  s3cret-value \n");

    ServeSettings settings = SettingsResolver.resolve(Map.of(
        "keystone-url", URL,
        "origin-auth-application-credential-id", "app-id",
        "origin-auth-application-credential-secret-file", secret.toString()),
        Map.of(), Optional.empty());

    KeystoneSettings keystone = settings.keystone().orElseThrow();
    assertThat(keystone.adminRole()).isEqualTo("admin");
    assertThat(keystone.originAuth())
        .containsEntry(ServeOption.ORIGIN_AUTH_APPLICATION_CREDENTIAL_SECRET, "s3cret-value");
    assertThat(keystone.originLogin()).hasValueSatisfying(login ->
        assertThat(login.toString()).isEqualTo("application credential app-id"));
    assertThat(settings.toString()).doesNotContain("s3cret");
    assertThat(SettingValues.masked(ServeOption.ORIGIN_AUTH_APPLICATION_CREDENTIAL_SECRET,
        SettingValues.of(settings).get(ServeOption.ORIGIN_AUTH_APPLICATION_CREDENTIAL_SECRET)))
        .isEqualTo("(secret)");
  }

  @Test
  void aUserLoginFromTheEnvironmentTakesTheDefaultDomain() throws Exception {
    Path password = Files.writeString(temp.resolve("password"), "pw\n");

    ServeSettings settings = SettingsResolver.resolve(Map.of("admin-role", "cache-admin"), Map.of(
        "IMAGECACHE_KEYSTONE_URL", URL,
        "IMAGECACHE_ORIGIN_AUTH_USERNAME", "imagecache",
        "IMAGECACHE_ORIGIN_AUTH_PASSWORD_FILE", password.toString(),
        "IMAGECACHE_ORIGIN_AUTH_PROJECT", "service"), Optional.empty());

    KeystoneSettings keystone = settings.keystone().orElseThrow();
    assertThat(keystone.adminRole()).isEqualTo("cache-admin");
    assertThat(keystone.originLogin().orElseThrow().toString())
        .isEqualTo("user imagecache in project service (domain Default)");
  }

  @Test
  void keystoneOptionsNeedTheKeystoneUrl() {
    assertThatThrownBy(() -> SettingsResolver.resolve(Map.of("admin-role", "operator"),
        Map.of(), Optional.empty()))
        .hasMessage("invalid --admin-role \"operator\" (from the command line): needs"
            + " --keystone-url");
  }

  @Test
  void aSecretIsNeverEchoedInAnError() {
    assertThatThrownBy(() -> SettingsResolver.resolve(Map.of(
        "keystone-url", URL, "origin-auth-password", "hunter2"), Map.of(), Optional.empty()))
        .hasMessage("invalid --origin-auth-password (from the command line): needs"
            + " --origin-auth-username or --origin-auth-application-credential-id");
  }

  @Test
  void aUserNeedsPasswordAndProject() {
    assertThatThrownBy(() -> SettingsResolver.resolve(Map.of(
        "keystone-url", URL, "origin-auth-username", "u", "origin-auth-password", "p"),
        Map.of(), Optional.empty()))
        .hasMessage("invalid --origin-auth-username \"u\" (from the command line): needs"
            + " --origin-auth-project");
  }

  @Test
  void aSecretAndItsFileExcludeEachOther() throws Exception {
    Path secret = Files.writeString(temp.resolve("secret"), "s");

    assertThatThrownBy(() -> SettingsResolver.resolve(Map.of("keystone-url", URL,
        "origin-auth-application-credential-id", "id",
        "origin-auth-application-credential-secret", "t0p",
        "origin-auth-application-credential-secret-file", secret.toString()),
        Map.of(), Optional.empty()))
        .hasMessage("--origin-auth-application-credential-secret (from the command line) and"
            + " --origin-auth-application-credential-secret-file (from the command line) are both"
            + " set: give one of them")
        .hasMessageNotContaining("t0p");
  }

  @Test
  void anUnreadableSecretFileIsOneLineNamingTheFile() {
    Path missing = temp.resolve("nope");

    assertThatThrownBy(() -> SettingsResolver.resolve(Map.of("keystone-url", URL,
        "origin-auth-username", "u", "origin-auth-project", "p",
        "origin-auth-password-file", missing.toString()), Map.of(), Optional.empty()))
        .hasMessage("invalid --origin-auth-password-file \"" + missing
            + "\" (from the command line): no such file");
  }

  @Test
  void aKeystoneLoginAndAFixedOriginTokenExcludeEachOther() {
    assertThatThrownBy(() -> SettingsResolver.resolve(Map.of("keystone-url", URL,
        "origin-auth-application-credential-id", "id",
        "origin-auth-application-credential-secret", "s", "origin-token", "tok"),
        Map.of(), Optional.empty()))
        .hasMessage("invalid --origin-token (from the command line): the cache logs in"
            + " with --origin-auth-application-credential-id and gets its origin token from"
            + " Keystone: give one or the other");
  }

  @Test
  void aKeystoneUrlMustBeHttp() {
    assertThatThrownBy(() -> SettingsResolver.resolve(Map.of("keystone-url", "keystone:5000"),
        Map.of(), Optional.empty()))
        .hasMessage("invalid --keystone-url \"keystone:5000\" (from the command line): expected"
            + " Keystone's http(s) URL, e.g. http://keystone:5000/v3");
  }
}
