package io.imagecache.internal.store.xattr;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Reads and writes the user extended attributes of one image file. Each call opens the file once
 * more (about 14 µs on ext4); a file that is gone surfaces as {@link java.nio.file.NoSuchFileException}.
 */
final class ImageAttributes {
  /** Glance's xattr driver keeps the hit count as a decimal string in {@code user.hits}. */
  static final String GLANCE_HITS = "hits";

  /** No value on ext4 can be larger: all attributes of a file share one 4 KiB block. */
  private static final int MAX_VALUE_BYTES = 4096;

  private ImageAttributes() {}

  /** What a file carries: our metadata if it has a readable one, and Glance's hit count or 0. */
  record Carried(Optional<XattrMetadata> metadata, long glanceHits) {}

  /** Reads our attribute and Glance's {@code user.hits}, whichever are present. */
  static Carried read(Path file) throws IOException {
    UserDefinedFileAttributeView view = view(file);
    List<String> names = view.list();
    Optional<XattrMetadata> metadata = Optional.empty();
    if (names.contains(XattrMetadata.ATTRIBUTE)) {
      metadata = XattrMetadata.decode(value(view, XattrMetadata.ATTRIBUTE));
    }
    long glanceHits = 0;
    if (metadata.isEmpty() && names.contains(GLANCE_HITS)) {
      glanceHits = XattrMetadata.glanceHits(value(view, GLANCE_HITS));
    }
    return new Carried(metadata, glanceHits);
  }

  /** Replaces our attribute on {@code file} (one {@code fsetxattr}, atomic for readers). */
  static void write(Path file, XattrMetadata metadata) throws IOException {
    view(file).write(XattrMetadata.ATTRIBUTE, ByteBuffer.wrap(metadata.encode()));
  }

  static UserDefinedFileAttributeView view(Path file) throws FileSystemException {
    UserDefinedFileAttributeView view = Files.getFileAttributeView(
        file, UserDefinedFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
    if (view == null) {
      throw new FileSystemException(file.toString(), null, "user extended attributes not supported");
    }
    return view;
  }

  private static byte[] value(UserDefinedFileAttributeView view, String name) throws IOException {
    ByteBuffer buffer = ByteBuffer.allocate(MAX_VALUE_BYTES);
    view.read(name, buffer);
    buffer.flip();
    return Arrays.copyOf(buffer.array(), buffer.limit());
  }
}
