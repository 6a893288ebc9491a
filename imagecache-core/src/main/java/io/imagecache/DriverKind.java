package io.imagecache;

import java.util.Locale;

/** Which metadata store the cache directory uses; Glance's {@code image_cache_driver}. */
public enum DriverKind {
  /** A {@code cache.db} SQLite file in the cache directory (Glance's {@code sqlite}). */
  SQLITE,
  /** Extended attributes on the image files (Glance's {@code xattr}). */
  XATTR,
  /** A PostgreSQL database shared by a fleet (Glance's {@code centralized_db}). */
  POSTGRES;

  /** The name used on the command line and in the config file: {@code sqlite}. */
  public String configName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * Parses {@code sqlite}, {@code xattr} or {@code postgres}, ignoring case.
   *
   * @throws IllegalArgumentException naming the value and the choices
   */
  public static DriverKind parse(String text) {
    if (text != null) {
      for (DriverKind kind : values()) {
        if (kind.configName().equals(text.strip().toLowerCase(Locale.ROOT))) {
          return kind;
        }
      }
    }
    throw new IllegalArgumentException(
        "unknown driver \"" + text + "\": expected one of sqlite, xattr, postgres");
  }
}
