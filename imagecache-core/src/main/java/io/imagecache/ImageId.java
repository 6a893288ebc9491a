package io.imagecache;

import java.util.Set;
import java.util.regex.Pattern;

/**
 * The identity of one cached image, and the only way an id enters the system.
 *
 * <p>An id is a Glance UUID or a safe name: 1 to 255 characters, each a letter, a digit, {@code .},
 * {@code _} or {@code -}; not {@code .} or {@code ..}, and not one of the names the cache directory
 * uses for itself ({@code incomplete}, {@code invalid}, {@code queue}, {@code pinned},
 * {@code cache.db…}, {@code imagecache.lock}, {@code admin-token}). An {@code ImageId} can therefore
 * always be used as a single file name inside the cache directory, and nothing else is.
 */
public record ImageId(String value) implements Comparable<ImageId> {
  private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9._-]{1,255}");

  /** Names of files and directories that the cache directory holds besides images. */
  private static final Set<String> RESERVED =
      Set.of("incomplete", "invalid", "queue", "pinned", "imagecache.lock", "admin-token", "checkme",
          "imagecache.probe");

  public ImageId {
    if (value == null) {
      throw new IllegalArgumentException("image id is missing");
    }
    if (!SAFE.matcher(value).matches() || value.equals(".") || value.equals("..")) {
      throw new IllegalArgumentException(
          "invalid image id " + quote(value) + ": expected 1-255 characters of letters, digits,"
              + " '.', '_' or '-', and not '.' or '..'");
    }
    if (RESERVED.contains(value) || value.startsWith("cache.db")) {
      throw new IllegalArgumentException(
          "invalid image id " + quote(value) + ": the name is reserved by the cache directory");
    }
  }

  /** Parses {@code value}, throwing {@link IllegalArgumentException} with the reason if it is not an id. */
  public static ImageId of(String value) {
    return new ImageId(value);
  }

  /** Returns true when {@code value} would be accepted by {@link #of}. */
  public static boolean isValid(String value) {
    try {
      new ImageId(value);
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  @Override
  public int compareTo(ImageId other) {
    return value.compareTo(other.value);
  }

  @Override
  public String toString() {
    return value;
  }

  /** Quotes a rejected value for an error message: control characters escaped, long values cut. */
  private static String quote(String value) {
    StringBuilder out = new StringBuilder("\"");
    int limit = Math.min(value.length(), 64);
    for (int i = 0; i < limit; i++) {
      char c = value.charAt(i);
      if (c < 0x20 || c == 0x7f || c == '"' || c == '\\') {
        out.append(String.format("\\u%04x", (int) c));
      } else {
        out.append(c);
      }
    }
    if (value.length() > limit) {
      out.append("…(").append(value.length()).append(" characters)");
    }
    return out.append('"').toString();
  }
}
