package io.imagecache.keystone;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Objects;

/**
 * How the cache authenticates to Keystone for its own origin token: an application credential
 * (id and secret) or a user's password scoped to a project. {@link #toString} never shows the
 * secret.
 */
public final class KeystoneLogin {
  private final String description;
  private final ObjectNode auth;

  private KeystoneLogin(String description, ObjectNode auth) {
    this.description = description;
    this.auth = auth;
  }

  /** An application credential: Keystone scopes the token to the credential's project. */
  public static KeystoneLogin applicationCredential(String id, String secret) {
    requireText("application credential id", id);
    requireText("application credential secret", secret);
    ObjectNode auth = new ObjectMapper().createObjectNode();
    ObjectNode identity = auth.putObject("auth").putObject("identity");
    identity.putArray("methods").add("application_credential");
    identity.putObject("application_credential").put("id", id).put("secret", secret);
    return new KeystoneLogin("application credential " + id, auth);
  }

  /** A user in {@code domain} with a password, scoped to {@code project} of the same domain. */
  public static KeystoneLogin password(
      String username, String password, String project, String domain) {
    requireText("username", username);
    requireText("password", password);
    requireText("project", project);
    requireText("domain", domain);
    ObjectNode auth = new ObjectMapper().createObjectNode();
    ObjectNode root = auth.putObject("auth");
    ObjectNode identity = root.putObject("identity");
    identity.putArray("methods").add("password");
    ObjectNode user = identity.putObject("password").putObject("user");
    user.put("name", username).put("password", password).putObject("domain").put("name", domain);
    ObjectNode scope = root.putObject("scope").putObject("project");
    scope.put("name", project).putObject("domain").put("name", domain);
    return new KeystoneLogin(
        "user " + username + " in project " + project + " (domain " + domain + ")", auth);
  }

  /** The body of {@code POST /v3/auth/tokens}. */
  String requestBody() {
    return auth.toString();
  }

  @Override
  public String toString() {
    return description;
  }

  private static void requireText(String what, String value) {
    Objects.requireNonNull(value, what);
    if (value.isBlank()) {
      throw new IllegalArgumentException("the Keystone " + what + " must not be empty");
    }
  }
}
