package dev.kairos.factory.examples.operator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kairos.factory.examples.testsupport.TestSupport;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobStatus;
import io.fabric8.kubernetes.api.model.batch.v1.JobStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The controller against a SIMULATED cluster: fabric8's Kubernetes API server mock in CRUD mode
 * (objects, status subresources, finalizers, watches; no scheduler, no kubelet, so no Job ever
 * runs). The test plays the kubelet and the Job controller: it sets the Jobs' and pods' statuses
 * as a real cluster would, and checks what the controller makes of them. The real-cluster test is
 * {@code OperatorRealClusterIT}.
 */
@EnableKubernetesMockClient(crud = true, https = false)
class OperatorSimulatedClusterTest {
  static final String NS = "builds";
  static final String IMAGE = "registry.example.com/kairos-factory:test";

  KubernetesMockServer server;
  KubernetesClient client;
  final StringWriter log = new StringWriter();
  Operator operator;

  @BeforeEach
  void crdAndOperator() throws Exception {
    try (InputStream in = OsArtifacts.class.getResourceAsStream("osartifact-crd.yaml")) {
      CustomResourceDefinition crd = client.getKubernetesSerialization().unmarshal(in, CustomResourceDefinition.class);
      // createOr: a create the client retried on a loaded machine may have been made the first time.
      client.apiextensions().v1().customResourceDefinitions().resource(crd).createOr(op -> op.update());
    }
    operator = new Operator(client, NS, IMAGE, new PrintWriter(log, true));
  }

  static Map<String, Object> isoSpec(List<Map<String, Object>> exporters) {
    return Map.of(
        "image", Map.of("buildOptions", Map.of("version", "v3.6.0", "baseImage", "ubuntu:24.04", "model", "generic",
            "kubernetesDistro", "k3s", "kubernetesVersion", "v1.31.1+k3s1")),
        "artifacts", Map.of("arch", "amd64", "iso", true, "cloudImage", true,
            "cloudConfigRef", Map.of("name", "cc", "key", "user-data")),
        "exporters", exporters,
        "nodeSelector", Map.of("kubernetes.io/arch", "amd64"),
        "tolerations", List.of(Map.of("key", "builds", "operator", "Exists", "effect", "NoSchedule")));
  }

  static final Map<String, Object> UPLOAD = Map.of("template", Map.of("spec", Map.of("restartPolicy", "Never",
      "containers", List.of(Map.of("name", "upload", "image", "busybox:1.36", "command", List.of("ls", "/artifacts"),
          "volumeMounts", List.of(Map.of("name", "artifacts", "mountPath", "/artifacts", "readOnly", true)))))));

  GenericKubernetesResource create(String name, Map<String, Object> spec) {
    return client.resource(OsArtifacts.resource(NS, name, spec)).create();
  }

  GenericKubernetesResource get(String name) {
    return client.genericKubernetesResources(OsArtifacts.CONTEXT).inNamespace(NS).withName(name).get();
  }

  @SuppressWarnings("unchecked")
  String phase(String name) {
    GenericKubernetesResource r = get(name);
    Object status = r == null ? null : r.getAdditionalProperties().get("status");
    return status instanceof Map<?, ?> m ? (String) m.get("phase") : null;
  }

  @SuppressWarnings("unchecked")
  String message(String name) {
    return (String) ((Map<String, Object>) get(name).getAdditionalProperties().get("status")).get("message");
  }

  Job job(String name) {
    return client.batch().v1().jobs().inNamespace(NS).withName(name).get();
  }

  void setJobStatus(String name, JobStatus status) {
    client.batch().v1().jobs().inNamespace(NS).withName(name).editStatus(j -> {
      j.setStatus(status);
      return j;
    });
  }

  static JobStatus failedJob(String reason, String message) {
    return new JobStatusBuilder().withFailed(1).addNewCondition().withType("Failed").withStatus("True")
        .withReason(reason).withMessage(message).endCondition().build();
  }

