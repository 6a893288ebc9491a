package io.imagecache.keystone;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Optional;

/**
 * Whether a user's token, as Keystone validates it, carries a role. Answers are remembered per
 * token (by its SHA-256): a valid token's until its expiry but at most {@link #REMEMBER_VALID},
 * an invalid one's for {@link #REMEMBER_INVALID}; at most {@link #CAPACITY} tokens. Keystone
 * unreachable is never remembered. Calls may block on Keystone.
 */
public final class KeystoneRoleCheck {
  /** The longest a valid token's answer is remembered. */
  public static final Duration REMEMBER_VALID = Duration.ofMinutes(5);
  /** How long an invalid token's answer is remembered. */
  public static final Duration REMEMBER_INVALID = Duration.ofMinutes(1);
  /** Tokens remembered at most. */
  static final int CAPACITY = 10_000;

  /** Keystone's answer for one token. */
  public enum Verdict {
    /** Valid and carrying the role. */
    ALLOWED,
    /** Valid, without the role. */
    MISSING_ROLE,
    /** Not accepted by Keystone: malformed, expired or revoked. */
    INVALID
  }

  private final KeystoneClient keystone;
  private final String role;
  private final Clock clock;
  private final ExpiringLru<String, Verdict> verdicts = new ExpiringLru<>(CAPACITY);

  public KeystoneRoleCheck(KeystoneClient keystone, String role, Clock clock) {
    this.keystone = Objects.requireNonNull(keystone, "keystone");
    this.role = Objects.requireNonNull(role, "role");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** The role a token must carry. */
  public String role() {
    return role;
  }

  /** Keystone's (possibly remembered) verdict on {@code token}. */
  public Verdict check(String token) throws KeystoneUnavailableException {
    String key = sha256(token);
    Optional<Verdict> known = verdicts.get(key, clock.instant());
    if (known.isPresent()) {
      return known.get();
    }
    Optional<KeystoneToken> described = keystone.validate(token);
    Instant now = clock.instant();
    if (described.isEmpty()) {
      verdicts.put(key, Verdict.INVALID, now.plus(REMEMBER_INVALID));
      return Verdict.INVALID;
    }
    Verdict verdict =
        described.get().roles().contains(role) ? Verdict.ALLOWED : Verdict.MISSING_ROLE;
    Instant latest = now.plus(REMEMBER_VALID);
    Instant expires = described.get().expiresAt();
    verdicts.put(key, verdict, expires.isBefore(latest) ? expires : latest);
    return verdict;
  }

  private static String sha256(String token) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
          .digest(token.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
  }
}
