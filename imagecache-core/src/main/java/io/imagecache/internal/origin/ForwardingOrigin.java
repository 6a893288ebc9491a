package io.imagecache.internal.origin;

import io.imagecache.ImageId;
import io.imagecache.internal.fill.ImageSource;
import java.io.IOException;
import java.net.URI;
import java.nio.channels.ReadableByteChannel;
import java.util.Objects;
import java.util.Optional;

/**
 * An origin that passes every call to {@link #origin}; a decorator overrides only what it
 * changes. Closing it closes the origin.
 */
public abstract class ForwardingOrigin implements Origin {
  protected final Origin origin;

  protected ForwardingOrigin(Origin origin) {
    this.origin = Objects.requireNonNull(origin, "origin");
  }

  @Override
  public ImageMetadata metadata(ImageId id, Optional<String> authToken) throws IOException {
    return origin.metadata(id, authToken);
  }

  @Override
  public ImageSource source(ImageId id, Optional<String> authToken) {
    return origin.source(id, authToken);
  }

  @Override
  public ImageSource prefetchSource(ImageId id, Optional<String> callerToken) {
    return origin.prefetchSource(id, callerToken);
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