  @Test
  void simulatedHappyPathGoesPendingBuildingExportingReady() {
    create("ubuntu-k3s", isoSpec(List.of(UPLOAD)));

    operator.reconcile(NS, "ubuntu-k3s");
    assertThat(phase("ubuntu-k3s")).isEqualTo("Pending");
    assertThat(get("ubuntu-k3s").getMetadata().getFinalizers()).containsExactly(OsArtifacts.FINALIZER);
    assertThat(job("ubuntu-k3s-build")).isNull();

    operator.reconcile(NS, "ubuntu-k3s");
    assertThat(phase("ubuntu-k3s")).isEqualTo("Building");
    Job builder = job("ubuntu-k3s-build");
    assertThat(builder).isNotNull();
    var pod = builder.getSpec().getTemplate().getSpec();
    var c = pod.getContainers().get(0);
    assertThat(c.getImage()).isEqualTo(IMAGE);
    assertThat(c.getSecurityContext().getPrivileged()).isTrue();
    assertThat(c.getCommand()).containsExactly("kairos-factory");
    assertThat(c.getArgs()).containsSequence("build", "--from", "ubuntu:24.04", "--version", "v3.6.0")
        .containsSequence("--provider", "k3s", "--provider-k3s-version", "v1.31.1+k3s1")
        .containsSequence("--iso", "/artifacts/ubuntu-k3s.iso").containsSequence("--disk", "/artifacts/ubuntu-k3s.raw")
        .containsSequence("--cloud-config", "/cloud-config/user-data").containsSequence("--arch", "amd64");
    assertThat(pod.getNodeSelector()).containsEntry("kubernetes.io/arch", "amd64");
    assertThat(pod.getTolerations()).singleElement().satisfies(t -> assertThat(t.getKey()).isEqualTo("builds"));
    assertThat(pod.getAutomountServiceAccountToken()).isFalse();
    assertThat(builder.getSpec().getBackoffLimit()).isZero();
    PersistentVolumeClaim pvc = client.persistentVolumeClaims().inNamespace(NS).withName("ubuntu-k3s-artifacts").get();
    assertThat(pvc.getSpec().getResources().getRequests().get("storage").toString()).isEqualTo("10Gi");
    assertThat(builder.getMetadata().getOwnerReferences()).singleElement()
        .satisfies(o -> assertThat(o.getUid()).isEqualTo(get("ubuntu-k3s").getMetadata().getUid()));

    // Nothing changed: a second look does nothing.
    assertThat(operator.reconcile(NS, "ubuntu-k3s")).isEmpty();

    setJobStatus("ubuntu-k3s-build", new JobStatusBuilder().withSucceeded(1).addNewCondition().withType("Complete")
        .withStatus("True").endCondition().build());
    operator.reconcile(NS, "ubuntu-k3s");
    assertThat(phase("ubuntu-k3s")).isEqualTo("Exporting");
    Job export = job("ubuntu-k3s-export-0");
    assertThat(export.getMetadata().getAnnotations()).containsEntry(OsArtifacts.EXPORT_INDEX_ANNOTATION, "0");
    Volume artifacts = export.getSpec().getTemplate().getSpec().getVolumes().stream()
        .filter(v -> v.getName().equals("artifacts")).findFirst().orElseThrow();
    assertThat(artifacts.getPersistentVolumeClaim().getClaimName()).isEqualTo("ubuntu-k3s-artifacts");
    assertThat(artifacts.getPersistentVolumeClaim().getReadOnly()).isTrue();

    operator.reconcile(NS, "ubuntu-k3s");
    assertThat(phase("ubuntu-k3s")).isEqualTo("Exporting");
    setJobStatus("ubuntu-k3s-export-0", new JobStatusBuilder().withSucceeded(1).build());
    operator.reconcile(NS, "ubuntu-k3s");
    assertThat(phase("ubuntu-k3s")).isEqualTo("Ready");
    assertThat(message("ubuntu-k3s")).contains("exported");
    assertThat(log.toString()).contains("builds/ubuntu-k3s: Ready");
  }

  @Test
  void simulatedBuilderPodFailureIsAnErrorWithThePodsMessage() {
    create("broken", isoSpec(List.of(UPLOAD)));
    operator.reconcile(NS, "broken");
    operator.reconcile(NS, "broken");
    assertThat(phase("broken")).isEqualTo("Building");
    // What the kubelet and the Job controller would write: the pod ended with the log's tail as
    // its termination message (FallbackToLogsOnError), then the Job failed.
    Pod pod = new PodBuilder().withNewMetadata().withName("broken-build-x7k2p").withNamespace(NS)
        .addToLabels(OsArtifacts.JOB_NAME_LABEL, "broken-build").addToLabels(OsArtifacts.MANAGED_BY_LABEL,
            OsArtifacts.MANAGED_BY).addToLabels(OsArtifacts.ARTIFACT_LABEL, "broken").endMetadata()
        .withNewStatus().withPhase("Failed").addNewContainerStatus().withName("build").withNewState().withNewTerminated()
        .withExitCode(2).withReason("Error")
        .withMessage("kairos-factory: error: Invalid value for option '--from': no such image ubuntu:24.04\n")
        .endTerminated().endState().endContainerStatus().endStatus().build();
    client.resource(pod).create();
    setJobStatus("broken-build", failedJob("BackoffLimitExceeded", "Job has reached the specified backoff limit"));

    operator.reconcile(NS, "broken");
    assertThat(phase("broken")).isEqualTo("Error");
    assertThat(message("broken")).contains("builder job broken-build failed")
        .contains("pod broken-build-x7k2p, container build exited 2")
        .contains("no such image ubuntu:24.04");
    assertThat(job("broken-export-0")).isNull();
    // Error is final.
    assertThat(operator.reconcile(NS, "broken")).isEmpty();
  }

