package io.imagecache.cli;

import io.imagecache.server.OriginTls;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Resolves the TLS options: the TLS listener ({@code tls-listen} with its certificate, key and
 * client CA, which need each other), how HTTPS origins are trusted and shown a certificate, and
 * the CAs trusted for fleet peers.
 */
final class TlsOptions {
  private TlsOptions() {}

  static TlsSettings resolve(OptionValues values) throws SettingsException {
    Optional<ListenAddress> listen = values.optional(ServeOption.TLS_LISTEN, ListenAddress::parse);
    Optional<Path> certificate = values.optional(ServeOption.TLS_CERT, OptionParsers::path);
    Optional<Path> key = values.optional(ServeOption.TLS_KEY, OptionParsers::path);
    Optional<Path> clientCa = values.optional(ServeOption.TLS_CLIENT_CA, OptionParsers::path);
    if (listen.isPresent()) {
      RawSetting source = values.raw(ServeOption.TLS_LISTEN).orElseThrow();
      for (ServeOption needed : new ServeOption[] {ServeOption.TLS_CERT, ServeOption.TLS_KEY}) {
        if (values.raw(needed).isEmpty()) {
          throw source.invalid("the TLS listener needs " + needed.flag());
        }
      }
    } else {
      for (ServeOption file : new ServeOption[] {
          ServeOption.TLS_CERT, ServeOption.TLS_KEY, ServeOption.TLS_CLIENT_CA}) {
        if (values.raw(file).isPresent()) {
          throw values.raw(file).get().invalid(
              "serves only on a TLS listener: set " + ServeOption.TLS_LISTEN.flag() + " too");
        }
      }
    }
    Optional<Path> originCert =
        values.optional(ServeOption.ORIGIN_CLIENT_CERT, OptionParsers::path);
    Optional<Path> originKey =
        values.optional(ServeOption.ORIGIN_CLIENT_KEY, OptionParsers::path);
    if (originCert.isPresent() != originKey.isPresent()) {
      ServeOption given = originCert.isPresent()
          ? ServeOption.ORIGIN_CLIENT_CERT : ServeOption.ORIGIN_CLIENT_KEY;
      ServeOption missing = originCert.isPresent()
          ? ServeOption.ORIGIN_CLIENT_KEY : ServeOption.ORIGIN_CLIENT_CERT;
      throw values.raw(given).orElseThrow().invalid("needs " + missing.flag() + " too");
    }
    OriginTls origin = new OriginTls(
        values.optional(ServeOption.ORIGIN_CA_FILE, OptionParsers::path).map(Path::toAbsolutePath),
        originCert.map(Path::toAbsolutePath), originKey.map(Path::toAbsolutePath));
    return new TlsSettings(listen, certificate.map(Path::toAbsolutePath),
        key.map(Path::toAbsolutePath), clientCa.map(Path::toAbsolutePath), origin,
        values.optional(ServeOption.FLEET_CA_FILE, OptionParsers::path)
            .map(Path::toAbsolutePath));
  }
}
