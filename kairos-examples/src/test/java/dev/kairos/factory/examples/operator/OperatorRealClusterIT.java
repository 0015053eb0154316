package dev.kairos.factory.examples.operator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kairos.factory.examples.testsupport.TestSupport;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;

/**
 * The controller on a REAL cluster: runs only when {@code KUBECONFIG} names a cluster this
 * machine reaches (kind or k3s on a workstation, see docs/kubernetes.md), and is skipped saying so
 * otherwise. It installs our CRD and RBAC, then runs the controller as its service account
 * (impersonated, so the RBAC is what is tested), in a namespace of its own that it deletes after.
 * The builder image is busybox, which has no kairos-factory: the real kubelet's failure must
 * reach the status; a real build is not run here (no kairos-factory image is published yet).
 */
@EnabledIfEnvironmentVariable(named = "KUBECONFIG", matches = ".+",
    disabledReason = "KUBECONFIG is not set: no real cluster to test against (the simulated tests ran instead)")
class OperatorRealClusterIT {
  static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();
  static KubernetesClient admin;
  static String ns;

  @BeforeAll
  static void cluster() throws IOException {
    String kubeconfig = System.getenv("KUBECONFIG");
    Assumptions.assumeTrue(kubeconfig != null && !kubeconfig.isBlank(),
        "KUBECONFIG is not set: no real cluster to test against (the simulated tests ran instead)");
    admin = new KubernetesClientBuilder().withConfig(Config.autoConfigure(null)).build();
    try {
      admin.getKubernetesVersion();
    } catch (RuntimeException e) {
      Assumptions.abort("KUBECONFIG=" + kubeconfig + " names no cluster this machine reaches: " + e.getMessage());
    }
    ns = "kairos-factory-it-" + UUID.randomUUID().toString().substring(0, 8);
    admin.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build()).create();
    for (HasMetadata o : documents("osartifact-crd.yaml")) {
      admin.resource(o).createOr(op -> op.update());
    }
    admin.apiextensions().v1().customResourceDefinitions().withName("osartifacts.build.kairos.io")
        .waitUntilCondition(c -> c != null && c.getStatus() != null && c.getStatus().getConditions().stream()
            .anyMatch(x -> x.getType().equals("Established") && x.getStatus().equals("True")),
            60, java.util.concurrent.TimeUnit.SECONDS);
    for (HasMetadata o : documents("rbac.yaml")) {
      if (o.getMetadata().getNamespace() != null) {
        o.getMetadata().setNamespace(ns); // the service account lives in the test's namespace
      }
      if (o instanceof io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding b) {
        b.getSubjects().forEach(s -> s.setNamespace(ns));
        b.getMetadata().setName("kairos-factory-operator-" + ns);
      }
      admin.resource(o).createOr(op -> op.update());
    }
  }

  @AfterAll
  static void cleanUp() {
    if (admin != null && ns != null) {
      admin.rbac().clusterRoleBindings().withName("kairos-factory-operator-" + ns).delete();
      admin.namespaces().withName(ns).delete();
      admin.close();
    }
  }

  static List<HasMetadata> documents(String resource) throws IOException {
    try (InputStream in = OsArtifacts.class.getResourceAsStream(resource)) {
      String yaml = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      return java.util.Arrays.stream(yaml.split("(?m)^---\\s*$"))
          .filter(d -> !d.lines().allMatch(l -> l.isBlank() || l.strip().startsWith("#")))
          .map(d -> (HasMetadata) SERIALIZATION.unmarshal(d)).toList();
    }
  }

  /** A client that is the controller's service account: what it may do is what rbac.yaml grants. */
  static KubernetesClient asOperator() {
    Config c = Config.autoConfigure(null);
    c.setImpersonateUsername("system:serviceaccount:" + ns + ":kairos-factory-operator");
    return new KubernetesClientBuilder().withConfig(c).build();
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> status(String name) {
    GenericKubernetesResource r = admin.genericKubernetesResources(OsArtifacts.CONTEXT).inNamespace(ns)
        .withName(name).get();
    Object s = r == null ? null : r.getAdditionalProperties().get("status");
    return s instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
  }

  @Test
  void realClusterKeepsUnsupportedFieldsAndTheKubeletsFailureReachesTheStatusAndDeletionCleansUp() throws Exception {
    StringWriter log = new StringWriter();
    try (KubernetesClient client = asOperator();
        Operator operator = new Operator(client, ns, "busybox:1.36", new PrintWriter(log, true))) {
      operator.start();
      admin.resource(OsArtifacts.resource(ns, "fancy", Map.of("image", Map.of("buildOptions",
          Map.of("version", "v3.6.0", "baseImage", "ubuntu:24.04"), "ociSpec", Map.of("ref", Map.of("name", "x"))))))
          .create();
      admin.resource(OsArtifacts.resource(ns, "nobuilder", Map.of("image", Map.of("buildOptions",
          Map.of("version", "v3.6.0", "baseImage", "ubuntu:24.04")), "artifacts", Map.of("iso", true),
          "volume", Map.of("accessModes", List.of("ReadWriteOnce"), "resources",
              Map.of("requests", Map.of("storage", "64Mi")))))).create();

      TestSupport.await(() -> "fancy's Error, log: " + log, 60, 200, () -> "Error".equals(status("fancy").get("phase")));
      assertThat((String) status("fancy").get("message")).contains("spec.image.ociSpec");

      TestSupport.await(() -> "nobuilder's Error, status " + status("nobuilder") + ", log: " + log, 300, 500,
          () -> "Error".equals(status("nobuilder").get("phase")));
      assertThat((String) status("nobuilder").get("message")).contains("builder job nobuilder-build failed")
          .contains("kairos-factory");

      admin.genericKubernetesResources(OsArtifacts.CONTEXT).inNamespace(ns).withName("nobuilder").delete();
      TestSupport.await(() -> "nobuilder gone, log: " + log, 120, 500, () -> admin.genericKubernetesResources(
          OsArtifacts.CONTEXT).inNamespace(ns).withName("nobuilder").get() == null);
      // Gone, or going: a PVC stays Terminating (pvc-protection) until the deleted Job's pod is gone.
      TestSupport.await("the builder job and the PVC removed", 120, () -> goneOrGoing(admin.batch().v1().jobs()
          .inNamespace(ns).withName("nobuilder-build").get()) && goneOrGoing(admin.persistentVolumeClaims()
          .inNamespace(ns).withName("nobuilder-artifacts").get()));
    }
  }

  static boolean goneOrGoing(HasMetadata o) {
    return o == null || o.getMetadata().getDeletionTimestamp() != null;
  }
}
