package dev.kairos.factory.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kairos.factory.examples.operator.OsArtifacts;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The {@code operator} verb on a SIMULATED cluster (fabric8's API server mock, CRUD mode), through its kubeconfig. */
@EnableKubernetesMockClient(crud = true, https = false)
class OperatorCommandTest {
  KubernetesClient client;

  @Test
  void simulatedOnceReconcilesEveryResourceAndPrintsItsStatusAsJson(@TempDir Path dir) throws Exception {
    Path kubeconfig = SimulatedCluster.kubeconfig(client, dir, "builds");
    client.resource(OsArtifacts.resource("builds", "one", Map.of("image", Map.of("buildOptions",
        Map.of("version", "v3.6.0", "baseImage", "debootstrap:bookworm")), "artifacts", Map.of("iso", true)))).create();
    client.resource(OsArtifacts.resource("builds", "two", Map.of("image", Map.of("ociSpec", Map.of())))).create();

    CliRunner r = CliRunner.run("operator", "--kubeconfig", kubeconfig.toString(), "--namespace", "builds",
        "--image", "kf:1", "--once", "--json");
    assertThat(r.exit()).as(r.err()).isZero();
    JsonNode all = JsonMapper.shared().readTree(r.out()).get("osartifacts");
    assertThat(all).hasSize(2);
    assertThat(all.get(0).get("name").asString()).isEqualTo("one");
    assertThat(all.get(0).get("phase").asString()).isEqualTo("Pending");
    assertThat(all.get(1).get("phase").asString()).isEqualTo("Error");
    assertThat(all.get(1).get("message").asString()).contains("spec.image.ociSpec");
    assertThat(r.err()).contains("builds/one: Pending");

    // A second pass starts the build.
    r = CliRunner.run("operator", "--kubeconfig", kubeconfig.toString(), "-n", "builds", "--image", "kf:1", "--once");
    assertThat(r.out()).contains("builds/one").contains("Building");
    assertThat(client.batch().v1().jobs().inNamespace("builds").withName("one-build").get().getSpec().getTemplate()
        .getSpec().getContainers().get(0).getImage()).isEqualTo("kf:1");
  }

  @Test
  void withoutAnImageItIsAUsageError(@TempDir Path dir) throws Exception {
    CliRunner r = CliRunner.run("operator", "--kubeconfig", SimulatedCluster.kubeconfig(client, dir, "x").toString(),
        "--once");
    assertThat(r.exit()).isEqualTo(KairosFactoryCli.USAGE);
    assertThat(r.err()).contains("--image REF");
  }
}
