package io.imagecache.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.Generate.booleans;
import static org.quicktheories.generators.Generate.oneOf;
import static org.quicktheories.generators.Generate.pick;
import static org.quicktheories.generators.SourceDSL.lists;
import static org.quicktheories.generators.SourceDSL.longs;
import static org.quicktheories.generators.SourceDSL.strings;

import io.imagecache.ImageId;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

/**
 * Properties of what the server parses from a request: the request-target normaliser (its normal
 * form, its idempotence, and that no spelling of the cache API is ever passed through), image ids
 * taken from a path segment, and {@code Range} headers. Generated with QuickTheories, which
 * shrinks a failing example and prints the seed that reproduces it.
 */
class RequestParsingPropertyTest {
  private static final Pattern ESCAPE = Pattern.compile("%(..)");
  private static final String CANONICAL = "/v2/cache";
  private static final List<String> CACHE_TAILS =
      List.of("", "/status", "/prune", "/clean", "/img", "/img/pin", "/nodes/img");

  // ---- the request-target normaliser

  @Test
  void normalisedTargetsHaveTheNormalFormAndAreStable() {
    qt().withExamples(3000).forAll(targets())
        .checkAssert(RequestParsingPropertyTest::hasTheNormalFormAndIsStable);
  }

  private static void hasTheNormalFormAndIsStable(String raw) {
    RequestTarget target;
    try {
      target = RequestTarget.parse(raw);
    } catch (IllegalArgumentException refused) {
      assertThat(refused.getMessage()).startsWith("the request target");
      return;
    }
    String path = target.path();
    assertThat(path).startsWith("/").doesNotContain("//");
    assertThat(List.of(path.split("/"))).doesNotContain(".", "..");
    Matcher escape = ESCAPE.matcher(path);
    while (escape.find()) {
      char decoded = (char) HexFormat.fromHexDigits(escape.group(1));
      assertThat(isUnreserved(decoded)).as("%s in %s", escape.group(), path).isFalse();
      assertThat(escape.group(1)).isEqualTo(escape.group(1).toUpperCase(Locale.ROOT));
    }
    RequestTarget again = RequestTarget.parse(target.originForm());
    assertThat(again.originForm()).isEqualTo(target.originForm());
    assertThat(again.unknownVersion()).isEqualTo(target.unknownVersion());
    assertThat(again.mayPassThrough()).isEqualTo(target.mayPassThrough());
  }

  @Test
  void theShortCutForNormalPathsAgreesWithTheFullNormalisation() {
    qt().withExamples(3000).forAll(oneOf(targets(), plainV2Paths()))
        .checkAssert(raw -> {
          Optional<RequestTarget> quick = parsed(raw);
          Optional<RequestTarget> full;
          try {
            full = Optional.of(RequestTarget.normalise(raw));
          } catch (IllegalArgumentException e) {
            full = Optional.empty();
          }
          assertThat(quick.map(RequestTarget::originForm)).as(raw)
              .isEqualTo(full.map(RequestTarget::originForm));
          assertThat(quick.map(RequestTarget::unknownVersion))
              .isEqualTo(full.map(RequestTarget::unknownVersion));
        });
  }

  @Test
  void nothingUnderTheCacheApiIsEverPassedThrough() {
    qt().withExamples(3000).forAll(targets()).checkAssert(raw -> {
      Optional<RequestTarget> target = parsed(raw);
      if (target.isEmpty()) {
        return;
      }
      String lower = target.get().path().toLowerCase(Locale.ROOT);
      if (lower.equals(CANONICAL) || lower.startsWith(CANONICAL + "/")
          || lower.startsWith(CANONICAL + "%2f") || lower.startsWith("/v2%2fcache")) {
        assertThat(target.get().mayPassThrough()).as(raw).isFalse();
      }
    });
  }

  @Test
  void spellingsOfTheCacheApiRouteToIt() {
    qt().withExamples(3000).forAll(cacheApiSpellings()).checkAssert(spelling -> {
      RequestTarget target = RequestTarget.parse(spelling.raw());

      assertThat(target.path()).as(spelling.raw()).isEqualTo(CANONICAL + spelling.tail());
      assertThat(target.mayPassThrough()).isFalse();
    });
  }

