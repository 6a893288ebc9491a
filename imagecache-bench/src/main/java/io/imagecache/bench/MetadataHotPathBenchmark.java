package io.imagecache.bench;

import io.imagecache.ExpectedContent;
import io.imagecache.ImageId;
import io.imagecache.driver.CacheDriver;
import io.imagecache.driver.CacheReader;
import io.imagecache.driver.CacheWriter;
import io.imagecache.driver.FileCacheDriver;
import io.imagecache.driver.ImageIndex;
import io.imagecache.driver.postgres.PostgresIndex;
import io.imagecache.driver.sqlite.SqliteIndex;
import io.imagecache.driver.xattr.XattrIndex;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Comparator;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The hot metadata path of a cache hit on each driver: {@code isCached} and opening a committed
 * image for reading, which counts a hit (written behind, flushed here once per iteration as the
 * facade's one-second timer would).
 *
 * <p>Workload: 1000 committed 4 KiB images, uniformly random ids. Run:
 * {@code java -jar imagecache-bench/target/benchmarks.jar MetadataHotPathBenchmark -f 1 -wi 2 -i 3}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(1)
public class MetadataHotPathBenchmark {
  private static final int IMAGES = 1000;

  @Param({"sqlite", "xattr", "postgres"})
  public String driver;

  private Path dir;
  private EmbeddedPostgres postgres;
  private CacheDriver cache;
  private ImageId[] ids;

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    dir = Files.createTempDirectory("imagecache-jmh");
    cache = new FileCacheDriver(dir, newIndex(), Clock.systemUTC(), false);
    cache.configure();
    ids = new ImageId[IMAGES];
    ByteBuffer content = ByteBuffer.allocate(4096);
    for (int i = 0; i < IMAGES; i++) {
      ids[i] = ImageId.of("image-" + i);
      try (CacheWriter writer = cache.openForWrite(ids[i], ExpectedContent.unknown()).orElseThrow()) {
        writer.write(content.clear());
        writer.commit();
      }
    }
  }

  private ImageIndex newIndex() throws IOException {
    switch (driver) {
      case "sqlite":
        return new SqliteIndex(dir);
      case "xattr":
        return new XattrIndex(dir);
      case "postgres":
        postgres = EmbeddedPostgres.builder().start();
        return new PostgresIndex(
            postgres.getJdbcUrl("postgres", "postgres"), "http://127.0.0.1:9292", dir);
      default:
        throw new IllegalArgumentException("unknown driver " + driver);
    }
  }

  @TearDown(Level.Iteration)
  public void flush() throws IOException {
    cache.flushAccesses();
  }

  @TearDown(Level.Trial)
  public void tearDown() throws IOException {
    cache.close();
    if (postgres != null) {
      postgres.close();
    }
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  @Benchmark
  public boolean isCached() {
    return cache.isCached(ids[ThreadLocalRandom.current().nextInt(IMAGES)]);
  }

  @Benchmark
  public long openForReadCountingAHit() throws IOException {
    try (CacheReader reader =
        cache.openForRead(ids[ThreadLocalRandom.current().nextInt(IMAGES)]).orElseThrow()) {
      return reader.size();
    }
  }
}
