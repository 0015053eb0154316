package dev.kairos.factory.examples.cli;

import dev.kairos.factory.examples.operator.BuildCommands;
import dev.kairos.factory.examples.operator.OsArtifacts;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code matrix}: every cell of a build matrix, built here one after another (each the very
 * {@code build} verb, in this JVM), or with {@code --kubernetes} created as one OSArtifact per cell
 * for the operator verb (or the Kairos Operator) to build.
 */
@Command(name = "matrix", sortOptions = false,
    description = "Build every cell of a build matrix (YAML: axes base, version, model, arch, variant; the artifacts):"
        + " here one after another, or as one OSArtifact per cell with --kubernetes.")
final class MatrixCommand extends Verb {
  @Parameters(index = "0", paramLabel = "FILE", converter = Converters.ExistingPath.class,
      description = "The build matrix (YAML).")
  Path file;

  @Option(names = "--kubernetes", description = "Create one OSArtifact (build.kairos.io/v1alpha2) per cell instead of"
      + " building here.")
  boolean kubernetes;

  @Mixin KubeOptions kube;

  @Option(names = "--out", paramLabel = "DIR", defaultValue = "matrix-out",
      description = "Local builds: each cell's artifacts go to DIR/CELL (default: ${DEFAULT-VALUE}).")
  Path outDir;

  @Option(names = "--dry-run", description = "Print the cells (their build command, or OSArtifact) and do nothing.")
  boolean dryRun;

  @Override
  int run(Output out) throws Exception {
    BuildMatrix matrix = InitOptions.attribute(spec, "FILE", () -> BuildMatrix.read(file));
    if (kubernetes && !matrix.buildArgs().isEmpty()) {
      throw new ParameterException(spec.commandLine(), file + ": buildArgs are for local builds; an OSArtifact has"
          + " no field for them: remove them for --kubernetes");
    }
    List<Map<String, Object>> cells = new ArrayList<>();
    StringBuilder text = new StringBuilder();
    int failed = 0;
    KubernetesClient client = kubernetes && !dryRun ? kube.client() : null;
    try {
      for (BuildMatrix.Cell c : matrix.cells()) {
        Map<String, Object> one = new LinkedHashMap<>();
        one.put("name", c.name());
        one.put("axes", c.axes());
        if (kubernetes) {
          String ns = kube.namespace != null ? kube.namespace : client == null ? null
              : client.getNamespace() != null ? client.getNamespace() : "default";
          GenericKubernetesResource r = OsArtifacts.resource(ns, c.name(), c.spec());
          one.put("osartifact", r);
          if (client == null) {
            text.append("---\n").append(dev.kairos.factory.examples.operator.StrictModel.yaml(r)
                .replaceFirst("^---\n", ""));
          } else {
            try {
              client.resource(r).create();
              one.put("created", true);
              text.append(String.format("created osartifact %s/%s%n", ns, c.name()));
            } catch (KubernetesClientException e) {
              failed++;
              one.put("created", false);
              one.put("error", e.getStatus() != null && e.getStatus().getMessage() != null ? e.getStatus().getMessage()
                  : e.getMessage());
              text.append(String.format("FAILED  osartifact %s/%s: %s%n", ns, c.name(), one.get("error")));
            }
          }
        } else {
          List<String> args = new ArrayList<>(new BuildCommands(outDir.resolve(c.name()).toString(), null, null, null)
              .of(c.request(), c.name()).get(0));
          args.addAll(matrix.buildArgs());
          one.put("command", args);
          if (dryRun) {
            text.append(c.name()).append(":\n  kairos-factory ").append(String.join(" ", args)).append('\n');
          } else {
            int exit = build(out, args, one);
            failed += exit == 0 ? 0 : 1;
            text.append(String.format("%-7s %s%n", exit == 0 ? "built" : "FAILED", c.name()));
          }
        }
        cells.add(one);
      }
    } finally {
      if (client != null) {
        client.close();
      }
    }
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("cells", cells);
    json.put("failed", failed);
    out.result(json, text.toString().strip());
    return failed == 0 ? 0 : KairosFactoryCli.FAILURE;
  }

  /** One cell's {@code build}, in this JVM: its progress on our standard error, its result in {@code into}. */
  private int build(Output out, List<String> args, Map<String, Object> into) {
    out.err().println("matrix: kairos-factory " + String.join(" ", args));
    out.err().flush();
    StringWriter result = new StringWriter();
    List<String> withJson = new ArrayList<>(args);
    withJson.add("--json");
    int exit = KairosFactoryCli.execute(new PrintWriter(result), out.err(), alsoEvents,
        withJson.toArray(String[]::new));
    into.put("exit", exit);
    try {
      into.put("result", JsonMapper.shared().readTree(result.toString()));
    } catch (RuntimeException e) {
      into.put("result", result.toString());
    }
    return exit;
  }
}
