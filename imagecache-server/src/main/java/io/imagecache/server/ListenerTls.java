package io.imagecache.server;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * The TLS listener beside the plain one: where it listens, the PEM certificate chain and key it
 * serves (reloaded when the files change), and the CAs a client certificate must come from when
 * clients must present one (mutual TLS).
 */
public record ListenerTls(
    InetSocketAddress address, Path certificate, Path key, Optional<Path> clientCa) {
  public ListenerTls {
    Objects.requireNonNull(address, "address");
    Objects.requireNonNull(certificate, "certificate");
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(clientCa, "clientCa");
  }
}
