package io.imagecache.cli;

import io.imagecache.Durations;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;

/**
 * The parsers of {@code serve}'s option values that more than one option shares; each throws
 * {@link IllegalArgumentException} saying what is expected, which the option's error then names.
 */
final class OptionParsers {
  private OptionParsers() {}

  static Path path(String text) {
    if (text.isBlank()) {
      throw new IllegalArgumentException("a path is required");
    }
    return Path.of(text);
  }

  static String password(String text) {
    if (text.isEmpty()) {
      throw new IllegalArgumentException("the password is empty");
    }
    return text;
  }

  /** {@code on} or {@code off}; also true or false, which YAML makes of a bare on or off. */
  static boolean onOff(String text) {
    switch (text.strip().toLowerCase(Locale.ROOT)) {
      case "on": case "true":
        return true;
      case "off": case "false":
        return false;
      default:
        throw new IllegalArgumentException("expected on or off");
    }
  }

  static boolean bool(String text) {
    switch (text.strip().toLowerCase(Locale.ROOT)) {
      case "true": case "yes": case "on": case "1":
        return true;
      case "false": case "no": case "off": case "0":
        return false;
      default:
        throw new IllegalArgumentException("expected true or false");
    }
  }

  static Duration positive(String text) {
    Duration duration = Durations.parse(text);
    if (duration.isZero()) {
      throw new IllegalArgumentException("must be longer than 0");
    }
    return duration;
  }

  static int threads(String text) {
    return wholeNumber(text, 1, ServeSettings.MAX_BLOCKING_THREADS);
  }

  /** A whole number from 0 to {@link OriginFetch#MAX_RESUME_ATTEMPTS}. */
  static int resumeAttempts(String text) {
    return wholeNumber(text, 0, OriginFetch.MAX_RESUME_ATTEMPTS);
  }

  /** A whole number from 1 to {@link OriginFetch#MAX_CONNECTIONS}. */
  static int originConnections(String text) {
    return wholeNumber(text, 1, OriginFetch.MAX_CONNECTIONS);
  }

  /** A whole number from 1 to 1000 (workers, attempts). */
  static int count(String text) {
    return wholeNumber(text, 1, 1000);
  }

  /** A whole number, digits only, from {@code min} to {@code max}. */
  static int wholeNumber(String text, int min, int max) {
    String digits = text.strip();
    if (digits.isEmpty() || digits.length() > 9 || !digits.chars().allMatch(Character::isDigit)
        || Integer.parseInt(digits) < min || Integer.parseInt(digits) > max) {
      throw new IllegalArgumentException("expected a whole number from " + min + " to " + max);
    }
    return Integer.parseInt(digits);
  }

  /** A percentage, {@code 90} or {@code 90%}, from 0 to 100, as a fraction. */
  static double percent(String text) {
    String number = text.strip();
    if (number.endsWith("%")) {
      number = number.substring(0, number.length() - 1).strip();
    }
    try {
      double value = Double.parseDouble(number);
      if (value >= 0 && value <= 100 && !number.isEmpty()
          && number.chars().allMatch(c -> Character.isDigit(c) || c == '.')) {
        return value / 100;
      }
    } catch (NumberFormatException e) {
      // Reported below.
    }
    throw new IllegalArgumentException("expected a percentage from 0 to 100, e.g. 90 or 90%");
  }
}
