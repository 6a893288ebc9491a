package io.imagecache.internal;

import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/** What the core says about a failure: the failure itself behind future wrappers, and its text. */
public final class Throwables {
  private Throwables() {}

  /** The failure itself, without the wrappers futures and executors put around it. */
  public static Throwable unwrap(Throwable failure) {
    Throwable cause = failure;
    while ((cause instanceof CompletionException || cause instanceof ExecutionException)
        && cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause;
  }

  /** The failure's message, or its class's simple name when it has none. */
  public static String describe(Throwable failure) {
    String message = failure.getMessage();
    return message == null || message.isBlank() ? failure.getClass().getSimpleName() : message;
  }
}
