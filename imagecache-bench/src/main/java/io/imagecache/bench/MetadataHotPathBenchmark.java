package io.imagecache.bench;

import io.imagecache.CacheConfig;
import io.imagecache.Download;
import io.imagecache.DriverKind;
import io.imagecache.ImageCache;
import io.imagecache.ImageId;
import io.imagecache.OriginConfig;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Optional;
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
 * The hot metadata path of a cache hit on each driver, through the facade the server uses:
 * {@code isCached} and a download answered from a committed image, which counts a hit (written
 * behind by the facade's one-second timer).
 *
 * <p>Workload: 1000 committed 4 KiB images (filled from a directory origin at set-up), uniformly
 * random ids. Run:
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
  private ImageCache cache;
  private ImageId[] ids;

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    dir = Files.createTempDirectory("imagecache-jmh");
    Path images = Files.createDirectory(dir.resolve("origin"));
    ids = new ImageId[IMAGES];
    byte[] content = new byte[4096];
    for (int i = 0; i < IMAGES; i++) {
      ids[i] = ImageId.of("image-" + i);
      Files.write(images.resolve(ids[i].value()), content);
    }
    cache = ImageCache.open(config(dir.resolve("cache")),
        Optional.of(OriginConfig.of(images.toString())));
    for (ImageId id : ids) {
      try (Download download = cache.download(id, Optional.empty())) {
        if (download instanceof Download.Filling filling) {
          filling.verified().get();
        }
      }
    }
  }

  private CacheConfig config(Path cacheDir) throws IOException {
    CacheConfig.Builder config = CacheConfig.builder(cacheDir);
    switch (driver) {
      case "sqlite":
        return config.driver(DriverKind.SQLITE).build();
      case "xattr":
        return config.driver(DriverKind.XATTR).build();
      case "postgres":
        postgres = EmbeddedPostgres.builder().start();
        return config.driver(DriverKind.POSTGRES)
            .dbUrl(postgres.getJdbcUrl("postgres", "postgres"))
            .nodeUrl("http://127.0.0.1:9292")
            .build();
      default:
        throw new IllegalArgumentException("unknown driver " + driver);
    }
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
  public long downloadCountingAHit() throws IOException {
    ImageId id = ids[ThreadLocalRandom.current().nextInt(IMAGES)];
    try (Download download = cache.download(id, Optional.empty())) {
      return ((Download.Hit) download).size();
    }
  }
}
