package io.imagecache.cli;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The generated admin token in {@code <cache-dir>/admin-token}: {@code serve} creates it when no
 * token is configured, and command-line clients read it from there.
 *
 * <p>The file is written completely under a temporary name with mode 0600 and then hard-linked
 * into place, so a reader never sees a partial token and two servers starting at once agree on
 * one token.
 */
public final class AdminToken {

  /** The token file's name inside the cache directory. */
  public static final String FILE_NAME = "admin-token";

  private static final Logger LOG = LoggerFactory.getLogger(AdminToken.class);
  private static final int RANDOM_BYTES = 32;
  private static final Set<PosixFilePermission> OWNER_ONLY =
      EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);

  private AdminToken() {}

  /** The token file of {@code cacheDir}. */
  public static Path file(Path cacheDir) {
    return cacheDir.resolve(FILE_NAME);
  }

  /**
   * The token stored in {@code cacheDir}, or empty when there is no token file.
   *
   * @throws IOException if the file exists but cannot be read or holds no token
   */
  public static Optional<String> read(Path cacheDir) throws IOException {
    Path file = file(cacheDir);
    if (!Files.exists(file)) {
      return Optional.empty();
    }
    String token = Files.readString(file, StandardCharsets.UTF_8).strip();
    if (!ServeSettings.isValidToken(token)) {
      throw new IOException("admin token file " + file
          + " does not hold a token (visible ASCII); delete it to have a new one generated");
    }
    return Optional.of(token);
  }

  /** Reads the token of {@code cacheDir}, creating one with a new SecureRandom if absent. */
  public static String readOrCreate(Path cacheDir) throws IOException {
    return readOrCreate(cacheDir, new SecureRandom());
  }

  /**
   * Reads the token of {@code cacheDir}, creating the directory and a token of 32 random bytes
   * (base64url, no padding) with mode 0600 if there is none.
   */
  public static String readOrCreate(Path cacheDir, SecureRandom random) throws IOException {
    Optional<String> existing = read(cacheDir);
    if (existing.isPresent()) {
      warnIfShared(file(cacheDir));
      return existing.get();
    }
    // As the cache creates its directory: not writable by others, whatever the umask.
    Files.createDirectories(cacheDir,
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-x---")));
    byte[] bytes = new byte[RANDOM_BYTES];
    random.nextBytes(bytes);
    String token = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    Path temp = Files.createTempFile(cacheDir, ".admin-token-", ".tmp",
        PosixFilePermissions.asFileAttribute(OWNER_ONLY));
    try {
      // The umask may have removed bits from the requested mode: make it exactly 0600.
      Files.setPosixFilePermissions(temp, OWNER_ONLY);
      writeDurably(temp, token + "\n");
      try {
        Files.createLink(file(cacheDir), temp);
        LOG.info("created admin token in {}", file(cacheDir));
        return token;
      } catch (FileAlreadyExistsException raced) {
        return read(cacheDir).orElseThrow(() -> raced);
      }
    } finally {
      Files.deleteIfExists(temp);
    }
  }

  /** Writes and forces the content so a crash never leaves an empty linked token file. */
  private static void writeDurably(Path file, String content) throws IOException {
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
      ByteBuffer buffer = ByteBuffer.wrap(content.getBytes(StandardCharsets.UTF_8));
      while (buffer.hasRemaining()) {
        channel.write(buffer);
      }
      channel.force(true);
    }
  }

  private static void warnIfShared(Path file) throws IOException {
    Set<PosixFilePermission> mode = Files.getPosixFilePermissions(file);
    if (!OWNER_ONLY.containsAll(mode)) {
      LOG.warn("admin token file {} has mode {}; other users may read it (chmod 600 it)",
          file, PosixFilePermissions.toString(mode));
    }
  }
}
