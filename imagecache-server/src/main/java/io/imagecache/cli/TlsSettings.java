package io.imagecache.cli;

import io.imagecache.server.OriginTls;
import io.imagecache.server.PemFiles;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * The TLS settings of {@code serve}: the TLS listener (address, certificate, key, client CAs for
 * mutual TLS), present only with both a certificate and a key, and the trust and client
 * certificate used towards HTTPS origins.
 *
 * @param listen the TLS listener's address, if there is one
 * @param certificate the PEM certificate chain it serves
 * @param key the certificate's PEM private key
 * @param clientCa the PEM CAs a client certificate must come from, if clients must present one
 * @param origin how HTTPS origins are checked and what the cache presents to them
 * @param fleetCa a PEM bundle of CAs trusted for fleet peers besides the system's, if any
 */
public record TlsSettings(Optional<ListenAddress> listen, Optional<Path> certificate,
    Optional<Path> key, Optional<Path> clientCa, OriginTls origin, Optional<Path> fleetCa) {
  /** No TLS listener, the system's CAs for origins and peers. */
  public static final TlsSettings NONE = new TlsSettings(Optional.empty(), Optional.empty(),
      Optional.empty(), Optional.empty(), OriginTls.SYSTEM, Optional.empty());

  public TlsSettings {
    Objects.requireNonNull(listen, "listen");
    Objects.requireNonNull(certificate, "certificate");
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(clientCa, "clientCa");
    Objects.requireNonNull(origin, "origin");
    Objects.requireNonNull(fleetCa, "fleetCa");
    if (listen.isPresent() && (certificate.isEmpty() || key.isEmpty())) {
      throw new IllegalArgumentException("a TLS listener needs a certificate and a key");
    }
    if (listen.isEmpty() && (certificate.isPresent() || key.isPresent() || clientCa.isPresent())) {
      throw new IllegalArgumentException("a TLS certificate, key or client CA needs a TLS listener");
    }
  }

  /**
   * How {@code https} peers are checked (the fleet CAs besides the system's) and what this node
   * presents to them: its own TLS listener's certificate, when it has one.
   */
  public OriginTls peers() {
    return new OriginTls(fleetCa, certificate, key);
  }

  /**
   * Reads every configured PEM file once, as the start will.
   *
   * @throws SettingsException with one line naming the file that cannot be used
   */
  void checkFiles() throws SettingsException {
    try {
      certificate.ifPresent(PemFiles::certificates);
      key.ifPresent(PemFiles::privateKey);
      clientCa.ifPresent(PemFiles::certificates);
      origin.trustManagerFactory();
      origin.keyManagerFactory();
      fleetCa.ifPresent(PemFiles::certificates);
    } catch (IllegalArgumentException e) {
      throw new SettingsException(e.getMessage(), e);
    }
  }
}
