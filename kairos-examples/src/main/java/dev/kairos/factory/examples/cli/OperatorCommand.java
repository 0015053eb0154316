package dev.kairos.factory.examples.cli;

import dev.kairos.factory.examples.operator.Operator;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * {@code operator}: the OSArtifact controller (build.kairos.io/v1alpha2, the Kairos Operator's
 * resource): a builder Job with our image per resource, then its exporter Jobs. Runs until
 * stopped, or with {@code --once} reconciles every resource once and prints their status.
 */
@Command(name = "operator", sortOptions = false,
    description = "Build the OSArtifact resources of a Kubernetes cluster (build.kairos.io/v1alpha2) with Jobs that"
        + " run kairos-factory, until stopped.")
final class OperatorCommand extends Verb {
  /** Where the builder image may be given instead of --image (the Deployment sets it). */
  static final String IMAGE_ENV = "KAIROS_FACTORY_IMAGE";

  @Mixin KubeOptions kube;

  @Option(names = "--image", paramLabel = "REF",
      description = "The kairos-factory image the builder Jobs run, as 'self-image --push REF' makes it (default: $"
          + IMAGE_ENV + ").")
  String image;

  @Option(names = "--once", description = "Reconcile every OSArtifact once, print their status and exit.")
  boolean once;

  @Override
  int run(Output out) throws Exception {
    String ref = image != null ? image : System.getenv(IMAGE_ENV);
    if (ref == null || ref.isBlank()) {
      throw new ParameterException(spec.commandLine(), "give the builder image: --image REF (or $" + IMAGE_ENV + ")");
    }
    PrintWriter log = out.err();
    try (KubernetesClient client = kube.client(); Operator operator = new Operator(client, kube.namespace, ref, log)) {
      if (once) {
        List<Map<String, Object>> all = new ArrayList<>();
        StringBuilder text = new StringBuilder();
        operator.reconcileAll().forEach((key, status) -> {
          Map<String, Object> one = new LinkedHashMap<>();
          one.put("namespace", key.substring(0, key.indexOf('/')));
          one.put("name", key.substring(key.indexOf('/') + 1));
          one.put("phase", status.get("phase"));
          one.put("message", status.get("message"));
          all.add(one);
          text.append(String.format("%-40s %-9s %s%n", key, status.get("phase"), status.get("message")));
        });
        out.result(Map.of("osartifacts", all), text.toString().strip());
        return 0;
      }
      CountDownLatch stopped = new CountDownLatch(1);
      Runtime.getRuntime().addShutdownHook(new Thread(stopped::countDown, "operator-stop"));
      operator.start();
      log.println("kairos-factory operator: watching OSArtifacts in " + (kube.namespace == null ? "all namespaces"
          : "namespace " + kube.namespace) + " of " + client.getMasterUrl() + "; builder image " + ref);
      log.flush();
      stopped.await();
      return 0;
    }
  }
}
