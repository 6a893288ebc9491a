package io.imagecache.cli;

import java.util.Locale;
import java.util.Optional;

/**
 * The options of {@code imagecache serve}: each is a flag {@code --NAME}, an environment variable
 * {@code IMAGECACHE_NAME} (upper case, dashes as underscores) and a config-file key {@code NAME}
 * (or {@code name_with_underscores}), except {@link #CONFIG}, which names the file itself.
 */
enum ServeOption {
  CONFIG("config", "FILE", "YAML config file; its keys are the option names, e.g. max-size: 20GiB"),
  LISTEN("listen", "HOST:PORT",
      "Address to listen on; [::1]:PORT for IPv6, port 0 for any free port"
          + " (default: 127.0.0.1:9292)"),
  TLS_LISTEN("tls-listen", "HOST:PORT",
      "Address of the TLS (HTTPS) listener, beside the plain one; needs tls-cert and tls-key"
          + " (default: no TLS listener)"),
  TLS_CERT("tls-cert", "FILE",
      "PEM certificate chain of the TLS listener, leaf first; read again when it changes"),
  TLS_KEY("tls-key", "FILE",
      "PEM private key of tls-cert (PKCS#8, RSA or EC, unencrypted); read again when it changes"),
  TLS_CLIENT_CA("tls-client-ca", "FILE",
      "PEM CA certificates: TLS clients must present a certificate from one (mutual TLS)"),
  CACHE_DIR("cache-dir", "DIR", "Cache directory (default: ./imagecache-data)"),
  DRIVER("driver", "sqlite|xattr|postgres", "Metadata store (default: sqlite)"),
  ORIGIN("origin", "ORIGIN",
      "Where misses are fetched from: a directory or file: URL, http(s)://.../{id},"
          + " or glance+http(s)://HOST:PORT"),
  MAX_SIZE("max-size", "SIZE", "Bytes the cache may hold, e.g. 10GiB, 500MB (default: 10GiB)"),
  STALL_TIME("stall-time", "DURATION",
      "Age after which clean removes an abandoned incomplete file, e.g. 90s, 30m"
          + " (default: 24h)"),
  ADMIN_TOKEN("admin-token", "TOKEN",
      "Token for management calls (default: generated in <cache-dir>/admin-token)"),
  ADMIN_TOKEN_FILE("admin-token-file", "FILE",
      "File holding the admin token, instead of admin-token; every secret option X has such an"
          + " X-file twin (the file's trailing newline is ignored)"),
  ORIGIN_TOKEN_FILE("origin-token-file", "FILE", "File holding the origin-token"),
  DB_PASSWORD("db-password", "PASSWORD",
      "Password of the PostgreSQL user, instead of a password= in db-url (driver postgres)"),
  DB_PASSWORD_FILE("db-password-file", "FILE", "File holding the db-password"),
  DB_URL("db-url", "JDBC_URL", "PostgreSQL JDBC URL (driver postgres)"),
  NODE_URL("node-url", "URL", "This node's URL as other nodes reach it (driver postgres)"),
  FLEET_TOKEN("fleet-token", "TOKEN",
      "Secret the nodes of a fleet send each other; with driver postgres it turns on the fleet:"
          + " misses fill from peers, one origin fetch per image for all nodes"),
  FLEET_TOKEN_FILE("fleet-token-file", "FILE", "File holding the fleet-token"),
  NODE_DEAD_AFTER("node-dead-after", "DURATION",
      "Age of its last heartbeat after which a fleet node counts as dead (default: 15s)"),
  PEER_UPLOADS("peer-uploads", "N",
      "Peers that may stream one image from this node at once; the others chain off nodes"
          + " already receiving it (default: 4)"),
  ORIGIN_CONNECT_TIMEOUT("origin-connect-timeout", "DURATION",
      "Time to connect to the origin (default: 10s)"),
  ORIGIN_FIRST_BYTE_TIMEOUT("origin-first-byte-timeout", "DURATION",
      "Time for the origin's first response byte (default: 30s)"),
  ORIGIN_IDLE_TIMEOUT("origin-idle-timeout", "DURATION",
      "Time the origin may send nothing during a body (default: 60s)"),
  ORIGIN_CA_FILE("origin-ca-file", "FILE",
      "PEM bundle of CA certificates trusted for HTTPS origins besides the system's"),
  ORIGIN_CLIENT_CERT("origin-client-cert", "FILE",
      "PEM certificate chain the cache presents to HTTPS origins (mutual TLS)"),
  ORIGIN_CLIENT_KEY("origin-client-key", "FILE", "PEM private key of origin-client-cert"),
  VERIFY("verify", "strongest|all",
      "Offered digests a fill verifies: the strongest (sha-512 > sha-256 > md5) or all"
          + " (default: strongest)"),
  ORIGIN_RESUME_ATTEMPTS("origin-resume-attempts", "N",
      "Range requests one fill may make to resume a broken origin body; 0 never resumes"
          + " (default: 5)"),
  ORIGIN_CONNECTIONS("origin-connections", "N",
      "Connections one fill of an image of 64 MiB or more may fetch 4 MiB segments over, when"
          + " the origin supports ranges (default: 1)"),
  ORIGIN_TOKEN("origin-token", "TOKEN",
      "The cache's own origin credential: bearer token for HTTP origins, X-Auth-Token of"
          + " prefetches for Glance"),
  KEYSTONE_URL("keystone-url", "URL",
      "Keystone, http(s)://HOST:PORT[/v3]: management calls also accept a user's Keystone token"
          + " carrying admin-role; origin-auth-* log the cache in there"),
  ADMIN_ROLE("admin-role", "ROLE",
      "Keystone role a user's token needs for management calls (default: admin)"),
  ORIGIN_AUTH_APPLICATION_CREDENTIAL_ID("origin-auth-application-credential-id", "ID",
      "Keystone application credential from which the cache obtains and renews its origin token"),
  ORIGIN_AUTH_APPLICATION_CREDENTIAL_SECRET("origin-auth-application-credential-secret", "SECRET",
      "Secret of origin-auth-application-credential-id"),
  ORIGIN_AUTH_APPLICATION_CREDENTIAL_SECRET_FILE("origin-auth-application-credential-secret-file",
      "FILE", "File holding that secret (surrounding whitespace ignored)"),
  ORIGIN_AUTH_USERNAME("origin-auth-username", "NAME",
      "Keystone user from which the cache obtains and renews its origin token"),
  ORIGIN_AUTH_PASSWORD("origin-auth-password", "PASSWORD", "Password of origin-auth-username"),
  ORIGIN_AUTH_PASSWORD_FILE("origin-auth-password-file", "FILE",
      "File holding that password (surrounding whitespace ignored)"),
  ORIGIN_AUTH_PROJECT("origin-auth-project", "NAME",
      "Project the origin-auth-username token is scoped to"),
  ORIGIN_AUTH_DOMAIN("origin-auth-domain", "NAME",
      "Domain of origin-auth-username and origin-auth-project (default: Default)"),
  PREFETCH_WORKERS("prefetch-workers", "N", "Images prefetched at once (default: 2)"),
  PREFETCH_ATTEMPTS("prefetch-attempts", "N",
      "Attempts per prefetch before it stays failed, backing off from 1s (default: 5)"),
  HIGH_WATER("high-water", "PERCENT",
      "Cache fill that starts an automatic prune, in %% of max size (default: 100)"),
  LOW_WATER("low-water", "PERCENT",
      "Cache fill an automatic prune goes down to, in %% of max size (default: 90)"),
  MIN_FREE_DISK("min-free-disk", "PERCENT",
      "Free space fills must leave on the file system, in %% (default: 5)"),
  PRUNE_INTERVAL("prune-interval", "DURATION", "How often the size bound is checked (default: 1m)"),
  CLEAN_INTERVAL("clean-interval", "DURATION",
      "How often invalid and stalled files are cleaned (default: 1h)"),
  NO_FSYNC("no-fsync", "",
      "Do not force committed images to disk (faster; a crash may lose recent fills)"),
  BLOCKING_THREADS("blocking-threads", "N",
      "Threads for calls that may block: metadata queries, waiting on fills (default: 16)"),
  HEADER_TIMEOUT("header-timeout", "DURATION",
      "Time a client has to send a request head, from the connection or the head's first byte"
          + " (default: 30s)"),
  IDLE_TIMEOUT("idle-timeout", "DURATION",
      "Time a keep-alive connection may sit idle between requests (default: 60s)"),
  WRITE_STALL_TIMEOUT("write-stall-timeout", "DURATION",
      "Time a response may make no progress because the client reads nothing (default: 5m)"),
  MAX_CONNECTIONS("max-connections", "N",
      "Open client connections beyond which a new one gets a 503 (default: 10000)"),
  MAX_HEADER_SIZE("max-header-size", "SIZE",
      "Bytes of request headers beyond which a request gets a 431 (default: 32KiB)"),
  SHUTDOWN_GRACE("shutdown-grace", "DURATION",
      "On SIGTERM, how long requests being answered may take to finish (default: 30s)"),
  READYZ_ORIGIN("readyz-origin", "on|off",
      "Whether /readyz also asks the origin, its answer kept 5s (default: off)"),
  LOG_LEVEL("log-level", "error|warn|info|debug", "Level of the server log on stderr (default: info)"),
  LOG_FORMAT("log-format", "text|json",
      "Format of the server log and the access log: text lines or JSON lines (default: text)"),
  ACCESS_LOG("access-log", "off|stdout|FILE",
      "Access log, one line per request: off, stdout, or a file rotated daily and at 100 MB,"
          + " 7 days kept (default: off)");

