package io.imagecache.internal.origin;

import io.imagecache.ImageId;
import io.imagecache.OriginConfig;
import io.imagecache.internal.fill.ImageSource;
import io.imagecache.internal.fill.SourceResponse;
import java.io.IOException;
import java.net.URI;
import java.nio.channels.ReadableByteChannel;
import java.util.Objects;
import java.util.Optional;

/**
 * An origin whose downloads expect what {@code policy} verifies of the digests the origin offers
 * ({@link io.imagecache.internal.store.ExpectedContent#verifying}); metadata stays as offered.
 */
public final class VerifyingOrigin implements Origin {
  private final Origin origin;
  private final OriginConfig.Verify policy;

  public VerifyingOrigin(Origin origin, OriginConfig.Verify policy) {
    this.origin = Objects.requireNonNull(origin, "origin");
    this.policy = Objects.requireNonNull(policy, "policy");
  }

  @Override
  public ImageMetadata metadata(ImageId id, Optional<String> authToken) throws IOException {
    return origin.metadata(id, authToken);
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

  @Override
  public ImageMetadata managementMetadata(ImageId id, Optional<String> callerToken)
      throws IOException {
    return origin.managementMetadata(id, callerToken);
  }

  @Override
  public ReadableByteChannel rest(ImageId id, Optional<String> token, long offset, long size)
      throws IOException {
    return origin.rest(id, token, offset, size);
  }

  @Override
  public boolean authorizesReaders() {
    return origin.authorizesReaders();
  }

  @Override
  public Optional<URI> apiEndpoint() {
    return origin.apiEndpoint();
  }

  @Override
  public String check() throws IOException {
    return origin.check();
  }

  @Override
  public void close() {
    origin.close();
  }

  @Override
  public String toString() {
    return origin.toString();
  }
}
