package dev.kairos.factory.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kairos.factory.examples.operator.ArtifactRequest;
import dev.kairos.factory.examples.operator.OsArtifacts;
import dev.kairos.factory.examples.testsupport.TestSupport;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** {@code matrix}: the expansion, a dry run, one tiny real cell, and {@code --kubernetes} on a SIMULATED cluster. */
@EnableKubernetesMockClient(crud = true, https = false)
class MatrixCommandTest {
  static final String MATRIX = """
      axes:
        base: [ubuntu:24.04, debootstrap:bookworm]
        version: [v3.6.0]
        arch: [amd64, arm64]
        variant: [core, standard]
      kubernetes: {distro: k3s, version: v1.31.1+k3s1}
      artifacts: {iso: true, cloudImage: true}
      exclude:
        - {arch: arm64, variant: standard}
      """;

  KubernetesClient client;

  static Path write(Path dir, String text) throws Exception {
    return Files.writeString(dir.resolve("matrix.yaml"), text);
  }

  @Test
  void theAxesExpandToEveryCombinationLessTheExcluded(@TempDir Path dir) throws Exception {
    BuildMatrix m = BuildMatrix.read(write(dir, MATRIX));
    assertThat(m.cells()).extracting(BuildMatrix.Cell::name).containsExactly(
        "ubuntu-24-04-v3-6-0-generic-amd64-core",
        "ubuntu-24-04-v3-6-0-generic-amd64-standard",
        "ubuntu-24-04-v3-6-0-generic-arm64-core",
        "debootstrap-bookworm-v3-6-0-generic-amd64-core",
        "debootstrap-bookworm-v3-6-0-generic-amd64-standard",
        "debootstrap-bookworm-v3-6-0-generic-arm64-core");
    ArtifactRequest standard = m.cells().get(1).request();
    assertThat(standard.build().kubernetesDistro()).isEqualTo("k3s");
    assertThat(standard.build().kubernetesVersion()).isEqualTo("v1.31.1+k3s1");
    assertThat(standard.arch()).isEqualTo("amd64");
    assertThat(standard.outputs()).containsExactlyInAnyOrder(ArtifactRequest.Output.ISO,
        ArtifactRequest.Output.CLOUD_IMAGE);
    assertThat(m.cells().get(0).request().build().kubernetesDistro()).isNull();
  }

