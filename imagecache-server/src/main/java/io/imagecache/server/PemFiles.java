package io.imagecache.server;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads PEM files for TLS: certificates (a chain or a CA bundle) and an unencrypted private key in
 * PKCS#8 ({@code BEGIN PRIVATE KEY}) or the traditional RSA ({@code BEGIN RSA PRIVATE KEY},
 * PKCS#1) and EC ({@code BEGIN EC PRIVATE KEY}, SEC1) forms. Every failure is an
 * {@link IllegalArgumentException} with one line naming the file.
 */
public final class PemFiles {
  private static final Pattern BLOCK = Pattern.compile(
      "-----BEGIN ([A-Z0-9 ]+)-----\\r?\\n(.*?)-----END \\1-----", Pattern.DOTALL);
  /** DER of the AlgorithmIdentifier rsaEncryption (1.2.840.113549.1.1.1) with NULL parameters. */
  private static final byte[] RSA_ALGORITHM = hex("300d06092a864886f70d0101010500");
  /** DER of the OID id-ecPublicKey (1.2.840.10045.2.1). */
  private static final byte[] EC_PUBLIC_KEY = hex("06072a8648ce3d0201");

  private PemFiles() {}

  /** The certificates in {@code file}, in file order (a chain: the leaf first). */
  public static List<X509Certificate> certificates(Path file) {
    List<X509Certificate> certificates = new ArrayList<>();
    try {
      CertificateFactory factory = CertificateFactory.getInstance("X.509");
      for (Block block : blocks(file)) {
        if (block.type().equals("CERTIFICATE") || block.type().equals("TRUSTED CERTIFICATE")) {
          certificates.add((X509Certificate) factory.generateCertificate(
              new ByteArrayInputStream(block.der(file))));
        }
      }
    } catch (CertificateException e) {
      throw new IllegalArgumentException(
          "certificate file " + file + " holds an unreadable certificate: " + e.getMessage(), e);
    }
    if (certificates.isEmpty()) {
      throw new IllegalArgumentException(
          "certificate file " + file + " holds no PEM certificate (BEGIN CERTIFICATE)");
    }
    return certificates;
  }

  /** The private key in {@code file}: PKCS#8, PKCS#1 (RSA) or SEC1 (EC), not encrypted. */
  public static PrivateKey privateKey(Path file) {
    for (Block block : blocks(file)) {
      switch (block.type()) {
        case "PRIVATE KEY":
          return pkcs8(file, block.der(file));
        case "RSA PRIVATE KEY":
          requireUnencrypted(file, block);
          return pkcs8(file, sequence(
              derInteger0(), RSA_ALGORITHM, tlv(0x04, block.der(file))));
        case "EC PRIVATE KEY":
          requireUnencrypted(file, block);
          byte[] sec1 = block.der(file);
          return pkcs8(file, sequence(derInteger0(),
              sequence(EC_PUBLIC_KEY, curveOf(file, sec1)), tlv(0x04, sec1)));
        case "ENCRYPTED PRIVATE KEY":
          throw encrypted(file);
        default:
          // Not a key (EC PARAMETERS, a certificate): look further.
      }
    }
    throw new IllegalArgumentException("key file " + file + " holds no PEM private key"
        + " (BEGIN PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY)");
  }

  private static PrivateKey pkcs8(Path file, byte[] der) {
    for (String algorithm : List.of("RSA", "EC", "Ed25519", "RSASSA-PSS")) {
      try {
        return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
      } catch (GeneralSecurityException e) {
        // Try the next algorithm.
      }
    }
    throw new IllegalArgumentException(
        "key file " + file + " holds a private key that is not RSA, EC or Ed25519, or is damaged");
  }

  private static void requireUnencrypted(Path file, Block block) {
    if (block.body().contains("ENCRYPTED")) {
      throw encrypted(file);
    }
  }

  private static IllegalArgumentException encrypted(Path file) {
    return new IllegalArgumentException("key file " + file + " is encrypted; give the key"
        + " unencrypted (openssl pkey -in KEY -out KEY.pem) and protect the file instead");
  }

  /** The curve OID (whole TLV) in a SEC1 ECPrivateKey's {@code [0]} parameters. */
  private static byte[] curveOf(Path file, byte[] sec1) {
    int[] outer = header(sec1, 0);
    if (sec1[0] != 0x30) {
      throw damaged(file);
    }
    int at = outer[0];
    int end = outer[0] + outer[1];
    while (at < end) {
      int[] element = header(sec1, at);
      if ((sec1[at] & 0xff) == 0xa0) {
        int oid = element[0];
        int[] oidHeader = header(sec1, oid);
        if (sec1[oid] != 0x06) {
          throw damaged(file);
        }
        byte[] curve = new byte[oidHeader[0] - oid + oidHeader[1]];
        System.arraycopy(sec1, oid, curve, 0, curve.length);
        return curve;
      }
      at = element[0] + element[1];
    }
    throw new IllegalArgumentException("EC key in " + file + " names no curve;"
        + " convert it to PKCS#8 (openssl pkey -in KEY -out KEY.pem)");
  }

