package io.imagecache.internal.store.xattr;

import io.imagecache.CacheStoreException;
import io.imagecache.CachedImage;
import io.imagecache.ImageId;
import io.imagecache.internal.store.BadDriverConfigurationException;
import io.imagecache.internal.store.ImageIndex;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Glance's {@code xattr} driver: the metadata of each committed image lives in the image file
 * itself, in one small user extended attribute ({@code user.imagecache}, see {@link XattrMetadata}),
 * so there is no store to keep in step with the files.
 *
 * <p>Every regular file directly in the cache directory whose name is a valid {@link ImageId} is an
 * entry. A file without our attribute (a file committed just now, or one from a Glance xattr cache)
 * counts with Glance's {@code user.hits} or 0 hits and its mtime as both times. Unlike Glance, hits
 * and the last access are explicit attribute values, never the file's atime, so {@code noatime}
 * and {@code relatime} mounts do not break LRU.
 *
 * <p>Attribute writes are not forced to disk: after a crash a file may have lost its latest
 * attribute value, and then counts as above.
 */
public final class XattrIndex implements ImageIndex {
  private static final Comparator<CachedImage> BY_ACCESS_THEN_ID =
      Comparator.comparing(CachedImage::lastAccessed).thenComparing(CachedImage::imageId);

  private final Path dir;

  /**
   * Held around every write of an attribute, including the read of a read-modify-write (put, adopt,
   * recordAccesses), so that a hit flush never writes back a value read before a concurrent commit
   * reset it. Plain reads do not take it: one {@code fsetxattr} replaces a value atomically. The
   * I/O under it is one attribute read and one write per image, and the driver flushes hits in
   * batches from one thread, so it is rarely contended.
   */
  private final ReentrantLock attributeWrites = new ReentrantLock();

  /** An index over the committed images directly in {@code dir}. */
  public XattrIndex(Path dir) {
    this.dir = Objects.requireNonNull(dir, "dir");
  }

  @Override
  public void open() throws BadDriverConfigurationException {
    XattrSupportProbe.check(dir);
  }

  /** Writes a fresh attribute on {@code file}; the size is always read from the file itself. */
  @Override
  public void put(ImageId id, Path file, long size, Instant now, Optional<String> checksum)
      throws IOException {
    writeAttribute(id, file, new XattrMetadata(0, now, now, checksum));
  }

  /**
   * Writes our attribute with the hits the file carries (Glance's {@code user.hits}, else 0); a
   * file that has our attribute already has an entry and keeps it. Rarely needed:
   * {@link #list()} already shows every image file, with or without one.
   */
  @Override
  public void adopt(ImageId id, Path file, long size, Instant modified) throws IOException {
    attributeWrites.lock();
    try {
      ImageAttributes.Carried carried = ImageAttributes.read(file);
      if (carried.metadata().isPresent()) {
        return; // our attribute is there: the file has an entry, which adopt never replaces
      }
      ImageAttributes.write(
          file, new XattrMetadata(carried.glanceHits(), modified, modified, Optional.empty()));
    } catch (NoSuchFileException e) {
      // Deleted meanwhile: nothing left to adopt.
    } catch (IOException e) {
      throw storeFailure("adopt", id, e);
    } finally {
      attributeWrites.unlock();
    }
  }

  /** Nothing to do: the metadata lives in the file's attributes and goes with the file. */
  @Override
  public void remove(ImageId id) {}

  /** Nothing to do: the metadata lives in the files' attributes and goes with the files. */
  @Override
  public void removeAll() {}

  @Override
  public Optional<CachedImage> get(ImageId id) throws IOException {
    return read(id);
  }

  @Override
  public List<CachedImage> list() throws IOException {
    List<CachedImage> images = new ArrayList<>();
    for (ImageId id : imageFileNames()) {
      read(id).ifPresent(images::add);
    }
    images.sort(Comparator.comparing(CachedImage::imageId));
    return images;
  }

  /** Every regular image file is an entry: one stat per file, no attribute read. */
  @Override
  public Set<ImageId> ids() throws IOException {
    Set<ImageId> ids = new HashSet<>();
    for (ImageId id : imageFileNames()) {
      if (regularFileAttributes(dir.resolve(id.value())).isPresent()) {
        ids.add(id);
      }
    }
    return ids;
  }

