package io.imagecache.internal.fill;

import io.imagecache.CachedImage;
import io.imagecache.Download;
import io.imagecache.FillCancelledException;
import io.imagecache.ImageId;
import io.imagecache.ImageInfo;
import io.imagecache.ImageNotFoundException;
import io.imagecache.internal.Throwables;
import io.imagecache.internal.fill.Fill;
import io.imagecache.internal.fill.FillRegistry;
import io.imagecache.internal.fill.NotCacheableException;
import io.imagecache.internal.fill.SourceResponse;
import io.imagecache.internal.origin.ImageMetadata;
import io.imagecache.internal.origin.Origin;
import io.imagecache.internal.origin.ReaderAuthorizer;
import io.imagecache.internal.store.CacheDriver;
import io.imagecache.internal.store.CacheReader;
import io.imagecache.internal.store.ExpectedContent;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides how one request for an image is answered: authorize the caller with the origin when it
 * decides who reads what; then the committed file (a hit), else the live fill joined or a new one
 * started (one origin fetch however many ask), else, when the image may not be cached, the
 * origin's bytes streamed through. Blocking: call it off any event loop.
 *
 * <p>A download that loses its image to a delete before its answer is ready starts again, as a
 * new miss, up to {@link #ATTEMPTS} times in all: when the fill it waited for was cancelled by a
 * delete, or when the committed file it was about to open was deleted (a prune, say). The new
 * attempt fetches from the origin, or without one answers {@link ImageNotFoundException}. When
 * the last attempt loses its image too (deletes and prunes faster than fills), the origin's bytes
 * are streamed through without caching, so that a delete never turns a readable image into an
 * error. A download already answered (its bytes under way) is never started again.
 */
public final class DownloadPlanner {
  private static final Logger LOG = LoggerFactory.getLogger(DownloadPlanner.class);
  /**
   * Why delete and deleteAll cancel a live fill; a download whose fill was cancelled for it
   * starts again as a new miss.
   */
  public static final String DELETED_WHILE_FILLED =
      "the image was deleted from the cache while it was being filled";
  /** Attempts of one download, the first included; see the class comment. */
  public static final int ATTEMPTS = 3;

  private final CacheDriver driver;
  private final FillRegistry fills;
  private final Optional<Origin> origin;
  private final Optional<ReaderAuthorizer> authorizer;
  private final GoneAtOrigin goneAtOrigin;
  private volatile long maxSize;

  /** Told of a cached image the origin answered 404 for in a reader check; must not block. */
  @FunctionalInterface
  public interface GoneAtOrigin {
    void notFound(ImageId id);
  }

  public DownloadPlanner(CacheDriver driver, FillRegistry fills, Optional<Origin> origin,
      Optional<ReaderAuthorizer> authorizer, long maxSize, GoneAtOrigin goneAtOrigin) {
    this.driver = driver;
    this.fills = fills;
    this.origin = origin;
    this.authorizer = authorizer;
    this.maxSize = maxSize;
    this.goneAtOrigin = goneAtOrigin;
  }

  /** Images larger than {@code maxSize} are streamed through from now on (a reload). */
  public void maxSize(long maxSize) {
    this.maxSize = maxSize;
  }

  public Download download(ImageId id, Optional<String> token) throws IOException {
    for (int attempt = 1; ; attempt++) {
      try {
        return downloadOnce(id, token);
      } catch (IOException e) {
        if (!lostToADelete(e)) {
          throw e;
        }
        if (attempt >= ATTEMPTS) {
          return lastResort(id, token, e);
        }
        LOG.info("image {} was deleted before its download was answered; again as a miss: {}",
            id, e.toString());
      }
    }
  }

  private Download downloadOnce(ImageId id, Optional<String> token) throws IOException {
    Start start = begin(id, token);
    if (start instanceof Ready ready) {
      return ready.download();
    }
    Waiting waiting = (Waiting) start;
    try {
      return opened(id, token, waiting, await(waiting.fill()), null);
    } catch (NotCacheableException e) {
      return opened(id, token, waiting, null, e);
    }
  }

  /**
   * {@link #download}, without holding a thread while the origin prepares its answer: the parts
   * that block run on {@code executor}, and waiting for a fill's source to answer holds none.
   */
  public CompletableFuture<Download> download(ImageId id, Optional<String> token, Executor executor) {
    return download(id, token, executor, 1);
  }

  private CompletableFuture<Download> download(
      ImageId id, Optional<String> token, Executor executor, int attempt) {
    return downloadOnce(id, token, executor).handle((download, failure) -> {
      if (failure == null) {
        return CompletableFuture.completedFuture(download);
      }
      if (!lostToADelete(failure)) {
        return CompletableFuture.<Download>failedFuture(failure);
      }
      if (attempt >= ATTEMPTS) {
        CompletableFuture<Download> streamed = new CompletableFuture<>();
        run(executor, streamed, () -> streamed.complete(lastResort(id, token, failure)));
        return streamed;
      }
      LOG.info("image {} was deleted before its download was answered; again as a miss: {}",
          id, Throwables.unwrap(failure).toString());
      return download(id, token, executor, attempt + 1);
    }).thenCompose(next -> next);
  }

  private CompletableFuture<Download> downloadOnce(
      ImageId id, Optional<String> token, Executor executor) {
    CompletableFuture<Download> result = new CompletableFuture<>();
    run(executor, result, () -> {
      Start start = begin(id, token);
      if (start instanceof Ready ready) {
        result.complete(ready.download());
        return;
      }
      Waiting waiting = (Waiting) start;
      waiting.fill().opened().whenComplete((expected, failure) -> run(executor, result,
          () -> result.complete(opened(id, token, waiting, expected, failure))));
    });
    return result;
  }

  /** How a download starts: finished already, or waiting for a fill's source to answer. */
  private sealed interface Start permits Ready, Waiting {}

  private record Ready(Download download) implements Start {}

  private record Waiting(Fill fill, boolean joined, Origin origin) implements Start {}

  /** Authorizes, then answers a hit or a pass-through at once, or starts or joins the fill. */
  private Start begin(ImageId id, Optional<String> token) throws IOException {
    Optional<ImageMetadata> authorized = authorize(id, token);
    Optional<CacheReader> reader = driver.openForRead(id);
    if (reader.isPresent()) {
      return new Ready(hit(id, reader.get(), authorized));
    }
    Origin source = origin.orElseThrow(() -> new ImageNotFoundException(id));
    boolean tooLarge = authorized.flatMap(meta -> boxed(meta.size())).filter(s -> s > maxSize)
        .isPresent();
    if (tooLarge) {
      return new Ready(passThrough(source, id, token));
    }
    boolean joined = fills.isActive(id);
    Fill fill = fills.fill(id, source.source(id, token));
    return new Waiting(fill, joined, source);
  }

  /**
   * A hit answered without blocking: the caller may read (no origin to ask, or the origin's yes
   * is remembered) and the driver holds the file open; empty when any of that is not so.
   */
  public Optional<Download> downloadWithoutBlocking(ImageId id, Optional<String> token) {
    boolean asksOrigin = authorizer.isPresent() && authorizer.get().asksOrigin();
    Optional<ImageMetadata> authorized =
        asksOrigin ? authorizer.get().remembered(id, token) : Optional.empty();
    if (asksOrigin && authorized.isEmpty()) {
      return Optional.empty();
    }
    return driver.openWithoutBlocking(id).map(reader -> hit(id, reader, authorized));
  }

  private static Download.Hit hit(ImageId id, CacheReader reader,
      Optional<ImageMetadata> authorized) {
    CachedImage image = reader.image();
    Optional<String> md5 =
        image.checksum().or(() -> authorized.flatMap(meta -> meta.expected().md5()));
    return new Download.Hit(
        new ImageInfo(id, OptionalLong.of(image.size()), md5), reader.channel(), reader);
  }

  /** Once the fill's source answered ({@code expected}) or failed: follow it, or stream past it. */
  private static Download opened(ImageId id, Optional<String> token, Waiting waiting,
      ExpectedContent expected, Throwable failure) throws IOException {
    if (failure != null) {
      Throwable cause = Throwables.unwrap(failure);
      if (cause instanceof NotCacheableException) {
        return passThrough(waiting.origin(), id, token);
      }
      if (cause instanceof IOException io) {
        throw io;
      }
      if (cause instanceof RuntimeException runtime) {
        throw runtime;
      }
      throw new IOException("the fill of " + id + " failed", cause);
    }
    FileChannel channel = waiting.fill().openChannel();
    return new Download.Filling(infoOf(id, expected), channel, waiting.fill(),
        waiting.joined());
  }

  /** A blocking step of an asynchronous download; its failure fails {@code result}. */
  private interface Step {
    void run() throws Exception;
  }

  private static void run(Executor executor, CompletableFuture<Download> result, Step step) {
    try {
      executor.execute(() -> {
        try {
          step.run();
        } catch (Throwable t) {
          result.completeExceptionally(t);
        }
      });
    } catch (RejectedExecutionException e) {
      result.completeExceptionally(e);
    }
  }

  /**
   * The answer of a download whose every attempt lost its image to a delete: the origin's bytes
   * streamed through, not cached; without an origin the image is gone.
   */
  private Download lastResort(ImageId id, Optional<String> token, Throwable lost)
      throws IOException {
    if (origin.isEmpty()) {
      throw new ImageNotFoundException(id);
    }
    LOG.info("image {} was deleted under {} attempts to download it; streamed from the origin "
        + "without caching: {}", id, ATTEMPTS, Throwables.unwrap(lost).toString());
    return passThrough(origin.get(), id, token);
  }

  /**
   * Whether {@code failure} says the image was deleted under the download before it was answered:
   * its fill was cancelled by a delete, or a file it was to open is gone.
   */
  private static boolean lostToADelete(Throwable failure) {
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      if (cause instanceof FillCancelledException cancelled) {
        return DELETED_WHILE_FILLED.equals(cancelled.reason());
      }
      if (cause instanceof NoSuchFileException) {
        return true;
      }
    }
    return false;
  }

  /**
   * For a peer of the fleet: the committed file (a hit) or the live fill joined, never a new fill
   * and never the origin; empty when this node has neither, or its fill failed before its source
   * answered. No reader check: the asking node checks its own callers. Blocking (waits until a
   * fill's source answered).
   */
  public Optional<Download> downloadForPeer(ImageId id) throws IOException {
    Optional<CacheReader> reader = driver.openForRead(id);
    if (reader.isPresent()) {
      return Optional.of(hit(id, reader.get(), Optional.empty()));
    }
    Optional<Fill> fill = fills.active(id);
    if (fill.isEmpty()) {
      // A fill that ended just now has committed its file, or failed.
      return driver.openForRead(id).map(committed -> hit(id, committed, Optional.empty()));
    }
    ExpectedContent expected;
    try {
      expected = await(fill.get());
    } catch (InterruptedIOException e) {
      throw e;
    } catch (IOException e) {
      LOG.debug("image {}: a peer asked for a fill that failed: {}", id, e.toString());
      return Optional.empty();
    }
    return Optional.of(new Download.Filling(infoOf(id, expected), fill.get().openChannel(),
        fill.get(), true));
  }

  /** What a download of {@code id} would say before its body, without starting a fill. */
  public ImageInfo describe(ImageId id, Optional<String> token) throws IOException {
    Optional<ImageMetadata> authorized = authorize(id, token);
    Optional<CachedImage> cached = driver.isCached(id) ? driver.cachedImage(id) : Optional.empty();
    if (cached.isPresent()) {
      CachedImage image = cached.get();
      return new ImageInfo(id, OptionalLong.of(image.size()),
          image.checksum().or(() -> authorized.flatMap(meta -> meta.expected().md5())));
    }
    if (authorized.isPresent()) {
      return infoOf(id, authorized.get().expected());
    }
    Origin source = origin.orElseThrow(() -> new ImageNotFoundException(id));
    return infoOf(id, source.metadata(id, token).expected());
  }

  private Optional<ImageMetadata> authorize(ImageId id, Optional<String> token) throws IOException {
    if (authorizer.isEmpty()) {
      return Optional.empty();
    }
    try {
      return authorizer.get().check(id, token);
    } catch (ImageNotFoundException e) {
      if (driver.isCached(id)) {
        goneAtOrigin.notFound(id);
      }
      throw e;
    }
  }

  private static Download passThrough(Origin source, ImageId id, Optional<String> token)
      throws IOException {
    SourceResponse response = source.source(id, token).open();
    ExpectedContent expected = response.expected();
    return new Download.PassThrough(
        infoOf(id, expected), new VerifiedBody(id, response.body(), expected));
  }

  /** Waits until the fill's source answered; its failure is rethrown as it was. */
  private static ExpectedContent await(Fill fill) throws IOException {
    try {
      return fill.opened().get();
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof IOException io) {
        throw io;
      }
      if (cause instanceof RuntimeException runtime) {
        throw runtime;
      }
      throw new IOException("the fill of " + fill.imageId() + " failed", cause);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted waiting for the origin");
    }
  }

  private static Optional<Long> boxed(OptionalLong value) {
    return value.isPresent() ? Optional.of(value.getAsLong()) : Optional.empty();
  }

  /** What a download says before the body, from what the bytes must be. */
  private static ImageInfo infoOf(ImageId id, ExpectedContent expected) {
    return new ImageInfo(id, expected.size(), expected.md5());
  }
}
