package io.imagecache.internal.fill;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * A future many callers share and only its owner completes: the public ways to complete, cancel
 * or time it out throw, so one caller cannot decide the outcome for all. Unlike
 * {@link CompletableFuture#copy()}, it fails with the owner's exception itself, not wrapped in a
 * {@link java.util.concurrent.CompletionException}. Dependent stages are plain futures.
 */
final class ReadOnlyFuture<T> extends CompletableFuture<T> {

  /** Completes with {@code value}, for the owner. */
  boolean settle(T value) {
    return super.complete(value);
  }

  /** Completes with {@code cause}, for the owner. */
  boolean settleExceptionally(Throwable cause) {
    return super.completeExceptionally(cause);
  }

  @Override
  public boolean complete(T value) {
    throw readOnly();
  }

  @Override
  public boolean completeExceptionally(Throwable cause) {
    throw readOnly();
  }

  @Override
  public boolean cancel(boolean mayInterruptIfRunning) {
    throw readOnly();
  }

  @Override
  public void obtrudeValue(T value) {
    throw readOnly();
  }

  @Override
  public void obtrudeException(Throwable cause) {
    throw readOnly();
  }

  @Override
  public CompletableFuture<T> completeAsync(Supplier<? extends T> supplier, Executor executor) {
    throw readOnly();
  }

  @Override
  public CompletableFuture<T> completeAsync(Supplier<? extends T> supplier) {
    throw readOnly();
  }

  @Override
  public CompletableFuture<T> orTimeout(long timeout, TimeUnit unit) {
    throw readOnly();
  }

  @Override
  public CompletableFuture<T> completeOnTimeout(T value, long timeout, TimeUnit unit) {
    throw readOnly();
  }

  @Override
  public <U> CompletableFuture<U> newIncompleteFuture() {
    return new CompletableFuture<>();
  }

  private static UnsupportedOperationException readOnly() {
    return new UnsupportedOperationException(
        "this future is shared by every caller of a fill; only the fill completes it"
            + " (use copy() or a dependent stage for a timeout of your own)");
  }
}
