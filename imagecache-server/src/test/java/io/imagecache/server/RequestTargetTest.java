package io.imagecache.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The request-target normaliser by example: each step, and what it refuses. */
class RequestTargetTest {

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(delimiter = '|', value = {
      "/v2/images/img/file          | /v2/images/img/file",
      "http://glance:9292/v2/cache  | /v2/cache",
      "HTTPS://h                    | /",
      "http://h?x=1                 | /?x=1",
      "/v2/%63ache                  | /v2/cache",
      "/%762/cache                  | /v2/cache",
      "/v2/cache%2fstatus           | /v2/cache%2Fstatus",
      "/v2/a%20b%7e                 | /v2/a%20b~",
      "/v2/./cache                  | /v2/cache",
      "/v2/x/../cache               | /v2/cache",
      "/v2/x/%2E%2e/cache           | /v2/cache",
      "/v2/cache/.                  | /v2/cache/",
      "/v2/cache/x/..               | /v2/cache/",
      "//v2//cache//                | /v2/cache/",
      "/V2/CACHE                    | /v2/CACHE",
      "/v2.16/cache                 | /v2/cache",
      "/v2.018/cache                | /v2/cache",
      "/V2.0                        | /v2",
      "/v2.19/cache                 | /v2.19/cache",
      "/v2.0019/cache               | /v2.19/cache",
      "/v3/cache                    | /v3/cache",
      "/images/v2.16/cache          | /images/v2.16/cache",
      "/v2/images?a=%2F&b=..        | /v2/images?a=%2F&b=..",
  })
  void normalises(String raw, String normalised) {
    assertThat(RequestTarget.parse(raw).originForm()).isEqualTo(normalised);
  }

  @ParameterizedTest
  @ValueSource(strings = {"/v2.19/cache", "/v2.100/images", "/V2.0019"})
  void versionsWeDoNotListAreKnownAsSuch(String raw) {
    assertThat(RequestTarget.parse(raw).unknownVersion()).isTrue();
    assertThat(RequestTarget.parse(raw).mayPassThrough()).isFalse();
  }

  @ParameterizedTest
  @ValueSource(strings = {"/v2/cache", "/v2/cache/img", "/v2/CACHE", "/v2/cache%2Fx", "/v2%2Fcache",
      "/v2/x%2F..%2Fcache", "/v2/cached_images", "/v2/Queued_Images/x", "/v2.3/cache.json",
      "/v2/cache%5Cx", "/v2./cache"})
  void cacheApiSpellingsAreNeverPassedThrough(String raw) {
    assertThat(RequestTarget.parse(raw).mayPassThrough()).isFalse();
  }

  @ParameterizedTest
  @ValueSource(strings = {"/v2/images/img", "/v2/images/cache", "/v2/schemas/image",
      "/v2/images?cache=1", "/v2/metadefs/cache", "/image/v2/cache"})
  void otherPathsMayBePassedThrough(String raw) {
    assertThat(RequestTarget.parse(raw).mayPassThrough()).isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {"*", "v2/cache", "", "/v2/%zz", "/v2/%", "/v2/%2", "/v2?x=%g0", "/..",
      "/v2/../../cache", "/v2/cache#x", "/v2/ca che", "/v2/cach\u00e9", "/v2/\u0000",
      "http://h/../x"})
  void refusesWhatCannotBeNormalised(String raw) {
    assertThatThrownBy(() -> RequestTarget.parse(raw))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("the request target");
  }
}