  @Test
  void simulatedExporterFailureIsAnError() {
    create("upload-fails", isoSpec(List.of(UPLOAD)));
    operator.reconcile(NS, "upload-fails");
    operator.reconcile(NS, "upload-fails");
    setJobStatus("upload-fails-build", new JobStatusBuilder().withSucceeded(1).build());
    operator.reconcile(NS, "upload-fails");
    assertThat(phase("upload-fails")).isEqualTo("Exporting");
    setJobStatus("upload-fails-export-0", failedJob("BackoffLimitExceeded", "Job has reached the specified backoff limit"));
    operator.reconcile(NS, "upload-fails");
    assertThat(phase("upload-fails")).isEqualTo("Error");
    assertThat(message("upload-fails"))
        .isEqualTo("exporter job upload-fails-export-0 failed: BackoffLimitExceeded: Job has reached the specified backoff limit");
  }

  @Test
  void simulatedDeletionMidBuildRemovesJobsAndPvcThenTheResource() {
    create("gone", isoSpec(List.of(UPLOAD)));
    operator.reconcile(NS, "gone");
    operator.reconcile(NS, "gone");
    assertThat(job("gone-build")).isNotNull();
    // Someone else's Job with our artifact label but not our owner reference: never touched.
    Job other = new io.fabric8.kubernetes.api.model.batch.v1.JobBuilder().withNewMetadata().withName("gone-other")
        .withNamespace(NS).addToLabels(OsArtifacts.ARTIFACT_LABEL, "gone").endMetadata().withNewSpec()
        .withNewTemplate().withNewSpec().addNewContainer().withName("x").withImage("busybox").endContainer()
        .withRestartPolicy("Never").endSpec().endTemplate().endSpec().build();
    client.resource(other).create();

    client.resource(get("gone")).delete();
    // The finalizer holds it while its Jobs run.
    assertThat(get("gone")).isNotNull();
    assertThat(get("gone").getMetadata().getDeletionTimestamp()).isNotNull();

    operator.reconcile(NS, "gone");
    assertThat(job("gone-build")).isNull();
    assertThat(client.persistentVolumeClaims().inNamespace(NS).withName("gone-artifacts").get()).isNull();
    assertThat(get("gone")).isNull();
    assertThat(job("gone-other")).isNotNull();
  }

  @Test
  void simulatedUnsupportedFieldsAreNamedInTheStatus() {
    Map<String, Object> spec = new java.util.LinkedHashMap<>(isoSpec(List.of()));
    spec.put("image", Map.of("buildOptions", Map.of("version", "v3.6.0", "baseImage", "ubuntu:24.04"),
        "ociSpec", Map.of("ref", Map.of("name", "dockerfile"))));
    spec.put("affinity", Map.of("nodeAffinity", Map.of()));
    spec.put("tolerations", List.of(Map.of("key", "builds", "operater", "Exists")));
    create("fancy", spec);
    operator.reconcile(NS, "fancy");
    assertThat(phase("fancy")).isEqualTo("Error");
    assertThat(message("fancy")).startsWith("not supported by this controller (kairos-factory): ")
        .contains("spec.image.ociSpec", "spec.affinity", "spec.tolerations[0].operater");
    assertThat(job("fancy-build")).isNull();
    assertThat(client.persistentVolumeClaims().inNamespace(NS).withName("fancy-artifacts").get()).isNull();
  }

  @Test
  void simulatedWatchDrivesTheResourceToReadyWithoutExporters() throws Exception {
    operator.start();
    try {
      create("watched", isoSpec(List.of()));
      TestSupport.await("the builder job", 20, () -> job("watched-build") != null && "Building".equals(phase("watched")));
      setJobStatus("watched-build", new JobStatusBuilder().withSucceeded(1).build());
      TestSupport.await("Ready", 20, () -> "Ready".equals(phase("watched")));
      assertThat(message("watched")).contains("watched-artifacts");
    } finally {
      operator.close();
    }
  }

  @Test
  void simulatedImageRefPullsThenMakesEachArtifactInTurn() {
    create("prebuilt", Map.of("image", Map.of("ref", "quay.io/kairos/ubuntu:24.04-core-amd64-generic-v3.6.0"),
        "artifacts", Map.of("iso", true, "netboot", true)));
    operator.reconcile(NS, "prebuilt");
    operator.reconcile(NS, "prebuilt");
    var pod = job("prebuilt-build").getSpec().getTemplate().getSpec();
    assertThat(pod.getInitContainers()).extracting(c -> c.getArgs().get(0)).containsExactly("pull", "build-iso");
    assertThat(pod.getContainers()).singleElement().satisfies(c -> assertThat(c.getArgs())
        .containsExactly("netboot", "--root", "/work/build/rootfs", "-o", "/artifacts/netboot"));
  }
}
