package io.imagecache.server;

import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.Objects;
import java.util.function.Supplier;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client certificate the cache presents to HTTPS origins and fleet peers, read again from its
 * PEM files when they change, so that a renewed certificate is presented without a restart, as
 * the listener's own is. The files are looked at, at most once every {@link #CHECK_EVERY_NANOS},
 * when a handshake asks for a certificate; files that cannot be read keep the running certificate
 * (a warning per change). Aliases carry the generation of the files they came from, so that a
 * handshake that picked an alias gets that generation's chain and key even if the files change
 * meanwhile (the one before the current is kept for that).
 *
 * <p>Thread-safe: {@code current} and {@code previous} are replaced together under this object's
 * lock and read as volatile snapshots; only the client-side methods answer.
 */
final class ReloadingClientKey extends X509ExtendedKeyManager {
  private static final Logger LOG = LoggerFactory.getLogger(ReloadingClientKey.class);
  private static final long CHECK_EVERY_NANOS = 1_000_000_000L;

  /** The key manager of one version of the files, and what their modification times and sizes were. */
  private record Loaded(int generation, X509ExtendedKeyManager manager, String stamp) {
    String alias(String alias) {
      return alias == null ? null : generation + "/" + alias;
    }
  }

  private final Path certificate;
  private final Path key;
  private final Supplier<KeyManagerFactory> loader;
  private volatile Loaded current;
  private volatile Loaded previous;
  /** When the files are looked at next (System.nanoTime); written under the lock. */
  private volatile long nextCheck;
  /** The stamp of files that failed to load, not tried again until they change; under the lock. */
  private String failedStamp = "";

  /**
   * Presents the certificate in {@code certificate} with the key in {@code key}, loaded by
   * {@code loader} (now, and again after the files change).
   *
   * @throws IllegalArgumentException when the files cannot be used now
   */
  ReloadingClientKey(Path certificate, Path key, Supplier<KeyManagerFactory> loader) {
    this.certificate = Objects.requireNonNull(certificate, "certificate");
    this.key = Objects.requireNonNull(key, "key");
    this.loader = Objects.requireNonNull(loader, "loader");
    this.current = load(0, stamp());
    this.previous = current;
    this.nextCheck = System.nanoTime() + CHECK_EVERY_NANOS;
  }

  private Loaded load(int generation, String stamp) {
    for (KeyManager manager : loader.get().getKeyManagers()) {
      if (manager instanceof X509ExtendedKeyManager x509) {
        return new Loaded(generation, x509, stamp);
      }
    }
    throw new IllegalArgumentException("no X.509 key manager for " + certificate);
  }

  /** Modification times and sizes of both files; empty when one cannot be read. */
  private String stamp() {
    try {
      return Files.getLastModifiedTime(certificate) + "," + Files.size(certificate) + ","
          + Files.getLastModifiedTime(key) + "," + Files.size(key);
    } catch (IOException e) {
      return "";
    }
  }

  /** The current files' key manager, reloaded first if they changed since they were last looked at. */
  private Loaded fresh() {
    long now = System.nanoTime();
    if (now - nextCheck < 0) {
      return current;
    }
    synchronized (this) {
      if (now - nextCheck < 0) {
        return current;
      }
      nextCheck = now + CHECK_EVERY_NANOS;
      String stamp = stamp();
      if (stamp.equals(current.stamp()) || stamp.equals(failedStamp)) {
        return current;
      }
      try {
        Loaded next = load(current.generation() + 1, stamp);
        previous = current;
        current = next;
        LOG.info("client certificate {} reloaded", certificate);
      } catch (RuntimeException e) {
        failedStamp = stamp;
        LOG.warn("client certificate {} not reloaded, the running one stays: {}", certificate,
            e.getMessage());
      }
      return current;
    }
  }

  /** The generation an alias of ours names, or null when it names neither current nor previous. */
  private Loaded byAlias(String alias) {
    int slash = alias == null ? -1 : alias.indexOf('/');
    if (slash <= 0) {
      return null;
    }
    String generation = alias.substring(0, slash);
    for (Loaded loaded : new Loaded[] {current, previous}) {
      if (Integer.toString(loaded.generation()).equals(generation)) {
        return loaded;
      }
    }
    return null;
  }

  private static String own(String alias) {
    return alias.substring(alias.indexOf('/') + 1);
  }

  @Override
  public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
    Loaded loaded = fresh();
    return loaded.alias(loaded.manager().chooseEngineClientAlias(keyType, issuers, engine));
  }

  @Override
  public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
    Loaded loaded = fresh();
    return loaded.alias(loaded.manager().chooseClientAlias(keyType, issuers, socket));
  }

  @Override
  public String[] getClientAliases(String keyType, Principal[] issuers) {
    Loaded loaded = fresh();
    String[] aliases = loaded.manager().getClientAliases(keyType, issuers);
    return aliases == null ? null : Arrays.stream(aliases).map(loaded::alias).toArray(String[]::new);
  }

  @Override
  public X509Certificate[] getCertificateChain(String alias) {
    Loaded loaded = byAlias(alias);
    return loaded == null ? null : loaded.manager().getCertificateChain(own(alias));
  }

  @Override
  public PrivateKey getPrivateKey(String alias) {
    Loaded loaded = byAlias(alias);
    return loaded == null ? null : loaded.manager().getPrivateKey(own(alias));
  }

  /** A client's key manager: no server aliases. */
  @Override
  public String[] getServerAliases(String keyType, Principal[] issuers) {
    return null;
  }

  /** A client's key manager: no server aliases. */
  @Override
  public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
    return null;
  }

  /** A client's key manager: no server aliases. */
  @Override
  public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
    return null;
  }
}
