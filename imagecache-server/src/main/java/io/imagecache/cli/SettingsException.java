package io.imagecache.cli;

/** A configuration a user gave is unusable; the message names the option, value and source. */
final class SettingsException extends Exception {

  SettingsException(String message) {
    super(message);
  }

  SettingsException(String message, Throwable cause) {
    super(message, cause);
  }
}
