package dev.kairos.factory.examples.cli;

import dev.kairos.factory.examples.operator.OsArtifacts;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/** For the verbs' tests on fabric8's simulated API server: its CRD installed, a kubeconfig that points at it. */
final class SimulatedCluster {
  private SimulatedCluster() {}

  /** Installs our OSArtifact CRD and writes a kubeconfig for {@code client}'s server, namespace {@code ns}. */
  static Path kubeconfig(KubernetesClient client, Path dir, String ns) throws IOException {
    try (InputStream in = OsArtifacts.class.getResourceAsStream("osartifact-crd.yaml")) {
      // createOr: a create the client retried under load may have been made the first time.
      client.apiextensions().v1().customResourceDefinitions()
          .resource(client.getKubernetesSerialization().unmarshal(in, CustomResourceDefinition.class))
          .createOr(op -> op.update());
    }
    Path file = dir.resolve("kubeconfig");
    Files.writeString(file, """
        apiVersion: v1
        kind: Config
        clusters:
          - name: simulated
            cluster:
              server: %s
              insecure-skip-tls-verify: true
        contexts:
          - name: simulated
            context: {cluster: simulated, user: tester, namespace: %s}
        current-context: simulated
        users:
          - name: tester
            user: {token: not-checked}
        """.formatted(client.getMasterUrl().toString(), ns));
    return file;
  }
}
