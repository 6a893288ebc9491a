package io.imagecache.server;

import static io.imagecache.server.ServerHarness.file;
import static io.imagecache.server.TestImages.MiB;
import static org.assertj.core.api.Assertions.assertThat;

import io.imagecache.ImageId;
import io.imagecache.testing.TestOrigin;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * With {@code verify strongest} (the default) the server proves a miss by sha-512 alone and serves
 * the origin's offered MD5 as {@code Content-MD5} on miss and hit, as Glance serves its record.
 */
class VerifyStrongestServingTest {
  private static final int SIZE = 2 * MiB + 5;
  private static final byte[] IMAGE = TestImages.bytes(3, SIZE);
  private static final String MD5 = TestImages.md5(IMAGE);

  @TempDir Path tmp;
  private TestOrigin origin;
  private ServerHarness server;

  @BeforeEach
  void start() throws Exception {
    origin = TestOrigin.start();
    server = ServerHarness.start(tmp.resolve("cache"), origin.httpTemplate());
  }

  @AfterEach
  void stop() throws Exception {
    try {
      server.close();
    } finally {
      origin.close();
    }
  }

  @Test
  void theOfferedMd5IsServedOnMissAndHit() throws Exception {
    origin.put("img", IMAGE);

    HttpResponse<byte[]> miss = server.get(file("img"));
    HttpResponse<byte[]> hit = server.get(file("img"));

    assertThat(miss.body()).isEqualTo(IMAGE);
    assertThat(miss.headers().firstValue("Content-MD5")).contains(MD5);
    assertThat(hit.body()).isEqualTo(IMAGE);
    assertThat(hit.headers().firstValue("Content-MD5")).contains(MD5);
  }

  @Test
  void aLoneWrongMd5BesideAMatchingSha512IsServedAsTheOriginsWord() throws Exception {
    origin.put("img", IMAGE).wrongMd5();

    HttpResponse<byte[]> miss = server.get(file("img"));
    HttpResponse<byte[]> hit = server.get(file("img"));

    assertThat(miss.statusCode()).isEqualTo(200);
    assertThat(miss.body()).isEqualTo(IMAGE);
    assertThat(server.cache().isCached(ImageId.of("img"))).isTrue();
    assertThat(hit.headers().firstValue("Content-MD5")).isPresent().get().isNotEqualTo(MD5);
  }
}
