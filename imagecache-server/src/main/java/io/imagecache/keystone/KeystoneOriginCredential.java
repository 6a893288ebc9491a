package io.imagecache.keystone;

import io.imagecache.OriginConfig;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cache's own origin token, obtained from Keystone with a {@link KeystoneLogin} and renewed
 * when 80% of its lifetime has passed, or at once after the origin refused it (401). Obtaining
 * blocks the callers that need the token meanwhile; a failure is theirs and the next call tries
 * again.
 */
public final class KeystoneOriginCredential implements OriginConfig.Credential {
  private static final Logger LOG = LoggerFactory.getLogger(KeystoneOriginCredential.class);

  private final KeystoneClient keystone;
  private final KeystoneLogin login;
  private final Clock clock;
  private String current;
  private Instant renewAt = Instant.MIN;
  private long obtained;

  public KeystoneOriginCredential(KeystoneClient keystone, KeystoneLogin login, Clock clock) {
    this.keystone = Objects.requireNonNull(keystone, "keystone");
    this.login = Objects.requireNonNull(login, "login");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  @Override
  public synchronized String token() throws IOException {
    Instant now = clock.instant();
    if (current == null || !now.isBefore(renewAt)) {
      KeystoneToken token = keystone.issue(login);
      Duration lifetime = token.lifetime().isNegative() ? Duration.ZERO : token.lifetime();
      current = token.id();
      renewAt = now.plus(lifetime.multipliedBy(4).dividedBy(5));
      obtained++;
      LOG.info("obtained the origin token from {} for {}: valid until {}, renewed after {}",
          keystone, login, token.expiresAt(), renewAt);
    }
    return current;
  }

  @Override
  public synchronized void refused(String token) {
    if (token.equals(current)) {
      LOG.warn("the origin refused the token from {} (401): obtaining a new one", keystone);
      current = null;
    }
  }

  /** How many tokens were obtained so far. */
  public synchronized long tokensObtained() {
    return obtained;
  }

  @Override
  public String toString() {
    return "Keystone " + login;
  }
}
