package io.imagecache.internal.store.xattr;

import io.imagecache.internal.store.BadDriverConfigurationException;
import io.imagecache.internal.store.FileModes;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Checks, as Glance's xattr driver does at configure time, that the cache directory's file system
 * takes user extended attributes: creates {@code <dir>/checkme} (a name {@link io.imagecache.ImageId}
 * reserves), sets an attribute on it and deletes it again.
 */
final class XattrSupportProbe {
  /** The probe file's name. */
  static final String PROBE_FILE = "checkme";

  private XattrSupportProbe() {}

  /** Throws, naming the {@code user_xattr} mount option, when {@code dir} takes no user attributes. */
  static void check(Path dir) throws BadDriverConfigurationException {
    Path probe = dir.resolve(PROBE_FILE);
    try {
      // A probe left by a crash is replaced; CREATE_NEW never follows a symbolic link.
      Files.deleteIfExists(probe);
      FileModes.createFile(probe);
      ImageAttributes.view(probe)
          .write(XattrMetadata.ATTRIBUTE, ByteBuffer.wrap("probe".getBytes(StandardCharsets.US_ASCII)));
    } catch (UnsupportedOperationException e) {
      throw new BadDriverConfigurationException(unsupportedMessage(dir), e);
    } catch (FileSystemException e) {
      if (isNotSupported(e)) {
        throw new BadDriverConfigurationException(unsupportedMessage(dir), e);
      }
      throw cannotUse(dir, e);
    } catch (IOException e) {
      throw cannotUse(dir, e);
    } finally {
      deleteQuietly(probe);
    }
  }

  /** The message for a file system without user extended attributes. */
  static String unsupportedMessage(Path dir) {
    return "the xattr driver needs user extended attributes, and the file system of " + dir
        + " does not support them: remount it with the user_xattr option (for example add"
        + " user_xattr to its options in /etc/fstab), use a directory on another file system, or"
        + " choose the sqlite or postgres driver";
  }

  private static BadDriverConfigurationException cannotUse(Path dir, IOException e) {
    return new BadDriverConfigurationException("the xattr driver cannot set an extended attribute"
        + " on a probe file in " + dir + ": " + e.getClass().getSimpleName() + ": " + e.getMessage(),
        e);
  }

  /** Whether the failure is ENOTSUP/EOPNOTSUPP (the JDK puts strerror's text in the reason). */
  static boolean isNotSupported(FileSystemException e) {
    String reason = e.getReason();
    return reason != null && reason.contains("not supported");
  }

  private static void deleteQuietly(Path probe) {
    try {
      Files.deleteIfExists(probe);
    } catch (IOException e) {
      // The probe name is reserved, so a left-over probe is never taken for an image; the next
      // probe replaces it.
    }
  }
}
