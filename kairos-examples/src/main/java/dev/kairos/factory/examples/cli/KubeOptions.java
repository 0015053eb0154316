package dev.kairos.factory.examples.cli;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code --kubeconfig} and {@code --namespace}: which cluster and namespace, as kubectl finds them. */
final class KubeOptions {
  @Option(names = "--kubeconfig", paramLabel = "FILE",
      description = "The kubeconfig to use (default: $KUBECONFIG, else ~/.kube/config, else the pod's service account).")
  Path kubeconfig;

  @Option(names = {"-n", "--namespace"}, paramLabel = "NS",
      description = "The namespace (default: the kubeconfig context's; the operator verb: all namespaces).")
  String namespace;

  /** A client for the cluster the options name. */
  KubernetesClient client() throws IOException {
    Config config = kubeconfig == null ? Config.autoConfigure(null)
        : Config.fromKubeconfig(null, Files.readString(kubeconfig, StandardCharsets.UTF_8), kubeconfig.toString());
    return new KubernetesClientBuilder().withConfig(config).build();
  }
}
