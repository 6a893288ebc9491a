package io.imagecache.internal.store;

import io.imagecache.CachedImage;
import io.imagecache.ImageId;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** An index that passes every call to another; tests override the calls they watch or hook. */
abstract class ForwardingImageIndex implements ImageIndex {
  protected final ImageIndex delegate;

  ForwardingImageIndex(ImageIndex delegate) {
    this.delegate = delegate;
  }

  @Override
  public void open() throws BadDriverConfigurationException {
    delegate.open();
  }

  @Override
  public void put(ImageId id, Path file, long size, Instant now, Optional<String> checksum)
      throws IOException {
    delegate.put(id, file, size, now, checksum);
  }

  @Override
  public void adopt(ImageId id, Path file, long size, Instant modified) throws IOException {
    delegate.adopt(id, file, size, modified);
  }

  @Override
  public void adoptAll(List<Adoption> files) throws IOException {
    delegate.adoptAll(files);
  }

  @Override
  public void remove(ImageId id) throws IOException {
    delegate.remove(id);
  }

  @Override
  public void removeAll() throws IOException {
    delegate.removeAll();
  }

  @Override
  public Optional<CachedImage> get(ImageId id) throws IOException {
    return delegate.get(id);
  }

  @Override
  public List<CachedImage> list() throws IOException {
    return delegate.list();
  }

  @Override
  public Set<ImageId> ids() throws IOException {
    return delegate.ids();
  }

  @Override
  public Optional<ImageId> leastRecentlyAccessed() throws IOException {
    return delegate.leastRecentlyAccessed();
  }

  @Override
  public void recordAccesses(Map<ImageId, Access> accesses) throws IOException {
    delegate.recordAccesses(accesses);
  }

  @Override
  public void check() throws IOException {
    delegate.check();
  }

  @Override
  public boolean tracksNodes() {
    return delegate.tracksNodes();
  }

  @Override
  public List<String> nodes(ImageId id) throws IOException {
    return delegate.nodes(id);
  }

  @Override
  public void close() throws IOException {
    delegate.close();
  }
}
