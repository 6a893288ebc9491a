package io.imagecache.internal.store;

/** A driver cannot work with the directory or store it was given; the message says what to change. */
public class BadDriverConfigurationException extends Exception {
  public BadDriverConfigurationException(String message) {
    super(message);
  }

  public BadDriverConfigurationException(String message, Throwable cause) {
    super(message, cause);
  }
}