  /** The store is the cache directory itself: one stat of it. */
  @Override
  public void check() throws IOException {
    Files.readAttributes(dir, BasicFileAttributes.class);
  }

  /** Scans every entry: there is no index of access times besides the files themselves. */
  @Override
  public Optional<ImageId> leastRecentlyAccessed() throws IOException {
    return list().stream().min(BY_ACCESS_THEN_ID).map(CachedImage::imageId);
  }

  @Override
  public void recordAccesses(Map<ImageId, Access> accesses) throws IOException {
    for (Map.Entry<ImageId, Access> entry : new TreeMap<>(accesses).entrySet()) {
      recordAccess(entry.getKey(), entry.getValue());
    }
  }

  /** Nothing to release: every call opens and closes its own files. */
  @Override
  public void close() {}

  private void recordAccess(ImageId id, Access access) throws IOException {
    Path file = dir.resolve(id.value());
    attributeWrites.lock();
    try {
      Optional<BasicFileAttributes> attributes = regularFileAttributes(file);
      if (attributes.isEmpty()) {
        return; // not cached (any more): unknown ids are skipped
      }
      XattrMetadata current = metadata(file, attributes.get());
      ImageAttributes.write(file, current.withAccess(access.hits(), access.lastAccessed()));
    } catch (NoSuchFileException e) {
      // Deleted between the stat and the write: the hits go with the file.
    } catch (IOException e) {
      throw storeFailure("record hits of", id, e);
    } finally {
      attributeWrites.unlock();
    }
  }

  private void writeAttribute(ImageId id, Path file, XattrMetadata metadata) throws IOException {
    attributeWrites.lock();
    try {
      ImageAttributes.write(file, metadata);
    } catch (NoSuchFileException e) {
      // Deleted right after its commit: a file that is gone has no entry, which is what we want.
    } catch (IOException e) {
      throw storeFailure("record the commit of", id, e);
    } finally {
      attributeWrites.unlock();
    }
  }

  private Optional<CachedImage> read(ImageId id) throws IOException {
    Path file = dir.resolve(id.value());
    try {
      Optional<BasicFileAttributes> attributes = regularFileAttributes(file);
      if (attributes.isEmpty()) {
        return Optional.empty();
      }
      XattrMetadata metadata = metadata(file, attributes.get());
      return Optional.of(new CachedImage(id, attributes.get().size(), metadata.hits(),
          metadata.lastAccessed(), metadata.lastModified(), metadata.checksum()));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw storeFailure("read the attributes of", id, e);
    }
  }

  /** Our attribute, or what Glance's attribute and the file's mtime say. */
  private static XattrMetadata metadata(Path file, BasicFileAttributes attributes)
      throws IOException {
    ImageAttributes.Carried carried = ImageAttributes.read(file);
    if (carried.metadata().isPresent()) {
      return carried.metadata().get();
    }
    Instant mtime = attributes.lastModifiedTime().toInstant();
    return new XattrMetadata(carried.glanceHits(), mtime, mtime, Optional.empty());
  }

  private static Optional<BasicFileAttributes> regularFileAttributes(Path file) throws IOException {
    try {
      BasicFileAttributes attributes =
          Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
      return attributes.isRegularFile() ? Optional.of(attributes) : Optional.empty();
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
  }

  private List<ImageId> imageFileNames() throws IOException {
    List<ImageId> ids = new ArrayList<>();
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
      for (Path entry : entries) {
        String name = entry.getFileName().toString();
        if (ImageId.isValid(name)) {
          ids.add(ImageId.of(name));
        }
      }
    } catch (IOException e) {
      throw new CacheStoreException("cannot list the cache directory " + dir, e);
    }
    return ids;
  }

  private CacheStoreException storeFailure(String what, ImageId id, IOException cause) {
    return new CacheStoreException(
        "cannot " + what + " " + id + " (extended attributes in " + dir + "): " + cause.getMessage(),
        cause);
  }
}
