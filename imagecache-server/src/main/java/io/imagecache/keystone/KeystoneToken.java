package io.imagecache.keystone;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Set;

/**
 * A token as Keystone describes it.
 *
 * @param id the token itself (the {@code X-Subject-Token}); never shown by {@link #toString}
 * @param roles the names of the roles it carries
 * @param issuedAt when Keystone issued it
 * @param expiresAt when it stops being valid
 */
public record KeystoneToken(String id, Set<String> roles, Instant issuedAt, Instant expiresAt) {
  public KeystoneToken {
    Objects.requireNonNull(id, "id");
    roles = Set.copyOf(roles);
    Objects.requireNonNull(issuedAt, "issuedAt");
    Objects.requireNonNull(expiresAt, "expiresAt");
  }

  /** How long Keystone issued it for. */
  public Duration lifetime() {
    return Duration.between(issuedAt, expiresAt);
  }

  @Override
  public String toString() {
    return "KeystoneToken[roles=" + roles + ", issuedAt=" + issuedAt + ", expiresAt=" + expiresAt
        + "]";
  }
}
