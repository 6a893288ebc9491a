package io.imagecache.cli;

/** The one way the CLI words an exception in a message: its text, or its class when it has none. */
final class ErrorText {
  private ErrorText() {}

  /** The exception's message, or its class's simple name when it has none. */
  static String of(Throwable e) {
    String message = e.getMessage();
    return message == null || message.isBlank() ? e.getClass().getSimpleName() : message;
  }
}
