package io.imagecache.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.imagecache.server.TestCa.KeyForm;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * PEM files as {@code openssl} writes them: chains in file order, and RSA and EC keys in PKCS#8
 * and in the traditional forms (PKCS#1, SEC1), each of which must sign what its certificate's
 * public key verifies. Unusable files are refused with one line naming the file.
 */
class PemFilesTest {
  @TempDir
  static Path dir;
  private static TestCa ca;

  @BeforeAll
  static void makeCa() throws Exception {
    ca = TestCa.create(dir, "pem");
  }

  @ParameterizedTest
  @CsvSource({"rsa:2048, PKCS8, BEGIN PRIVATE KEY", "rsa:2048, TRADITIONAL, BEGIN RSA PRIVATE KEY",
      "ec, PKCS8, BEGIN PRIVATE KEY", "ec, TRADITIONAL, BEGIN EC PRIVATE KEY"})
  void readsEachKeyFormOpensslWrites(String keySpec, KeyForm form, String header)
      throws Exception {
    TestCa.Issued issued = ca.issue(keySpec.replace(':', '-') + "-" + form, keySpec, form);
    assertThat(Files.readString(issued.key())).as("the form openssl wrote").contains(header);

    PrivateKey key = PemFiles.privateKey(issued.key());
    List<X509Certificate> chain = PemFiles.certificates(issued.certificate());

    assertThat(chain).hasSize(2);
    assertThat(chain.get(1).getSubjectX500Principal().getName()).contains("pem test CA");
    String algorithm = key.getAlgorithm().equals("RSA") ? "SHA256withRSA" : "SHA256withECDSA";
    byte[] data = "signed by the key read".getBytes(StandardCharsets.US_ASCII);
    Signature signer = Signature.getInstance(algorithm);
    signer.initSign(key);
    signer.update(data);
    Signature verifier = Signature.getInstance(algorithm);
    verifier.initVerify(chain.get(0).getPublicKey());
    verifier.update(data);
    assertThat(verifier.verify(signer.sign())).as("the certificate verifies the key's signature")
        .isTrue();
  }

  @Test
  void anEncryptedKeyIsRefusedWithHowToDecryptIt() throws Exception {
    TestCa.Issued issued = ca.issue("encrypted");
    Path encrypted = dir.resolve("encrypted.enc.key");
    TestCa.openssl(dir, "pkey", "-in", issued.key().toString(), "-aes256", "-passout",
        "pass:secret", "-out", encrypted.toString());

    assertThatThrownBy(() -> PemFiles.privateKey(encrypted))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("key file " + encrypted + " is encrypted; give the key unencrypted"
            + " (openssl pkey -in KEY -out KEY.pem) and protect the file instead");
  }

  @Test
  void aFileWithoutTheExpectedBlockIsRefusedNamingIt() throws Exception {
    Path certificateOnly = ca.certificate();
    Path text = Files.writeString(dir.resolve("not-pem.txt"), "hello\n");

    assertThatThrownBy(() -> PemFiles.privateKey(certificateOnly))
        .hasMessage("key file " + certificateOnly + " holds no PEM private key"
            + " (BEGIN PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY)");
    assertThatThrownBy(() -> PemFiles.certificates(text))
        .hasMessage("certificate file " + text + " holds no PEM certificate (BEGIN CERTIFICATE)");
    assertThatThrownBy(() -> PemFiles.certificates(dir.resolve("missing.crt")))
        .hasMessageStartingWith("cannot read " + dir.resolve("missing.crt"));
  }
}
