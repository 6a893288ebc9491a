package io.imagecache.server;

import io.netty.channel.Channel;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The TLS context of the TLS listener: TLS 1.2 and 1.3, a modern cipher list, ALPN http/1.1,
 * client certificates required when a client CA is set; OpenSSL (BoringSSL) when it loads, the
 * JDK's engine otherwise. The certificate and key are read again when their files change (polled
 * on a daemon thread) or on {@link #reload()}: new handshakes use the new context, open
 * connections keep theirs, and files that do not load keep the running context with one log line.
 */
final class ServerTls implements Closeable {
  private static final Logger LOG = LoggerFactory.getLogger(ServerTls.class);
  /** How often the files' modification times are compared. */
  static final Duration POLL_INTERVAL = Duration.ofSeconds(2);
  /** TLS 1.3 suites, then ECDHE with AEAD for TLS 1.2 (Mozilla's "intermediate" list). */
  static final List<String> CIPHERS = List.of(
      "TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256",
      "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
      "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
      "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
      "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");
  static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};
  /** Plain bytes per encryption call: four full TLS records. */
  static final int WRAP_DATA_SIZE = 64 * 1024;

  private final ListenerTls config;
  private final SslProvider provider;
  private final ScheduledExecutorService poller;
  private volatile SslContext current;
  /** The files' stamps the last attempt saw (loaded or not): a change is tried once. */
  private List<String> stamps;

  /** Loads the files now; throws {@link IllegalArgumentException} with one line if they do not. */
  ServerTls(ListenerTls config) {
    this.config = Objects.requireNonNull(config, "config");
    this.provider = OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK;
    this.stamps = stamps();
    this.current = build();
    this.poller = Executors.newSingleThreadScheduledExecutor(runnable -> {
      Thread thread = new Thread(runnable, "imagecache-tls-reload");
      thread.setDaemon(true);
      return thread;
    });
    long every = POLL_INTERVAL.toMillis();
    poller.scheduleWithFixedDelay(this::reloadIfChanged, every, every, TimeUnit.MILLISECONDS);
  }

  /** The context new connections use. */
  SslContext current() {
    return current;
  }

  /**
   * A handler for a new connection with the current context. It encrypts up to
   * {@value #WRAP_DATA_SIZE} bytes per call (several records) rather than one 16 KiB record.
   */
  SslHandler newHandler(Channel channel) {
    SslHandler handler = current.newHandler(channel.alloc());
    handler.setWrapDataSize(WRAP_DATA_SIZE);
    return handler;
  }

  /** The engine: {@code openssl} or {@code jdk}. */
  String providerName() {
    return provider == SslProvider.OPENSSL ? "openssl " + OpenSsl.versionString() : "jdk";
  }

  /** Reads the files again now (SIGHUP); a failure keeps the running context. */
  synchronized void reload() {
    stamps = stamps();
    tryLoad();
  }

  private synchronized void reloadIfChanged() {
    try {
      List<String> now = stamps();
      if (!now.equals(stamps)) {
        stamps = now;
        tryLoad();
      }
    } catch (RuntimeException e) {
      LOG.warn("TLS certificate check failed: {}", e.toString());
    }
  }

  private void tryLoad() {
    try {
      current = build();
      LOG.info("TLS certificate {} (re)loaded for new connections", config.certificate());
    } catch (IllegalArgumentException e) {
      LOG.warn("TLS certificate not reloaded, the running one stays: {}", e.getMessage());
    }
  }

  private SslContext build() {
    List<X509Certificate> chain = PemFiles.certificates(config.certificate());
    PrivateKey key = PemFiles.privateKey(config.key());
    PemFiles.requireMatch(chain.get(0), key, config.certificate(), config.key());
    try {
      SslContextBuilder builder = SslContextBuilder.forServer(key, chain)
          .sslProvider(provider)
          .protocols(PROTOCOLS)
          .ciphers(CIPHERS, SupportedCipherSuiteFilter.INSTANCE)
          .applicationProtocolConfig(new ApplicationProtocolConfig(
              ApplicationProtocolConfig.Protocol.ALPN,
              ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
              ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
              ApplicationProtocolNames.HTTP_1_1));
      if (config.clientCa().isPresent()) {
        builder.trustManager(PemFiles.certificates(config.clientCa().get()))
            .clientAuth(ClientAuth.REQUIRE);
      }
      return builder.build();
    } catch (SSLException e) {
      throw new IllegalArgumentException("TLS certificate " + config.certificate() + " and key "
          + config.key() + " cannot be used: " + e.getMessage(), e);
    }
  }

  /** Modification time and size of each file: what a change is seen by. */
  private List<String> stamps() {
    List<String> stamps = new ArrayList<>();
    List<Path> files = new ArrayList<>(List.of(config.certificate(), config.key()));
    config.clientCa().ifPresent(files::add);
    for (Path file : files) {
      try {
        stamps.add(Files.getLastModifiedTime(file) + "/" + Files.size(file));
      } catch (IOException e) {
        stamps.add("missing");
      }
    }
    return stamps;
  }

  /** Stops polling the files. */
  @Override
  public void close() {
    poller.shutdownNow();
  }
}
