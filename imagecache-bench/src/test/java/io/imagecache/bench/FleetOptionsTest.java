package io.imagecache.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class FleetOptionsTest {
  @Test
  void theRunnerPassesFleetOptionsThroughAndRunsTheFleetScenarioByDefault() {
    RunnerOptions options = RunnerOptions.parse(new String[] {"--rounds", "1", "--fleet-nodes", "6",
        "--fleet-images", "2", "--fleet-image-mib", "16", "--fleet-origin-rate", "10", "--fleet-link-rate", "40",
        "--fleet-loopback", "--fleet-peer-uploads", "2", "--fleet-node-dead-after", "5s"});

    assertThat(options.scenarios()).contains(13);
    assertThat(options.fleet()).isEqualTo(new FleetOptions(6, 2, 16, 10, 40, true, 2, "5s"));
    assertThat(options.fleet().imageBytes()).isEqualTo(16L << 20);
  }

  @Test
  void withoutFleetOptionsTheDefaultsAreFourNodesThreeImagesInNamespaces() {
    FleetOptions fleet = RunnerOptions.parse(new String[] {"--scenarios", "13"}).fleet();

    assertThat(fleet).isEqualTo(new FleetOptions(4, 3, 128, 25, 100, false, 4, "15s"));
  }

  @Test
  void aFleetOfOneNodeAnUnknownFleetOptionOrAMissingValueIsRefused() {
    assertThatThrownBy(() -> RunnerOptions.parse(new String[] {"--fleet-nodes", "1"}))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--fleet-nodes N (>=2");
    assertThatThrownBy(() -> RunnerOptions.parse(new String[] {"--fleet-peers", "3"}))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unknown option --fleet-peers");
    assertThatThrownBy(() -> RunnerOptions.parse(new String[] {"--fleet-images"}))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("missing value for --fleet-images");
  }
}
