package io.imagecache.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.imagecache.ImageId;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.LongRange;

/**
 * Properties of what the server parses from a request: the request-target normaliser (its normal
 * form, its idempotence, and that no spelling of the cache API is ever passed through), image ids
 * taken from a path segment, and {@code Range} headers.
 */
class RequestParsingPropertyTest {
  private static final Pattern ESCAPE = Pattern.compile("%(..)");
  private static final String CANONICAL = "/v2/cache";
  private static final List<String> CACHE_TAILS =
      List.of("", "/status", "/prune", "/clean", "/img", "/img/pin", "/nodes/img");

  // ---- the request-target normaliser

  @Property(tries = 3000)
  void normalisedTargetsHaveTheNormalFormAndAreStable(@ForAll("targets") String raw) {
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

  @Property(tries = 3000)
  void nothingUnderTheCacheApiIsEverPassedThrough(@ForAll("targets") String raw) {
    Optional<RequestTarget> target = parsed(raw);
    if (target.isEmpty()) {
      return;
    }
    String lower = target.get().path().toLowerCase(Locale.ROOT);
    if (lower.equals(CANONICAL) || lower.startsWith(CANONICAL + "/")
        || lower.startsWith(CANONICAL + "%2f") || lower.startsWith("/v2%2fcache")) {
      assertThat(target.get().mayPassThrough()).as(raw).isFalse();
    }
  }

  @Property(tries = 3000)
  void spellingsOfTheCacheApiRouteToIt(@ForAll("cacheApiSpellings") Spelling spelling) {
    RequestTarget target = RequestTarget.parse(spelling.raw());

    assertThat(target.path()).as(spelling.raw()).isEqualTo(CANONICAL + spelling.tail());
    assertThat(target.mayPassThrough()).isFalse();
  }

  @Property(tries = 2000)
  void spellingsWithTheCaseOfTheNameChangedAreNeverPassedThrough(
      @ForAll("cacheApiSpellings") Spelling spelling, @ForAll long seed) {
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

  @Provide
  Arbitrary<String> targets() {
    Arbitrary<String> pieces = Arbitraries.oneOf(
        Arbitraries.of("/", "//", ".", "..", "./", "../", "v2", "V2", "v2.", "v2.16", "v2.018",
            "v2.99", "cache", "CACHE", "cached_images", "queued_images", "images", "img",
            "file", "status", "pin", "%2F", "%2f", "%2E", "%2e", "%63", "%76", "%7E", "%5C", "%00",
            "%zz", "%", "%2", "?", "?a=%2F", "#", ";", "~", "-", "_", "+", "@", ":", "\\",
            "http://host", "HTTP://h:1", " "),
        Arbitraries.strings().withCharRange('!', '~').ofMaxLength(3));
    Arbitrary<String> path = pieces.list().ofMaxSize(14).map(list -> String.join("", list));
    return Arbitraries.oneOf(path.map(p -> "/" + p), path);
  }

  /** A spelling of {@code /v2/cache<tail>} and its tail. */
  record Spelling(String raw, String tail) {}

  @Provide
  Arbitrary<Spelling> cacheApiSpellings() {
    return Combinators.combine(Arbitraries.of(CACHE_TAILS), Arbitraries.longs(),
            Arbitraries.of(false, true))
        .as((tail, seed, absolute) -> {
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
        });
  }

  // ---- image ids from a path segment

  @Property(tries = 3000)
  void acceptedIdsAreSafeFileNames(@ForAll("segments") String segment) {
    ImageId id;
    try {
      id = ImageIdSegment.decode(segment);
    } catch (IllegalArgumentException refused) {
      assertThat(refused.getMessage()).startsWith("invalid image id");
      return;
    }
    assertThat(id.value()).doesNotContain("/", "\0", "\\").isNotIn(".", "..");
    assertThat(ImageId.of(id.value())).isEqualTo(id);
  }

  @Property(tries = 2000)
  void everyEncodingOfAnIdDecodesToIt(@ForAll("ids") String value, @ForAll long seed) {
    ImageId id = ImageId.of(value);

    assertThat(ImageIdSegment.decode(encode(value, new Random(seed)))).isEqualTo(id);
    assertThat(ImageId.of(id.value())).isEqualTo(id);
  }

  @Provide
  Arbitrary<String> segments() {
    return Arbitraries.oneOf(
        Arbitraries.strings().withCharRange(' ', '~').ofMaxLength(12),
        Arbitraries.of("%2F", "%2f", "%00", "%2E", "%2E%2E", ".%2E", "%5C", "%C3%28", "%zz", "%",
            "img", "..", ".", "a", "%61", "cache.db", "%C3%A9").list().ofMaxSize(4)
            .map(list -> String.join("", list)));
  }

  @Provide
  Arbitrary<String> ids() {
    return Arbitraries.strings().withChars("abcXYZ019._-").ofMinLength(1).ofMaxLength(40)
        .filter(ImageId::isValid);
  }

  // ---- Range headers

  @Property(tries = 3000)
  void rangesNeverThrowAndAcceptedOnesLieWithinTheImage(@ForAll("rangeHeaders") String header,
      @ForAll @LongRange(min = 0, max = Long.MAX_VALUE) long size) {
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

  @Property(tries = 1000)
  void smallImagesToo(@ForAll("rangeHeaders") String header,
      @ForAll @LongRange(min = 0, max = 20) long size) {
    rangesNeverThrowAndAcceptedOnesLieWithinTheImage(header, size);
  }

  @Provide
  Arbitrary<String> rangeHeaders() {
    Arbitrary<String> number = Arbitraries.oneOf(
        Arbitraries.longs().between(0, 30).map(n -> Long.toString(n)),
        Arbitraries.longs().greaterOrEqual(0).map(n -> Long.toString(n)),
        Arbitraries.strings().numeric().ofMaxLength(30),
        Arbitraries.of("", "-1", "+1", "1e3", "0x10", " 5", "٣"));
    Arbitrary<String> spec = Combinators.combine(number, Arbitraries.of("-", "", "--", " - "),
        number).as((a, dash, b) -> a + dash + b);
    return Arbitraries.oneOf(
        Combinators.combine(Arbitraries.of("bytes=", "BYTES=", "bytes =", "items=", ""), spec,
            Arbitraries.of("", ",", ", 0-1", ";x")).as((unit, s, rest) -> unit + s + rest),
        Arbitraries.strings().withCharRange(' ', '~').ofMaxLength(20));
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
