package io.imagecache.internal.origin;

import io.imagecache.ImageId;
import io.imagecache.OriginConfig;
import io.imagecache.internal.fill.ImageSource;
import io.imagecache.internal.fill.SourceResponse;
import java.util.Objects;
import java.util.Optional;

/**
 * An origin whose downloads expect what {@code policy} verifies of the digests the origin offers
 * ({@link io.imagecache.internal.store.ExpectedContent#verifying}); metadata stays as offered.
 */
public final class VerifyingOrigin extends ForwardingOrigin {
  private final OriginConfig.Verify policy;

  public VerifyingOrigin(Origin origin, OriginConfig.Verify policy) {
    super(origin);
    this.policy = Objects.requireNonNull(policy, "policy");
  }

  @Override
  public ImageSource source(ImageId id, Optional<String> authToken) {
    return verifying(origin.source(id, authToken));
  }

  @Override
  public ImageSource prefetchSource(ImageId id, Optional<String> callerToken) {
    return verifying(origin.prefetchSource(id, callerToken));
  }

  private ImageSource verifying(ImageSource source) {
    return () -> {
      SourceResponse response = source.open();
      return SourceResponse.of(response.expected().verifying(policy), response.body());
    };
  }
}
