package io.imagecache.server;

import io.imagecache.CacheStoreException;
import io.imagecache.FillCancelledException;
import io.imagecache.ImageNotActiveException;
import io.imagecache.ImageNotFoundException;
import io.imagecache.InvalidRequestException;
import io.imagecache.OriginAccessDeniedException;
import io.imagecache.OriginUnavailableException;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.io.IOException;
import java.nio.file.FileSystemException;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * The one table from a failure of the cache to an HTTP status and a message for the client.
 * Anything not listed is a 500 whose detail stays in the log: an {@link IllegalArgumentException}
 * or {@link IllegalStateException} from the core is a bug of the cache, not a bad request; the
 * client's errors are refused before the core is called (the image id, the request target, the
 * headers) or thrown as {@link InvalidRequestException}. No answer carries a server path:
 * failures of the cache's own files and store are answered with a fixed text (503), their
 * detail logged; a fill the cache gave up is a 503 with the reason, never the origin's 502.
 */
final class Failures {
  private Failures() {}

  /** A status and the one-line message the client gets. */
  record Answer(HttpResponseStatus status, String message) {}

  static Answer answer(Throwable failure) {
    Throwable cause = unwrap(failure);
    if (cause instanceof InvalidRequestException) {
      return new Answer(HttpResponseStatus.BAD_REQUEST, cause.getMessage());
    }
    if (cause instanceof ImageNotFoundException) {
      return new Answer(HttpResponseStatus.NOT_FOUND, cause.getMessage());
    }
    if (cause instanceof OriginAccessDeniedException denied) {
      HttpResponseStatus status = switch (denied.reason()) {
        case UNAUTHENTICATED -> HttpResponseStatus.UNAUTHORIZED;
        case FORBIDDEN -> HttpResponseStatus.FORBIDDEN;
      };
      return new Answer(status, cause.getMessage());
    }
    if (cause instanceof ImageNotActiveException) {
      return new Answer(HttpResponseStatus.FORBIDDEN, cause.getMessage());
    }
    Optional<FillCancelledException> cancelled = find(cause, FillCancelledException.class);
    if (cancelled.isPresent()) {
      // Not the origin's fault: the cache gave the fill up (a delete, the server stopping).
      return new Answer(HttpResponseStatus.SERVICE_UNAVAILABLE,
          "image " + cancelled.get().imageId() + " not available: " + cancelled.get().reason());
    }
    Optional<OriginUnavailableException> origin = find(cause, OriginUnavailableException.class);
    if (origin.isPresent()) {
      if (find(origin.get(), FileSystemException.class).isPresent()) {
        // A directory origin's file: its message names paths on this server.
        return new Answer(HttpResponseStatus.BAD_GATEWAY,
            "image not available: the origin could not read it");
      }
      return new Answer(HttpResponseStatus.BAD_GATEWAY, origin.get().getMessage());
    }
    if (find(cause, FileSystemException.class).isPresent()
        || find(cause, CacheStoreException.class).isPresent()) {
      // The cache's own disk or metadata store: their messages name server paths, so they stay
      // in the log.
      return new Answer(HttpResponseStatus.SERVICE_UNAVAILABLE,
          "image not available: the cache could not read or write its files");
    }
    if (cause instanceof IOException) {
      // What else fails with an IOException is the origin's answer: a body cut short, bytes
      // that do not match their digests.
      return new Answer(HttpResponseStatus.BAD_GATEWAY, "image not available: " + cause.getMessage());
    }
    return new Answer(HttpResponseStatus.INTERNAL_SERVER_ERROR, "internal error");
  }

  /** The first of {@code failure} and its causes that is a {@code type}. */
  private static <T extends Throwable> Optional<T> find(Throwable failure, Class<T> type) {
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      if (type.isInstance(cause)) {
        return Optional.of(type.cast(cause));
      }
      if (cause.getCause() == cause) {
        break;
      }
    }
    return Optional.empty();
  }

  /**
   * As {@link #answer}, for the cache API, whose caller is the admin rather than a reader of the
   * image: Glance's 404 text, an image that is not active is a bad request (Glance's 400), and an
   * origin refusing the cache is the origin's failure (502), not the admin's.
   */
  static Answer cacheApiAnswer(Throwable failure) {
    Throwable cause = unwrap(failure);
    if (cause instanceof ImageNotFoundException notFound) {
      return new Answer(HttpResponseStatus.NOT_FOUND, "Image " + notFound.imageId() + " not found.");
    }
    if (cause instanceof ImageNotActiveException notActive) {
      return new Answer(HttpResponseStatus.BAD_REQUEST,
          "Only images with status active can be targeted for queueing (image "
              + notActive.imageId() + " is " + notActive.status() + ")");
    }
    if (cause instanceof OriginAccessDeniedException) {
      return new Answer(HttpResponseStatus.BAD_GATEWAY, cause.getMessage());
    }
    return answer(failure);
  }

  /** A failure in a few words: its message, or its class's simple name when it has none. */
  static String describe(Throwable failure) {
    String message = failure.getMessage();
    return message == null || message.isBlank() ? failure.getClass().getSimpleName() : message;
  }

  /** The failure itself, without the wrappers futures and executors put around it. */
  static Throwable unwrap(Throwable failure) {
    Throwable cause = failure;
    while ((cause instanceof CompletionException || cause instanceof ExecutionException)
        && cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause;
  }
}
