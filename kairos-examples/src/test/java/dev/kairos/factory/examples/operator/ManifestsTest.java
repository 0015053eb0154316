package dev.kairos.factory.examples.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Every manifest we ship or generate, read strictly into the Kubernetes API's model classes
 * (fabric8's): a field the API does not have fails the test, by its path.
 */
class ManifestsTest {
  static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

  static String resource(String name) throws IOException {
    try (InputStream in = OsArtifacts.class.getResourceAsStream(name)) {
      assertThat(in).as(name).isNotNull();
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  /** Each document of a multi-document YAML file, as the model class its apiVersion and kind name. */
  static List<HasMetadata> documents(String yaml) {
    List<HasMetadata> all = new ArrayList<>();
    for (String doc : yaml.split("(?m)^---\\s*$")) {
      if (doc.lines().allMatch(l -> l.isBlank() || l.strip().startsWith("#"))) {
        continue;
      }
      HasMetadata o = SERIALIZATION.unmarshal(doc);
      if (!(o instanceof GenericKubernetesResource)) { // a custom resource's spec is its own: read by ArtifactRequest
        assertThat(StrictModel.unknownFields(o, o.getKind())).as(doc).isEmpty();
      }
      all.add(o);
    }
    return all;
  }

  @Test
  void theCrdIsAValidCustomResourceDefinitionOfTheKairosOperatorsNames() throws IOException {
    CustomResourceDefinition crd = StrictModel.read(resource("osartifact-crd.yaml"), CustomResourceDefinition.class);
    assertThat(crd.getMetadata().getName()).isEqualTo(OsArtifacts.PLURAL + "." + OsArtifacts.GROUP);
    assertThat(crd.getSpec().getNames().getKind()).isEqualTo(OsArtifacts.KIND);
    var version = crd.getSpec().getVersions().get(0);
    assertThat(version.getName()).isEqualTo(OsArtifacts.VERSION);
    assertThat(version.getSubresources().getStatus()).isNotNull();
    JSONSchemaProps root = version.getSchema().getOpenAPIV3Schema();
    JSONSchemaProps spec = root.getProperties().get("spec");
    assertThat(spec.getXKubernetesPreserveUnknownFields()).as("unsupported fields reach the controller").isTrue();
    assertThat(spec.getProperties().keySet()).containsExactlyInAnyOrder("image", "artifacts", "exporters", "volume",
        "volumes", "imagePullSecrets", "nodeSelector", "tolerations", "resources");
    assertThat(root.getProperties().get("status").getProperties().get("phase").getEnum())
        .extracting(Object::toString).containsExactly("\"Pending\"", "\"Building\"", "\"Exporting\"", "\"Ready\"",
            "\"Error\"");
  }

  @Test
  void theRbacGivesTheControllerOnlyWhatItUses() throws IOException {
    List<HasMetadata> docs = documents(resource("rbac.yaml"));
    assertThat(docs).extracting(HasMetadata::getKind)
        .containsExactly("ServiceAccount", "ClusterRole", "ClusterRoleBinding", "ClusterRole");
    ClusterRole role = (ClusterRole) docs.get(1);
    List<String> granted = new ArrayList<>();
    for (PolicyRule r : role.getRules()) {
      for (String res : r.getResources()) {
        granted.add(r.getApiGroups().get(0) + "/" + res + ":" + String.join(",", r.getVerbs()));
      }
    }
    assertThat(granted).containsExactlyInAnyOrder(
        "build.kairos.io/osartifacts:get,list,watch,patch",
        "build.kairos.io/osartifacts/status:get,patch",
        "build.kairos.io/osartifacts/finalizers:update",
        "batch/jobs:get,list,watch,create,delete",
        "/persistentvolumeclaims:get,create,delete",
        "/pods:get,list,watch");
    assertThat(documents(resource("rbac-one-namespace.yaml"))).extracting(HasMetadata::getKind)
        .containsExactly("RoleBinding");
    assertThat(documents(resource("operator-deployment.yaml"))).extracting(HasMetadata::getKind)
        .containsExactly("Namespace", "Deployment");
  }

  @Test
  void theExampleIsBuildableAndEveryObjectMadeForItIsValid() throws IOException {
    List<HasMetadata> docs = documents(resource("osartifact-example.yaml"));
    GenericKubernetesResource example = (GenericKubernetesResource) docs.get(0);
    @SuppressWarnings("unchecked")
    ArtifactRequest r = ArtifactRequest.parse((Map<String, Object>) example.getAdditionalProperties().get("spec"));
    assertThat(r.unsupported()).isEmpty();
    assertThat(r.problems()).isEmpty();
    Manifests m = new Manifests("ubuntu-k3s", "builds", "0b9c8e43-5f1d-4c2e-9d6a-1f2e3d4c5b6a", "kf:1");

    Job builder = StrictModel.read(StrictModel.yaml(m.builder(r)), Job.class);
    assertThat(builder.getSpec().getTemplate().getSpec().getContainers().get(0).getResources().getRequests())
        .containsKeys("cpu", "memory");
    assertThat(builder.getSpec().getTemplate().getSpec().getVolumes()).extracting(v -> v.getName())
        .containsExactly("artifacts", "work", "cloudconfig");
    PersistentVolumeClaim pvc = StrictModel.read(StrictModel.yaml(m.pvc(r)), PersistentVolumeClaim.class);
    assertThat(pvc.getSpec().getResources().getRequests().get("storage").toString()).isEqualTo("20Gi");
    Job export = StrictModel.read(StrictModel.yaml(m.exporter(r, 0)), Job.class);
    assertThat(export.getSpec().getBackoffLimit()).isZero();
    assertThat(export.getSpec().getTemplate().getMetadata().getLabels()).containsEntry(OsArtifacts.ARTIFACT_LABEL,
        "ubuntu-k3s");
  }

  @Test
  void theStrictReaderNamesAFieldTheApiDoesNotHave() {
    assertThatThrownBy(() -> StrictModel.read("""
        apiVersion: batch/v1
        kind: Job
        metadata: {name: x}
        spec:
          backoffLimit: 0
          template:
            spec:
              restartPolicy: Never
              nodeSelecter: {a: b}
              containers: [{name: c, image: i, comand: [x]}]
        """, Job.class)).hasMessageContaining("spec.template.spec.nodeSelecter")
        .hasMessageContaining("spec.template.spec.containers[0].comand");
  }

  @Test
  void longNamesAreShortenedToValidLabelValuesAndStayDistinct() {
    String a = "a".repeat(70);
    Manifests m = new Manifests(a, "ns", "u", "i");
    assertThat(m.builderName()).hasSizeLessThanOrEqualTo(63).endsWith("-build");
    assertThat(m.pvcName()).hasSizeLessThanOrEqualTo(63).endsWith("-artifacts");
    assertThat(new Manifests(a + "b", "ns", "u", "i").builderName()).isNotEqualTo(m.builderName());
    assertThat(new Manifests("short", "ns", "u", "i").builderName()).isEqualTo("short-build");
  }

  @Test
  void oneBuilderContainerGetsTheLargestResourcesOfTheKindsAskedFor() {
    ArtifactRequest r = ArtifactRequest.parse(Map.of(
        "image", Map.of("buildOptions", Map.of("version", "v1.0.0", "baseImage", "debootstrap:bookworm")),
        "artifacts", Map.of("iso", true, "cloudImage", true),
        "resources", Map.of("iso", Map.of("requests", Map.of("memory", "2Gi", "cpu", "500m")),
            "cloudImage", Map.of("requests", Map.of("memory", "3Gi", "cpu", "250m")),
            "netboot", Map.of("requests", Map.of("memory", "64Gi")))));
    var q = Manifests.resources(r).getRequests();
    assertThat(q.get("memory").toString()).isEqualTo("3Gi");
    assertThat(q.get("cpu").toString()).isEqualTo("500m");
  }

  @Test
  void wrongValuesAreProblemsByPath() {
    ArtifactRequest r = ArtifactRequest.parse(Map.of(
        "image", Map.of("ref", "quay.io/kairos/x:1", "buildOptions", Map.of("version", "v1")),
        "artifacts", Map.of("arch", "riscv64", "iso", "yes", "uki", Map.of("efi", true, "iso", true))));
    assertThat(r.buildable()).isFalse();
    assertThat(r.problems()).contains("spec.image: ref and buildOptions both given; give one",
        "spec.artifacts.arch must be amd64 or arm64, not 'riscv64'", "spec.artifacts.iso must be true or false",
        "spec.artifacts.uki.keysVolume is required with uki.efi (the volume holding db.key and db.pem)");
    assertThat(r.unsupported()).containsExactly("spec.artifacts.uki.iso");
  }
}