  private final String optionName;
  private final String paramLabel;
  private final String description;

  ServeOption(String optionName, String paramLabel, String description) {
    this.optionName = optionName;
    this.paramLabel = paramLabel;
    this.description = description;
  }

  /** The name without dashes: {@code max-size}; also the key in the flags map. */
  String optionName() {
    return optionName;
  }

  /** The command-line flag: {@code --max-size}. */
  String flag() {
    return "--" + optionName;
  }

  /** The environment variable: {@code IMAGECACHE_MAX_SIZE}. */
  String environmentVariable() {
    return "IMAGECACHE_" + optionName.toUpperCase(Locale.ROOT).replace('-', '_');
  }

  /** The snake_case config-file key also accepted: {@code max_size}. */
  String snakeCaseKey() {
    return optionName.replace('-', '_');
  }

  /** Whether this option is a switch that takes no value on the command line. */
  boolean isSwitch() {
    return paramLabel.isEmpty();
  }

  /**
   * The option naming the file this secret can be read from instead: every option {@code X-file}
   * is the file twin of the option {@code X}, which makes {@code X} a secret.
   */
  Optional<ServeOption> fileTwin() {
    return optionName.endsWith("-file") ? Optional.empty() : forName(optionName + "-file");
  }

  /** The secret whose file this {@code X-file} option names, if it is one. */
  Optional<ServeOption> secretOfFile() {
    return optionName.endsWith("-file")
        ? forName(optionName.substring(0, optionName.length() - "-file".length()))
        : Optional.empty();
  }

  /** Whether the value is a secret: never shown, logged or echoed in an error. */
  boolean isSecret() {
    return fileTwin().isPresent();
  }

  /** Whether the config file may set this option. */
  boolean inConfigFile() {
    return this != CONFIG;
  }

  String paramLabel() {
    return paramLabel;
  }

  String description() {
    return description;
  }

  /** The option whose config-file key is {@code key} in either spelling. */
  static Optional<ServeOption> forConfigKey(String key) {
    for (ServeOption option : values()) {
      if (option.inConfigFile()
          && (option.optionName.equals(key) || option.snakeCaseKey().equals(key))) {
        return Optional.of(option);
      }
    }
    return Optional.empty();
  }

  /** The option whose flags-map key is {@code name}. */
  static Optional<ServeOption> forName(String name) {
    for (ServeOption option : values()) {
      if (option.optionName.equals(name)) {
        return Optional.of(option);
      }
    }
    return Optional.empty();
  }
}
