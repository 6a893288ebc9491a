package io.imagecache.internal.origin;

import io.imagecache.ImageId;
import io.imagecache.ImageNotActiveException;
import io.imagecache.ImageNotFoundException;
import io.imagecache.OriginAccessDeniedException;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Asks an origin that authorizes readers (Glance) whether a caller may read an image, and
 * remembers a yes for at most {@link #TTL} per token and image, so that a burst of hits costs one
 * metadata request. A no is never remembered: the next request asks again.
 */
public final class ReaderAuthorizer {
  static final Duration TTL = Duration.ofSeconds(30);
  /** Past this many remembered answers, expired ones are dropped; past twice that, all. */
  private static final int SOFT_LIMIT = 10_000;

  private record Key(Optional<String> token, ImageId id) {}

  private record Answer(ImageMetadata metadata, Instant expires) {}

  private final Origin origin;
  private final Clock clock;
  /** Concurrent map, no other guard; a lost race just asks the origin twice. */
  private final ConcurrentHashMap<Key, Answer> answers = new ConcurrentHashMap<>();

  public ReaderAuthorizer(Origin origin, Clock clock) {
    this.origin = origin;
    this.clock = clock;
  }

  /**
   * The origin's metadata of {@code id} as {@code token} sees it, when the origin authorizes
   * readers; empty when it does not (everyone may read).
   *
   * @throws ImageNotFoundException when the caller may not see it
   * @throws OriginAccessDeniedException when the origin refuses the token
   * @throws ImageNotActiveException when the image is not active
   */
  public Optional<ImageMetadata> check(ImageId id, Optional<String> token) throws IOException {
    if (!origin.authorizesReaders()) {
      return Optional.empty();
    }
    Key key = new Key(token, id);
    Instant now = clock.instant();
    Answer answer = answers.get(key);
    if (answer == null || !now.isBefore(answer.expires())) {
      ImageMetadata metadata = origin.metadata(id, token);
      if (!metadata.isActive()) {
        answers.remove(key);
        throw new ImageNotActiveException(id, metadata.status());
      }
      answer = new Answer(metadata, now.plus(TTL));
      trim(now);
      answers.put(key, answer);
    }
    return Optional.of(answer.metadata());
  }

  /** Whether {@link #check} asks the origin (it authorizes readers); else everyone may read. */
  public boolean asksOrigin() {
    return origin.authorizesReaders();
  }

  /**
   * The remembered yes for {@code token} reading {@code id}, while it is fresh; empty when
   * {@link #check} would have to ask the origin. Never blocks.
   */
  public Optional<ImageMetadata> remembered(ImageId id, Optional<String> token) {
    Answer answer = answers.get(new Key(token, id));
    if (answer == null || !clock.instant().isBefore(answer.expires())) {
      return Optional.empty();
    }
    return Optional.of(answer.metadata());
  }

  /** Forgets every answer about {@code id} (it was deleted, say). */
  void forget(ImageId id) {
    answers.keySet().removeIf(key -> key.id().equals(id));
  }

  private void trim(Instant now) {
    if (answers.size() < SOFT_LIMIT) {
      return;
    }
    answers.values().removeIf(answer -> !now.isBefore(answer.expires()));
    if (answers.size() >= 2 * SOFT_LIMIT) {
      answers.clear();
    }
  }
}