  @Test
  void spellingsWithTheCaseOfTheNameChangedAreNeverPassedThrough() {
    qt().withExamples(2000).forAll(cacheApiSpellings(), longs().all())
        .checkAssert(RequestParsingPropertyTest::caseChangedSpellingIsNotPassedThrough);
  }

  private static void caseChangedSpellingIsNotPassedThrough(Spelling spelling, long seed) {
    String raw = spelling.raw();
    Random random = new Random(seed);
    StringBuilder mutated = new StringBuilder(raw.length());
    for (int i = 0; i < raw.length(); i++) {
      char c = raw.charAt(i);
      mutated.append(random.nextBoolean() ? Character.toUpperCase(c) : c);
    }
    Optional<RequestTarget> target = parsed(mutated.toString());
    // Upper-casing can turn a valid escape's neighbours into nothing new: it stays parsable.
    assertThat(target).as(mutated.toString()).isPresent();
    assertThat(target.get().mayPassThrough()).as(mutated.toString()).isFalse();
  }

  /** {@code /v2/} paths of plain segments, dot segments and doubled or trailing slashes. */
  private static Gen<String> plainV2Paths() {
    Gen<String> segment = pick(List.of("images", "img", "file", "cache", "a.b", "x-1_~", ".",
        "..", ".hidden", "", "V2", "v2.3"));
    return lists().of(segment).ofSizeBetween(1, 6).map(list -> "/v2/" + String.join("/", list));
  }

  private static Gen<String> targets() {
    Gen<String> pieces = oneOf(
        pick(List.of("/", "//", ".", "..", "./", "../", "v2", "V2", "v2.", "v2.16", "v2.018",
            "v2.99", "cache", "CACHE", "cached_images", "queued_images", "images", "img",
            "file", "status", "pin", "%2F", "%2f", "%2E", "%2e", "%63", "%76", "%7E", "%5C", "%00",
            "%zz", "%", "%2", "?", "?a=%2F", "#", ";", "~", "-", "_", "+", "@", ":", "\\",
            "http://host", "HTTP://h:1", " ")),
        strings().betweenCodePoints('!', '~').ofLengthBetween(0, 3));
    Gen<String> path = lists().of(pieces).ofSizeBetween(0, 14).map(list -> String.join("", list));
    return oneOf(path.map(p -> "/" + p), path);
  }

  /** A spelling of {@code /v2/cache<tail>} and its tail. */
  record Spelling(String raw, String tail) {}

  private static Gen<Spelling> cacheApiSpellings() {
    return pick(CACHE_TAILS).zip(longs().all(), booleans(), (tail, seed, absolute) -> {
          Random random = new Random(seed);
          StringBuilder raw = new StringBuilder(absolute ? "http://127.0.0.1:9292" : "");
          String[] segments = (CANONICAL + tail).substring(1).split("/");
          for (int i = 0; i < segments.length; i++) {
            raw.append(slashes(random));
            for (int noise = random.nextInt(3); noise > 0; noise--) {
              raw.append(dotNoise(random)).append(slashes(random));
            }
            raw.append(i == 0 ? version(random) : encode(segments[i], random));
          }
          return new Spelling(raw.toString(), tail);
        }).describedAs(Spelling::raw);
  }

  // ---- image ids from a path segment

  @Test
  void acceptedIdsAreSafeFileNames() {
    qt().withExamples(3000).forAll(segments()).checkAssert(segment -> {
      ImageId id;
      try {
        id = ImageIdSegment.decode(segment);
      } catch (IllegalArgumentException refused) {
        assertThat(refused.getMessage()).startsWith("invalid image id");
        return;
      }
      assertThat(id.value()).doesNotContain("/", "\0", "\\").isNotIn(".", "..");
      assertThat(ImageId.of(id.value())).isEqualTo(id);
    });
  }

  @Test
  void everyEncodingOfAnIdDecodesToIt() {
    qt().withExamples(2000).forAll(ids(), longs().all()).checkAssert((value, seed) -> {
      ImageId id = ImageId.of(value);

      assertThat(ImageIdSegment.decode(encode(value, new Random(seed)))).isEqualTo(id);
      assertThat(ImageId.of(id.value())).isEqualTo(id);
    });
  }