  @Test
  void badMatricesAreRefusedNamingWhatIsWrong(@TempDir Path dir) throws Exception {
    assertThatThrownBy(() -> BuildMatrix.read(write(dir, "axes: {base: [x]}\n")))
        .hasMessageContaining("axes.version needs at least one value");
    assertThatThrownBy(() -> BuildMatrix.read(write(dir, "axes: {base: [x], version: [v1.0.0], colour: [red]}\n")))
        .hasMessageContaining("unknown axis 'colour'");
    assertThatThrownBy(() -> BuildMatrix.read(write(dir, "axes: {base: [x], version: [v1.0.0], arch: [s390x]}\n")))
        .hasMessageContaining("spec.artifacts.arch must be amd64 or arm64, not 's390x'");
    assertThatThrownBy(() -> BuildMatrix.read(write(dir, "axes: {base: [x], version: [v1.0.0]}\nartifacts: {dvd: true}\n")))
        .hasMessageContaining("spec.artifacts.dvd");
    assertThatThrownBy(() -> BuildMatrix.read(write(dir, "axes: {base: [x], version: [v1], version: [v2]}\n")))
        .hasMessageContaining("Duplicate");
    // Hostile: too deep, too big, too many cells.
    assertThatThrownBy(() -> BuildMatrix.read(write(dir, "axes: " + "[".repeat(40) + "]".repeat(40) + "\n")))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> BuildMatrix.read(write(dir, "# " + "x".repeat(70_000) + "\n")))
        .hasMessageContaining("at most 65536 bytes");
    String many = "axes:\n  base: [" + String.join(",", java.util.Collections.nCopies(20, "a"))
        + "]\n  version: [" + String.join(",", java.util.Collections.nCopies(20, "v1.0.0")) + "]\n";
    assertThatThrownBy(() -> BuildMatrix.read(write(dir, many))).hasMessageContaining("400 cells; at most 256");
  }

  @Test
  void aDryRunPrintsEachCellsBuildCommand(@TempDir Path dir) throws Exception {
    CliRunner r = CliRunner.run("matrix", write(dir, MATRIX).toString(), "--dry-run", "--out", "/srv/out", "--json");
    assertThat(r.exit()).as(r.err()).isZero();
    JsonNode cells = JsonMapper.shared().readTree(r.out()).get("cells");
    assertThat(cells).hasSize(6);
    List<String> command = JsonMapper.shared().convertValue(cells.get(1).get("command"), List.class);
    assertThat(command).containsSequence("build", "--from", "ubuntu:24.04", "--version", "v3.6.0")
        .containsSequence("--provider", "k3s", "--provider-k3s-version", "v1.31.1+k3s1")
        .containsSequence("--iso", "/srv/out/ubuntu-24-04-v3-6-0-generic-amd64-standard/ubuntu-24-04-v3-6-0-generic-amd64-standard.iso");
    CliRunner text = CliRunner.run("matrix", write(dir, MATRIX).toString(), "--dry-run");
    assertThat(text.out()).contains("debootstrap-bookworm-v3-6-0-generic-arm64-core:\n  kairos-factory build --from"
        + " debootstrap:bookworm");
  }

  @Test
  void simulatedKubernetesCreatesOneOsArtifactPerCell(@TempDir Path dir) throws Exception {
    Path kubeconfig = SimulatedCluster.kubeconfig(client, dir, "builds");
    CliRunner r = CliRunner.run("matrix", write(dir, MATRIX).toString(), "--kubernetes", "--kubeconfig",
        kubeconfig.toString(), "--json");
    assertThat(r.exit()).as(r.err()).isZero();
    List<GenericKubernetesResource> made = client.genericKubernetesResources(OsArtifacts.CONTEXT).inNamespace("builds")
        .list().getItems();
    assertThat(made).hasSize(6);
    GenericKubernetesResource one = client.genericKubernetesResources(OsArtifacts.CONTEXT).inNamespace("builds")
        .withName("debootstrap-bookworm-v3-6-0-generic-amd64-standard").get();
    @SuppressWarnings("unchecked")
    ArtifactRequest back = ArtifactRequest.parse((Map<String, Object>) one.getAdditionalProperties().get("spec"));
    assertThat(back.buildable()).isTrue();
    assertThat(back.build().baseImage()).isEqualTo("debootstrap:bookworm");
    assertThat(back.build().kubernetesDistro()).isEqualTo("k3s");

    // Again: every cell exists already, each is reported, the exit code says so.
    CliRunner again = CliRunner.run("matrix", write(dir, MATRIX).toString(), "--kubernetes", "--kubeconfig",
        kubeconfig.toString());
    assertThat(again.exit()).isEqualTo(KairosFactoryCli.FAILURE);
    assertThat(again.out()).contains("FAILED  osartifact builds/ubuntu-24-04-v3-6-0-generic-amd64-core");
  }

  @Test
  void oneTinyCellIsReallyBuiltHereByTheBuildVerb(@TempDir Path dir) throws Exception {
    Path root = TestSupport.tinyRoot(dir.resolve("root"));
    String matrix = """
        axes:
          base: ["dir:%s"]
          version: [v1.0.0]
        buildArgs: [--skip-step, "%s", --work, "%s"]
        """.formatted(root, String.join(",", TestSupport.QUICK_SKIPS), dir.resolve("work"));
    CliRunner r = CliRunner.run("matrix", write(dir, matrix).toString(), "--out", dir.resolve("out").toString(),
        "--json");
    assertThat(r.exit()).as(r.err()).isZero();
    JsonNode cell = JsonMapper.shared().readTree(r.out()).get("cells").get(0);
    String name = cell.get("name").asString();
    assertThat(cell.get("exit").asInt()).isZero();
    assertThat(cell.get("result").get("artifacts").get(0).get("kind").asString()).isEqualTo("OCI_ARCHIVE");
    assertThat(dir.resolve("out").resolve(name).resolve(name + ".oci.tar")).isNotEmptyFile();
  }
}
