package io.imagecache.cli;

import io.imagecache.keystone.KeystoneLogin;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The Keystone of {@code serve}.
 *
 * @param url Keystone's URL (the {@code keystone-url} option)
 * @param adminRole the role a user's token needs for management calls
 * @param originAuth the {@code origin-auth-*} options that are set, each to its value (a secret
 *     read from its {@code -file} under the secret's own option, the file's path under the
 *     {@code -file} option); empty when the cache logs in nowhere
 */
record KeystoneSettings(String url, String adminRole, Map<ServeOption, String> originAuth) {
  static final String DEFAULT_ADMIN_ROLE = "admin";
  static final String DEFAULT_DOMAIN = "Default";
  /** The {@code origin-auth-*} options, in option order. */
  static final Set<ServeOption> ORIGIN_AUTH = EnumSet.of(
      ServeOption.ORIGIN_AUTH_APPLICATION_CREDENTIAL_ID,
      ServeOption.ORIGIN_AUTH_APPLICATION_CREDENTIAL_SECRET,
      ServeOption.ORIGIN_AUTH_APPLICATION_CREDENTIAL_SECRET_FILE,
      ServeOption.ORIGIN_AUTH_USERNAME, ServeOption.ORIGIN_AUTH_PASSWORD,
      ServeOption.ORIGIN_AUTH_PASSWORD_FILE, ServeOption.ORIGIN_AUTH_PROJECT,
      ServeOption.ORIGIN_AUTH_DOMAIN);
  /** The options whose values are secrets. */
  static final Set<ServeOption> SECRETS = EnumSet.of(
      ServeOption.ORIGIN_AUTH_APPLICATION_CREDENTIAL_SECRET, ServeOption.ORIGIN_AUTH_PASSWORD);

  KeystoneSettings {
    Objects.requireNonNull(url, "url");
    Objects.requireNonNull(adminRole, "adminRole");
    originAuth = originAuth.isEmpty()
        ? Map.of() : Map.copyOf(new EnumMap<>(originAuth));
  }

  /** How the cache logs in for its origin token, if it does. */
  Optional<KeystoneLogin> originLogin() {
    String id = originAuth.get(ServeOption.ORIGIN_AUTH_APPLICATION_CREDENTIAL_ID);
    if (id != null) {
      return Optional.of(KeystoneLogin.applicationCredential(
          id, originAuth.get(ServeOption.ORIGIN_AUTH_APPLICATION_CREDENTIAL_SECRET)));
    }
    String username = originAuth.get(ServeOption.ORIGIN_AUTH_USERNAME);
    if (username != null) {
      return Optional.of(KeystoneLogin.password(username,
          originAuth.get(ServeOption.ORIGIN_AUTH_PASSWORD),
          originAuth.get(ServeOption.ORIGIN_AUTH_PROJECT),
          originAuth.getOrDefault(ServeOption.ORIGIN_AUTH_DOMAIN, DEFAULT_DOMAIN)));
    }
    return Optional.empty();
  }

  @Override
  public String toString() {
    return "KeystoneSettings[url=" + url + ", adminRole=" + adminRole + ", originLogin="
        + originLogin().map(Object::toString).orElse("none") + "]";
  }
}
