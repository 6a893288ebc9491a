package io.imagecache.cli;

import io.imagecache.keystone.KeystoneClient;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Resolves the Keystone options: {@code keystone-url}, {@code admin-role}, {@code origin-auth-*}. */
final class KeystoneOptions {
  private KeystoneOptions() {}

  /**
   * {@code keystone-url} with {@code admin-role} and the {@code origin-auth-*} options, which
   * need it; a login is an application credential (id and secret) or a user (name, password,
   * project), each secret given directly or by its {@code -file}, never besides origin-token.
   */
  static Optional<KeystoneSettings> resolve(OptionValues values) throws SettingsException {
    Optional<String> url = values.optional(ServeOption.KEYSTONE_URL, text -> {
      KeystoneClient.tokensUri(text);
      return text.strip();
    });
    String role = values.get(ServeOption.ADMIN_ROLE, KeystoneOptions::name,
        KeystoneSettings.DEFAULT_ADMIN_ROLE);
    Map<ServeOption, String> auth = new EnumMap<>(ServeOption.class);
    for (ServeOption option : KeystoneSettings.ORIGIN_AUTH) {
      values.optional(option, KeystoneOptions::name).ifPresent(value -> auth.put(option, value));
    }
    for (ServeOption secret : KeystoneSettings.SECRETS) {
      // The generic -file rule: read from the twin file, both given is an error.
      Optional<String> value = values.secret(secret, KeystoneOptions::name);
      if (value.isPresent()) {
        auth.put(secret, value.get());
      }
    }
    if (url.isEmpty()) {
      Optional<RawSetting> needing = values.raw(ServeOption.ADMIN_ROLE);
      if (needing.isEmpty() && !auth.isEmpty()) {
        needing = values.raw(auth.keySet().iterator().next());
      }
      if (needing.isPresent()) {
        throw refused(needing.get(), "needs " + ServeOption.KEYSTONE_URL.flag());
      }
      return Optional.empty();
    }
    boolean application = auth.containsKey(ServeOption.ORIGIN_AUTH_APPLICATION_CREDENTIAL_ID);
    boolean user = auth.containsKey(ServeOption.ORIGIN_AUTH_USERNAME);
    if (application && user) {
      throw refused(values.raw(ServeOption.ORIGIN_AUTH_USERNAME).orElseThrow(),
          "give either a user or " + ServeOption.ORIGIN_AUTH_APPLICATION_CREDENTIAL_ID.flag()
              + ", not both");
    }
    List<ServeOption> required = application
        ? List.of(ServeOption.ORIGIN_AUTH_APPLICATION_CREDENTIAL_SECRET)
        : List.of(ServeOption.ORIGIN_AUTH_PASSWORD, ServeOption.ORIGIN_AUTH_PROJECT);
    if (!auth.isEmpty() && !application && !user) {
      throw refused(values.raw(auth.keySet().iterator().next()).orElseThrow(), "needs "
          + ServeOption.ORIGIN_AUTH_USERNAME.flag() + " or "
          + ServeOption.ORIGIN_AUTH_APPLICATION_CREDENTIAL_ID.flag());
    }
    if (application || user) {
      ServeOption login = application
          ? ServeOption.ORIGIN_AUTH_APPLICATION_CREDENTIAL_ID : ServeOption.ORIGIN_AUTH_USERNAME;
      for (ServeOption option : required) {
        if (!auth.containsKey(option)) {
          throw refused(values.raw(login).orElseThrow(), "needs " + option.flag()
              + (KeystoneSettings.SECRETS.contains(option) ? " or " + option.flag() + "-file" : ""));
        }
      }
      Optional<RawSetting> token = values.raw(ServeOption.ORIGIN_TOKEN);
      if (token.isPresent()) {
        throw refused(token.get(), "the cache logs in with " + login.flag()
            + " and gets its origin token from Keystone: give one or the other");
      }
    }
    return Optional.of(new KeystoneSettings(url.get(), role, auth));
  }

  /** {@code raw}'s error; the value of a secret option is not shown. */
  private static SettingsException refused(RawSetting raw, String problem) {
    if (KeystoneSettings.SECRETS.contains(raw.option()) || raw.option() == ServeOption.ORIGIN_TOKEN) {
      return new SettingsException("invalid " + raw.option().flag() + " (from " + raw.source()
          + "): " + problem);
    }
    return raw.invalid(problem);
  }

  /** A Keystone name, id or secret: anything but blank. */
  private static String name(String text) {
    if (text.isBlank()) {
      throw new IllegalArgumentException("must not be empty");
    }
    return text.strip();
  }
}
