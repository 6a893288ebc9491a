package io.imagecache.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;

/**
 * Secrets from files ({@code admin-token-file}, {@code origin-token-file}): read with the trailing
 * newline trimmed, a file others may read warned about, a file and its plain option both set is a
 * configuration error naming both, and a secret's value never appears in an error or in
 * {@code imagecache config}.
 */
class SecretFileOptionsTest {
  @TempDir Path temp;
  private final ListAppender<ILoggingEvent> warnings = new ListAppender<>();
  private final Logger secretLog = (Logger) LoggerFactory.getLogger(SecretFile.class);

  @BeforeEach
  void captureWarnings() {
    warnings.start();
    secretLog.addAppender(warnings);
  }

  @AfterEach
  void stopCapturing() {
    secretLog.detachAppender(warnings);
  }

  private Path secret(String name, String content, String mode) throws IOException {
    Path file = Files.writeString(temp.resolve(name), content);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(mode));
    return file;
  }

  @Test
  void tokensAreReadFromTheirFilesWithoutTheTrailingNewline() throws Exception {
    Path admin = secret("admin", "adm1n-t0ken\n", "rw-------");
    Path origin = secret("origin", "0rigin-t0ken\r\n", "rw-r-----");

    ServeSettings settings = SettingsResolver.resolve(
        Map.of("admin-token-file", admin.toString()),
        Map.of("IMAGECACHE_ORIGIN_TOKEN_FILE", origin.toString()), Optional.empty());

    assertThat(settings.adminToken()).hasValue("adm1n-t0ken");
    assertThat(settings.originToken()).hasValue("0rigin-t0ken");
    assertThat(warnings.list).isEmpty();
  }

  @Test
  void aFileEveryUserMayReadIsUsedButWarnedAbout() throws Exception {
    Path admin = secret("admin", "adm1n-t0ken\n", "rw-r--r--");

    ServeSettings settings = SettingsResolver.resolve(
        Map.of("admin-token-file", admin.toString()), Map.of(), Optional.empty());

    assertThat(settings.adminToken()).hasValue("adm1n-t0ken");
    assertThat(warnings.list).singleElement().satisfies(event -> assertThat(
        event.getFormattedMessage()).isEqualTo("--admin-token-file " + admin
            + " can be read by every user (mode rw-r--r--): chmod o-r it"));
  }

  @Test
  void aFileAndItsPlainOptionBothSetIsAnErrorNamingBoth() throws Exception {
    Path admin = secret("admin", "adm1n-t0ken\n", "rw-------");

    assertThatThrownBy(() -> SettingsResolver.resolve(Map.of("admin-token", "other-token"),
        Map.of("IMAGECACHE_ADMIN_TOKEN_FILE", admin.toString()), Optional.empty()))
        .isInstanceOf(SettingsException.class)
        .hasMessage("--admin-token (from the command line) and --admin-token-file (from"
            + " IMAGECACHE_ADMIN_TOKEN_FILE) are both set: give one of them");

    StringWriter err = new StringWriter();
    int exit = run(new StringWriter(), err, "serve", "--check", "--cache-dir",
        temp.resolve("cache").toString(), "--origin-token", "x", "--origin-token-file",
        admin.toString());
    assertThat(exit).isEqualTo(2);
    assertThat(err.toString()).isEqualTo("imagecache serve: --origin-token (from the command line)"
        + " and --origin-token-file (from the command line) are both set: give one of them\n");
  }

  @Test
  void aBadFileIsNamedAndItsContentNeverShown() throws Exception {
    Path spaced = secret("spaced", "has a space\n", "rw-------");
    Path empty = secret("empty", "\n", "rw-------");

    assertThatThrownBy(() -> SettingsResolver.resolve(
        Map.of("admin-token-file", spaced.toString()), Map.of(), Optional.empty()))
        .isInstanceOf(SettingsException.class)
        .hasMessageStartingWith("invalid --admin-token-file \"" + spaced
            + "\" (from the command line): the file's content: admin token must be")
        .hasMessageNotContaining("has a space");
    assertThatThrownBy(() -> SettingsResolver.resolve(
        Map.of("origin-token-file", empty.toString()), Map.of(), Optional.empty()))
        .hasMessage("invalid --origin-token-file \"" + empty
            + "\" (from the command line): the file is empty");
    Path missing = temp.resolve("missing");
    assertThatThrownBy(() -> SettingsResolver.resolve(
        Map.of("origin-token-file", missing.toString()), Map.of(), Optional.empty()))
        .hasMessage("invalid --origin-token-file \"" + missing
            + "\" (from the command line): no such file");
  }

  @Test
  void aBadPlainSecretIsReportedWithoutItsValue() {
    assertThatThrownBy(() -> SettingsResolver.resolve(
        Map.of(), Map.of("IMAGECACHE_ADMIN_TOKEN", "my secret"), Optional.empty()))
        .isInstanceOf(SettingsException.class)
        .hasMessageStartingWith(
            "invalid --admin-token (secret) (from IMAGECACHE_ADMIN_TOKEN): admin token must be")
        .hasMessageNotContaining("my secret");
  }

  @Test
  void configShowsTheFileAsTheSourceAndMasksTheSecret() throws Exception {
    Path origin = secret("origin", "0rigin-t0ken\n", "rw-------");
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();

    int exit = run(out, err, "config", "--cache-dir", temp.resolve("cache").toString(),
        "--origin-token-file", origin.toString());

    assertThat(exit).as(err.toString()).isZero();
    List<String> lines = out.toString().lines().toList();
    assertThat(lines).anySatisfy(line -> assertThat(line).matches("origin-token +\\(secret\\) +file "
        + java.util.regex.Pattern.quote(origin.toString())
        + " \\(origin-token-file from the command line\\)"));
    assertThat(lines).noneSatisfy(line -> assertThat(line).startsWith("origin-token-file"));
    assertThat(out.toString()).doesNotContain("0rigin-t0ken");
  }

  @Test
  void theDatabasePasswordComesApartFromTheUrlAndIsNeverShown() throws Exception {
    Path password = secret("db-password", "pg-Pa55word\n", "rw-------");
    Map<String, String> flags = Map.of("driver", "postgres",
        "db-url", "jdbc:postgresql://db:5432/ic?user=ic", "node-url", "http://node1:9292",
        "db-password-file", password.toString());

    ServeSettings settings = SettingsResolver.resolve(flags, Map.of(), Optional.empty());

    assertThat(settings.cache().dbPassword()).hasValue("pg-Pa55word");
    assertThat(settings.toString()).doesNotContain("pg-Pa55word").contains("(secret)");
    assertThat(SettingValues.masked(ServeOption.DB_PASSWORD,
        SettingValues.of(settings).get(ServeOption.DB_PASSWORD))).isEqualTo("(secret)");
    assertThat(SettingsResolver.resolve(Map.of("driver", "postgres",
        "db-url", "jdbc:postgresql://db:5432/ic?user=ic", "node-url", "http://node1:9292"),
        Map.of("IMAGECACHE_DB_PASSWORD", "pg-Pa55word"), Optional.empty()).cache().dbPassword())
        .hasValue("pg-Pa55word");

    assertThatThrownBy(() -> SettingsResolver.resolve(Map.of("driver", "postgres",
        "db-url", "jdbc:postgresql://db:5432/ic?user=ic&password=other", "node-url",
        "http://node1:9292", "db-password-file", password.toString()), Map.of(), Optional.empty()))
        .isInstanceOf(SettingsException.class)
        .hasMessageEndingWith("it carries a password= and --db-password or --db-password-file is"
            + " set too: give the password once");
  }

  @Test
  void everySecretHasAFileTwinAndNoTwinIsASecret() {
    assertThat(ServeOption.DB_PASSWORD.fileTwin()).hasValue(ServeOption.DB_PASSWORD_FILE);
    assertThat(ServeOption.ADMIN_TOKEN.fileTwin()).hasValue(ServeOption.ADMIN_TOKEN_FILE);
    assertThat(ServeOption.ORIGIN_TOKEN.fileTwin()).hasValue(ServeOption.ORIGIN_TOKEN_FILE);
    assertThat(ServeOption.ORIGIN_TOKEN_FILE.secretOfFile()).hasValue(ServeOption.ORIGIN_TOKEN);
    for (ServeOption option : ServeOption.values()) {
      option.secretOfFile().ifPresent(secret -> {
        assertThat(secret.isSecret()).as(secret.optionName()).isTrue();
        assertThat(option.isSecret()).as(option.optionName()).isFalse();
      });
    }
  }

  private int run(StringWriter out, StringWriter err, String... args) {
    CommandLine commandLine = Main.commandLine(settings -> {
      throw new AssertionError("the server must not start");
    }, Map.of());
    commandLine.setOut(new PrintWriter(out, true));
    commandLine.setErr(new PrintWriter(err, true));
    return commandLine.execute(args);
  }
}
