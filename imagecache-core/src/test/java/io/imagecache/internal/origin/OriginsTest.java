package io.imagecache.internal.origin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OriginsTest {
  private static final String FORMS =
      "expected a directory, a file: URL, http(s)://…/{id} or glance+http(s)://host:port";
  private static final OriginSettings SETTINGS = OriginSettings.defaults();

  @TempDir Path dir;

  // ---- the forms

  @Test
  void plainPathMakesADirectoryOrigin() throws Exception {
    try (Origin origin = Origins.parse(dir.toString(), SETTINGS)) {
      assertThat(origin).hasToString("directory origin " + dir.toRealPath());
    }
  }

  @Test
  void fileUrlMakesADirectoryOrigin() throws Exception {
    try (Origin origin = Origins.parse(dir.toUri().toString(), SETTINGS)) {
      assertThat(origin).hasToString("directory origin " + dir.toRealPath());
    }
  }

  @Test
  void httpAndHttpsTemplatesMakeHttpOrigins() {
    try (Origin origin = Origins.parse("http://store.example:8080/images/{id}.raw", SETTINGS)) {
      assertThat(origin).hasToString("HTTP origin http://store.example:8080/images/{id}.raw");
    }
    try (Origin origin = Origins.parse("https://store.example/v1/{id}?sig=abc", SETTINGS)) {
      assertThat(origin).hasToString("HTTP origin https://store.example/v1/{id}?sig=abc");
    }
  }

  @Test
  void glanceUrlsMakeGlanceOriginsWithoutTrailingSlash() {
    try (Origin origin = Origins.parse("glance+http://glance.example:9292/", SETTINGS)) {
      assertThat(origin).hasToString("Glance origin http://glance.example:9292");
    }
    try (Origin origin = Origins.parse("GLANCE+HTTPS://glance.example/image", SETTINGS)) {
      assertThat(origin).hasToString("Glance origin HTTPS://glance.example/image");
    }
  }

  // ---- bad specs

  @Test
  void emptySpecIsRefused() {
    assertThatThrownBy(() -> Origins.parse("  ", SETTINGS))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("origin is empty: " + FORMS);
  }

  @Test
  void unknownSchemeIsRefused() {
    assertThatThrownBy(() -> Origins.parse("ftp://store.example/{id}", SETTINGS))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("unknown origin scheme \"ftp\" in \"ftp://store.example/{id}\": " + FORMS);
  }

  @Test
  void httpTemplateWithoutPlaceholderIsRefused() {
    assertThatThrownBy(() -> Origins.parse("http://store.example/images/", SETTINGS))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("HTTP origin \"http://store.example/images/\" has no {id} placeholder:"
            + " write e.g. http://store.example/images/{id}");
  }

  @Test
  void httpTemplateWithoutHostIsRefused() {
    assertThatThrownBy(() -> Origins.parse("http:///images/{id}", SETTINGS))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("invalid HTTP origin \"http:///images/{id}\": no host name");
  }

  @Test
  void httpTemplateThatIsNoUrlIsRefused() {
    assertThatThrownBy(() -> Origins.parse("http://store.example/a b/{id}", SETTINGS))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("invalid HTTP origin \"http://store.example/a b/{id}\": Illegal character in path at index 22");
  }

  @Test
  void credentialsInTheUrlAreRefused() {
    assertThatThrownBy(() -> Origins.parse("https://user:secret@store.example/{id}", SETTINGS))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("invalid HTTP origin \"https://user:secret@store.example/{id}\": credentials in the URL"
            + " are not supported; configure a bearer token instead");
  }

  @Test
  void glanceUrlWithQueryIsRefused() {
    assertThatThrownBy(() -> Origins.parse("glance+http://glance:9292/?x=1", SETTINGS))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Glance origin \"glance+http://glance:9292/?x=1\" must not have a ?query or #fragment:"
            + " write e.g. glance+http://glance:9292");
  }

  @Test
  void missingDirectoryIsRefused() {
    Path absent = dir.resolve("absent");
    assertThatThrownBy(() -> Origins.parse(absent.toString(), SETTINGS))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("origin directory " + absent + " does not exist");
  }

  @Test
  void regularFileIsNotADirectoryOrigin() throws Exception {
    Path file = Files.writeString(dir.resolve("file"), "x");
    assertThatThrownBy(() -> Origins.parse("file://" + file, SETTINGS))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("origin " + file + " is not a directory");
  }

  @Test
  void relativeFileUrlIsRefused() {
    assertThatThrownBy(() -> Origins.parse("file:images", SETTINGS))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("invalid file: origin \"file:images\": expected an absolute file: URL such as file:///srv/images");
  }

  // ---- settings

  @Test
  void settingsDefaultsAreTenThirtySixtySecondsAndNoToken() {
    assertThat(OriginSettings.defaults()).isEqualTo(new OriginSettings(
        Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofSeconds(60), Optional.empty()));
  }

  @Test
  void settingsRefuseNonPositiveTimeouts() {
    assertThatThrownBy(() -> SETTINGS.withTimeouts(Duration.ofSeconds(1), Duration.ZERO, Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("first byte timeout must be positive, was PT0S");
    assertThatThrownBy(() -> SETTINGS.withTimeouts(Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("idle timeout must be positive, was PT-1S");
  }

  @Test
  void settingsRefuseABearerTokenThatCannotBeAHeaderWithoutEchoingIt() {
    assertThatThrownBy(() -> SETTINGS.withBearerToken("abc def"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("bearer token may contain only visible ASCII characters (found one at position 3)");
    assertThatThrownBy(() -> SETTINGS.withBearerToken(""))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("bearer token is empty");
  }

  @Test
  void settingsNeverShowTheTokenInText() {
    assertThat(SETTINGS.withBearerToken("s3cret").toString())
        .doesNotContain("s3cret")
        .isEqualTo("OriginSettings[connectTimeout=PT10S, firstByteTimeout=PT30S, idleTimeout=PT1M, bearerToken=(set)]");
  }

  // ---- check: the same rules, nothing made

  @Test
  void checkAcceptsEveryFormParseAccepts() {
    Origins.check(dir.toString());
    Origins.check(dir.toUri().toString());
    Origins.check("http://store.example:8080/images/{id}.raw");
    Origins.check("glance+https://glance.example/image");
  }

  @Test
  void checkRefusesWhatParseRefusesWithTheSameMessage() throws Exception {
    Path file = Files.writeString(dir.resolve("plain"), "x");
    for (String spec : new String[] {"ftp://store.example/{id}", "http://store.example/images/",
        "http:///images/{id}", "glance+http://glance:9292/?x=1", dir.resolve("absent").toString(),
        file.toString(), "file:images", " "}) {
      Throwable parsed = org.assertj.core.api.Assertions.catchThrowable(
          () -> Origins.parse(spec, SETTINGS).close());
      assertThat(parsed).as(spec).isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> Origins.check(spec)).as(spec)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage(parsed.getMessage());
    }
  }
}
