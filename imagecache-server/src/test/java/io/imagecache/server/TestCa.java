package io.imagecache.server;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A small certificate authority for TLS tests, made by the real {@code openssl} command: a CA, and
 * certificates it issues for {@code localhost} and 127.0.0.1 with keys in the form asked for.
 */
public final class TestCa {
  /** How an issued key is written. */
  public enum KeyForm {
    /** {@code BEGIN PRIVATE KEY}. */
    PKCS8,
    /** {@code BEGIN RSA PRIVATE KEY} or {@code BEGIN EC PRIVATE KEY}. */
    TRADITIONAL
  }

  /** An issued certificate (chain: the leaf, then the CA) and its key. */
  public record Issued(Path certificate, Path key) {}

  private final Path dir;
  private final Path certificate;
  private final Path key;

  private TestCa(Path dir, Path certificate, Path key) {
    this.dir = dir;
    this.certificate = certificate;
    this.key = key;
  }

  /** A new CA named {@code name}, its files in {@code dir}. */
  public static TestCa create(Path dir, String name) throws IOException {
    Files.createDirectories(dir);
    Path certificate = dir.resolve(name + "-ca.crt");
    Path key = dir.resolve(name + "-ca.key");
    openssl(dir, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
        "-nodes", "-keyout", key.toString(), "-out", certificate.toString(), "-days", "2",
        "-subj", "/CN=" + name + " test CA",
        "-addext", "basicConstraints=critical,CA:TRUE",
        "-addext", "keyUsage=critical,keyCertSign,cRLSign");
    return new TestCa(dir, certificate, key);
  }

  /** The CA's certificate (PEM). */
  public Path certificate() {
    return certificate;
  }

  /** An RSA certificate for {@code localhost} and 127.0.0.1, the key in PKCS#8. */
  public Issued issue(String name) throws IOException {
    return issue(name, "rsa:2048", KeyForm.PKCS8);
  }

  /**
   * A certificate for {@code localhost} and 127.0.0.1 (server and client use) with a new key of
   * {@code keySpec} ({@code rsa:2048}, {@code ec}) written in {@code form}.
   */
  public Issued issue(String name, String keySpec, KeyForm form) throws IOException {
    return issue(name, keySpec, form, "DNS:localhost,IP:127.0.0.1");
  }

  /**
   * An RSA certificate (key in PKCS#8) for {@code subjectAltName} only, e.g.
   * {@code DNS:elsewhere.example}: for a host name that does not match.
   */
  public Issued issueFor(String name, String subjectAltName) throws IOException {
    return issue(name, "rsa:2048", KeyForm.PKCS8, subjectAltName);
  }

  private Issued issue(String name, String keySpec, KeyForm form, String subjectAltName)
      throws IOException {
    Path key = dir.resolve(name + ".key");
    Path request = dir.resolve(name + ".csr");
    Path leaf = dir.resolve(name + ".leaf.crt");
    Path extensions = dir.resolve(name + ".ext");
    Files.writeString(extensions, "subjectAltName=" + subjectAltName + "\n"
        + "extendedKeyUsage=serverAuth,clientAuth\n");
    List<String> newKey = new ArrayList<>(List.of("req", "-newkey", keySpec));
    if (keySpec.equals("ec")) {
      newKey.addAll(List.of("-pkeyopt", "ec_paramgen_curve:P-256"));
    }
    newKey.addAll(List.of("-nodes", "-keyout", key.toString(), "-out", request.toString(),
        "-subj", "/CN=" + name));
    openssl(dir, newKey.toArray(new String[0]));
    openssl(dir, "x509", "-req", "-in", request.toString(), "-CA", certificate.toString(),
        "-CAkey", this.key.toString(), "-CAcreateserial", "-out", leaf.toString(), "-days", "2",
        "-extfile", extensions.toString());
    if (form == KeyForm.TRADITIONAL) {
      Path traditional = dir.resolve(name + ".traditional.key");
      openssl(dir, "pkey", "-in", key.toString(), "-traditional", "-out", traditional.toString());
      Files.move(traditional, key, StandardCopyOption.REPLACE_EXISTING);
    }
    Path chain = dir.resolve(name + ".crt");
    Files.writeString(chain, Files.readString(leaf) + Files.readString(certificate));
    return new Issued(chain, key);
  }

  /** A client context trusting this CA only, without a client certificate. */
  public SSLContext clientContext() throws Exception {
    return clientContext(null);
  }

  /** A client context trusting this CA only, presenting {@code client} when not null. */
  public SSLContext clientContext(Issued client) throws Exception {
    KeyStore trusted = KeyStore.getInstance("PKCS12");
    trusted.load(null, null);
    trusted.setCertificateEntry("ca", PemFiles.certificates(certificate).get(0));
    TrustManagerFactory trust =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    trust.init(trusted);
    KeyManagerFactory keys = null;
    if (client != null) {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      store.setKeyEntry("client", PemFiles.privateKey(client.key()), new char[0],
          PemFiles.certificates(client.certificate()).toArray(new X509Certificate[0]));
      keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      keys.init(store, new char[0]);
    }
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(keys == null ? null : keys.getKeyManagers(), trust.getTrustManagers(), null);
    return context;
  }

  /** Runs {@code openssl ARGS} in {@code dir}; fails with its output unless it exits 0. */
  public static String openssl(Path dir, String... args) throws IOException {
    List<String> command = new ArrayList<>();
    command.add("openssl");
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).directory(dir.toFile())
        .redirectErrorStream(true).start();
    try {
      process.getOutputStream().close();
      String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new IOException("openssl " + args[0] + " did not finish");
      }
      if (process.exitValue() != 0) {
        throw new IOException("openssl " + String.join(" ", args) + " failed: " + output);
      }
      return output;
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }
}