  private static Gen<String> segments() {
    return oneOf(
        strings().betweenCodePoints(' ', '~').ofLengthBetween(0, 12),
        lists().of(pick(List.of("%2F", "%2f", "%00", "%2E", "%2E%2E", ".%2E", "%5C", "%C3%28", "%zz", "%",
            "img", "..", ".", "a", "%61", "cache.db", "%C3%A9"))).ofSizeBetween(0, 4)
            .map(list -> String.join("", list)));
  }

  private static Gen<String> ids() {
    Gen<String> character = pick(List.of("a", "b", "c", "X", "Y", "Z", "0", "1", "9", ".", "_",
        "-"));
    return lists().of(character).ofSizeBetween(1, 40).map(list -> String.join("", list))
        .assuming(ImageId::isValid);
  }

  // ---- Range headers

  @Test
  void rangesNeverThrowAndAcceptedOnesLieWithinTheImage() {
    qt().withExamples(3000).forAll(rangeHeaders(), longs().from(0).upToAndIncluding(Long.MAX_VALUE))
        .checkAssert(RequestParsingPropertyTest::rangeIsWithinTheImage);
  }

  @Test
  void smallImagesToo() {
    qt().withExamples(1000).forAll(rangeHeaders(), longs().between(0, 20))
        .checkAssert(RequestParsingPropertyTest::rangeIsWithinTheImage);
  }

  private static void rangeIsWithinTheImage(String header, long size) {
    Throwable thrown = catchThrowable(() -> ByteRange.parse(Optional.of(header), size));
    assertThat(thrown).as(header).isNull();

    ByteRange.Request request = ByteRange.parse(Optional.of(header), size);
    if (request instanceof ByteRange.Partial partial) {
      ByteRange range = partial.range();
      assertThat(range.first()).isNotNegative().isLessThanOrEqualTo(range.last());
      assertThat(range.last()).isLessThan(size);
      assertThat(range.length()).isPositive().isLessThanOrEqualTo(size);
    }
  }

  private static Gen<String> rangeHeaders() {
    Gen<String> number = oneOf(
        longs().between(0, 30).map(n -> Long.toString(n)),
        longs().from(0).upToAndIncluding(Long.MAX_VALUE).map(n -> Long.toString(n)),
        lists().of(pick(List.of("0", "1", "5", "9"))).ofSizeBetween(0, 30)
            .map(digits -> String.join("", digits)),
        pick(List.of("", "-1", "+1", "1e3", "0x10", " 5", "٣")));
    Gen<String> spec = number.zip(pick(List.of("-", "", "--", " - ")), number,
        (a, dash, b) -> a + dash + b);
    return oneOf(
        pick(List.of("bytes=", "BYTES=", "bytes =", "items=", "")).zip(spec,
            pick(List.of("", ",", ", 0-1", ";x")), (unit, s, rest) -> unit + s + rest),
        strings().betweenCodePoints(' ', '~').ofLengthBetween(0, 20));
  }

  // ---- helpers

  private static Optional<RequestTarget> parsed(String raw) {
    try {
      return Optional.of(RequestTarget.parse(raw));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  /** One to three slashes. */
  private static String slashes(Random random) {
    return "/".repeat(1 + random.nextInt(3));
  }

  /** A segment that dot-segment removal takes out again, followed by nothing (a slash comes next). */
  private static String dotNoise(Random random) {
    return switch (random.nextInt(4)) {
      case 0 -> ".";
      case 1 -> "%2e";
      case 2 -> "x/..";
      default -> "img%2D1/%2E%2e";
    };
  }

  /** {@code v2} or {@code v2.N} (N listed, maybe with leading zeros), in either case, maybe encoded. */
  private static String version(Random random) {
    String version = random.nextBoolean() ? "v2"
        : "v2." + "0".repeat(random.nextInt(3)) + random.nextInt(VersionsDocument.CURRENT_MINOR + 1);
    String cased = random.nextBoolean() ? version.toUpperCase(Locale.ROOT) : version;
    return encode(cased, random);
  }

  /** {@code text} with each character percent-encoded or not, at random, in random hex case. */
  private static String encode(String text, Random random) {
    StringBuilder out = new StringBuilder();
    for (char c : text.toCharArray()) {
      if (random.nextInt(3) == 0) {
        String hex = HexFormat.of().toHexDigits((byte) c);
        out.append('%').append(random.nextBoolean() ? hex.toUpperCase(Locale.ROOT) : hex);
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }

  private static boolean isUnreserved(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
        || "-._~".indexOf(c) >= 0;
  }
}
