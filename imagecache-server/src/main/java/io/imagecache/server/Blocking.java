package io.imagecache.server;

import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/** Runs calls that block (disk, SQL, the origin) off the event loop. */
final class Blocking {
  private Blocking() {}

  /** {@code call} on {@code executor}; its exception fails the future as it is. */
  static <T> CompletableFuture<T> call(Executor executor, Callable<T> call) {
    CompletableFuture<T> result = new CompletableFuture<>();
    try {
      executor.execute(() -> {
        try {
          result.complete(call.call());
        } catch (Throwable t) {
          result.completeExceptionally(t);
        }
      });
    } catch (RejectedExecutionException e) {
      result.completeExceptionally(e);
    }
    return result;
  }
}