  private static IllegalArgumentException damaged(Path file) {
    return new IllegalArgumentException("key file " + file + " holds a damaged EC private key");
  }

  /** {start of contents, length of contents} of the DER element at {@code at}. */
  private static int[] header(byte[] der, int at) {
    if (at + 1 >= der.length) {
      throw new IllegalArgumentException("truncated DER");
    }
    int first = der[at + 1] & 0xff;
    if (first < 0x80) {
      return new int[] {at + 2, first};
    }
    int bytes = first & 0x7f;
    if (bytes > 3 || at + 2 + bytes > der.length) {
      throw new IllegalArgumentException("bad DER length");
    }
    int length = 0;
    for (int i = 0; i < bytes; i++) {
      length = (length << 8) | (der[at + 2 + i] & 0xff);
    }
    return new int[] {at + 2 + bytes, length};
  }

  private static byte[] derInteger0() {
    return new byte[] {0x02, 0x01, 0x00};
  }

  private static byte[] sequence(byte[]... parts) {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    for (byte[] part : parts) {
      body.writeBytes(part);
    }
    return tlv(0x30, body.toByteArray());
  }

  private static byte[] tlv(int tag, byte[] contents) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(tag);
    int length = contents.length;
    if (length < 0x80) {
      out.write(length);
    } else if (length < 0x100) {
      out.write(0x81);
      out.write(length);
    } else if (length < 0x10000) {
      out.write(0x82);
      out.write(length >> 8);
      out.write(length);
    } else {
      out.write(0x83);
      out.write(length >> 16);
      out.write(length >> 8);
      out.write(length);
    }
    out.writeBytes(contents);
    return out.toByteArray();
  }

  private static byte[] hex(String text) {
    byte[] bytes = new byte[text.length() / 2];
    for (int i = 0; i < bytes.length; i++) {
      bytes[i] = (byte) Integer.parseInt(text.substring(2 * i, 2 * i + 2), 16);
    }
    return bytes;
  }

  private static List<Block> blocks(Path file) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.ISO_8859_1);
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read " + file + ": " + e, e);
    }
    List<Block> blocks = new ArrayList<>();
    Matcher matcher = BLOCK.matcher(text);
    while (matcher.find()) {
      blocks.add(new Block(matcher.group(1), matcher.group(2)));
    }
    return blocks;
  }

  /** One {@code -----BEGIN TYPE-----} block: its type and its body (headers and base64). */
  private record Block(String type, String body) {
    byte[] der(Path file) {
      StringBuilder base64 = new StringBuilder();
      for (String line : body.split("\\r?\\n")) {
        if (!line.contains(":")) {
          base64.append(line.strip());
        }
      }
      try {
        return Base64.getDecoder().decode(base64.toString());
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "PEM block " + type + " in " + file + " is not valid base64", e);
      }
    }
  }

  /**
   * Checks that {@code key} (from {@code keyFile}) belongs to {@code certificate} (from
   * {@code certificateFile}) by signing a probe with it and verifying that with the certificate's
   * public key; keys of other algorithms than RSA, EC and Ed25519 are not checked.
   *
   * @throws IllegalArgumentException naming both files when they do not belong together
   */
  public static void requireMatch(X509Certificate certificate, PrivateKey key, Path certificateFile,
      Path keyFile) {
    String algorithm = switch (key.getAlgorithm()) {
      case "RSA" -> "SHA256withRSA";
      case "EC" -> "SHA256withECDSA";
      case "Ed25519", "EdDSA" -> "Ed25519";
      default -> null;
    };
    if (algorithm == null) {
      return;
    }
    try {
      byte[] probe = "imagecache".getBytes(StandardCharsets.US_ASCII);
      Signature signer = Signature.getInstance(algorithm);
      signer.initSign(key);
      signer.update(probe);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance(algorithm);
      verifier.initVerify(certificate.getPublicKey());
      verifier.update(probe);
      if (verifier.verify(signature)) {
        return;
      }
    } catch (GeneralSecurityException e) {
      // A key of another type than the certificate's: reported below.
    }
    throw new IllegalArgumentException("the key in " + keyFile
        + " does not belong to the certificate in " + certificateFile);
  }
}
