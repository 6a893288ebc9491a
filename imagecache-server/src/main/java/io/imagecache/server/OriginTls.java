package io.imagecache.server;

import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509TrustManager;

/**
 * How the cache checks and presents itself to HTTPS origins: extra trusted CAs (a PEM bundle added
 * to the JDK's trusted CAs) and an optional client certificate and key for mutual TLS. Host names
 * are always verified.
 *
 * @param caFile a PEM bundle of CA certificates trusted besides the system's, if any
 * @param clientCert the PEM certificate chain the cache presents, if any (with {@code clientKey})
 * @param clientKey the PEM private key of {@code clientCert}, if any
 */
public record OriginTls(Optional<Path> caFile, Optional<Path> clientCert, Optional<Path> clientKey) {
  /** The system's trusted CAs, no client certificate. */
  public static final OriginTls SYSTEM = new OriginTls(Optional.empty(), Optional.empty(),
      Optional.empty());

  private static final char[] NO_PASSWORD = new char[0];

  public OriginTls {
    Objects.requireNonNull(caFile, "caFile");
    Objects.requireNonNull(clientCert, "clientCert");
    Objects.requireNonNull(clientKey, "clientKey");
    if (clientCert.isPresent() != clientKey.isPresent()) {
      throw new IllegalArgumentException(
          "a client certificate for the origin needs both the certificate and its key");
    }
  }

  /** Whether this is just the system's trust (the JDK's defaults apply). */
  public boolean isSystem() {
    return caFile.isEmpty() && clientCert.isEmpty();
  }

  /**
   * The trusted CAs: the JDK's plus the bundle. Reads the files now.
   *
   * @throws IllegalArgumentException with one line naming an unreadable file
   */
  public TrustManagerFactory trustManagerFactory() {
    try {
      TrustManagerFactory system =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      system.init((KeyStore) null);
      if (caFile.isEmpty()) {
        return system;
      }
      KeyStore trusted = KeyStore.getInstance("PKCS12");
      trusted.load(null, null);
      int n = 0;
      for (TrustManager manager : system.getTrustManagers()) {
        if (manager instanceof X509TrustManager x509) {
          for (X509Certificate ca : x509.getAcceptedIssuers()) {
            trusted.setCertificateEntry("system-" + n++, ca);
          }
        }
      }
      for (X509Certificate ca : PemFiles.certificates(caFile.get())) {
        trusted.setCertificateEntry("bundle-" + n++, ca);
      }
      TrustManagerFactory factory =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      factory.init(trusted);
      return factory;
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalArgumentException("cannot set up the origin's trusted CAs: " + e, e);
    }
  }

  /** The client certificate and key, when configured. Reads the files now. */
  public Optional<KeyManagerFactory> keyManagerFactory() {
    if (clientCert.isEmpty()) {
      return Optional.empty();
    }
    List<X509Certificate> chain = PemFiles.certificates(clientCert.get());
    PrivateKey key = PemFiles.privateKey(clientKey.orElseThrow());
    PemFiles.requireMatch(chain.get(0), key, clientCert.get(), clientKey.get());
    try {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      store.setKeyEntry("client", key, NO_PASSWORD, chain.toArray(new X509Certificate[0]));
      KeyManagerFactory factory =
          KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      factory.init(store, NO_PASSWORD);
      return Optional.of(factory);
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalArgumentException("client certificate " + clientCert.get()
          + " and key " + clientKey.get() + " cannot be used: " + e.getMessage(), e);
    }
  }

  /**
   * The client certificate and key, when configured, as a key manager that reads the files again
   * when they change ({@link ReloadingClientKey}). Reads the files now.
   */
  public Optional<X509ExtendedKeyManager> reloadingKeyManager() {
    if (clientCert.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(new ReloadingClientKey(clientCert.get(), clientKey.orElseThrow(),
        () -> keyManagerFactory().orElseThrow()));
  }

  /**
   * A JDK TLS context with these CAs and client certificate (renewed from its files when they
   * change), TLS 1.2 and 1.3.
   */
  public SSLContext sslContext() {
    try {
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(reloadingKeyManager().map(manager -> new KeyManager[] {manager}).orElse(null),
          trustManagerFactory().getTrustManagers(), null);
      return context;
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("cannot set up TLS to the origin: " + e.getMessage(), e);
    }
  }
}
