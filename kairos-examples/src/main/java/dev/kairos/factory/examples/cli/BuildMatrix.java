package dev.kairos.factory.examples.cli;

import dev.kairos.factory.examples.operator.ArtifactRequest;
import dev.kairos.factory.examples.operator.Manifests;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamReadConstraints;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.core.type.TypeReference;
import tools.jackson.dataformat.yaml.YAMLFactory;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * A build matrix: every combination of the values of its axes, less the excluded ones, each cell
 * one OSArtifact spec (image.buildOptions and artifacts, as the operator reads them).
 *
 * <pre>
 * axes:
 *   base: [ubuntu:24.04, debootstrap:bookworm]   # required
 *   version: [v3.6.0]                            # required
 *   model: [generic]                             # default generic
 *   arch: [amd64, arm64]                         # default: the builder's
 *   variant: [core, standard]                    # default core; standard adds kubernetes
 * kubernetes: {distro: k3s, version: v1.31.1+k3s1}
 * artifacts: {iso: true, cloudImage: true}
 * exclude:
 *   - {arch: arm64, variant: standard}
 * buildArgs: [--skip-step, kernel]               # local runs only: more build flags
 * </pre>
 *
 * <p>Hostile input is bounded as for other YAML the CLI reads: the file's size, the nesting depth,
 * the number of cells; duplicate keys are refused.
 */
record BuildMatrix(List<Cell> cells, List<String> buildArgs) {
  static final long MAX_BYTES = 64 * 1024;
  static final int MAX_CELLS = 256;
  static final List<String> AXES = List.of("base", "version", "model", "arch", "variant");
  private static final YAMLMapper YAML = YAMLMapper.builder(YAMLFactory.builder()
      .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(16).maxDocumentLength(MAX_BYTES)
          .maxStringLength((int) MAX_BYTES).build()).build())
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

  /** One combination: its name (a Kubernetes name), its axis values and the OSArtifact spec. */
  record Cell(String name, Map<String, String> axes, Map<String, Object> spec, ArtifactRequest request) {}

  static BuildMatrix read(Path file) throws IOException {
    if (Files.size(file) > MAX_BYTES) {
      throw new IllegalArgumentException(file + ": a build matrix is at most " + MAX_BYTES + " bytes");
    }
    Map<String, Object> doc;
    try {
      doc = YAML.readValue(Files.readString(file, StandardCharsets.UTF_8), new TypeReference<Map<String, Object>>() {});
    } catch (JacksonException e) {
      throw new IllegalArgumentException(file + ": " + e.getOriginalMessage(), e);
    }
    return parse(file.toString(), doc == null ? Map.of() : doc);
  }

  static BuildMatrix parse(String source, Map<String, Object> doc) {
    for (String key : doc.keySet()) {
      if (!List.of("axes", "kubernetes", "artifacts", "exclude", "buildArgs").contains(key)) {
        throw bad(source, "unknown key '" + key + "' (axes, kubernetes, artifacts, exclude, buildArgs)");
      }
    }
    Map<String, Object> axesDoc = map(source, doc.get("axes"), "axes");
    Map<String, List<String>> axes = new LinkedHashMap<>();
    for (String key : axesDoc.keySet()) {
      if (!AXES.contains(key)) {
        throw bad(source, "unknown axis '" + key + "' (" + String.join(", ", AXES) + ")");
      }
    }
    for (String axis : AXES) {
      List<String> values = strings(source, axesDoc.get(axis), "axes." + axis);
      if (values.isEmpty() && (axis.equals("base") || axis.equals("version"))) {
        throw bad(source, "axes." + axis + " needs at least one value");
      }
      axes.put(axis, values.isEmpty() ? axis.equals("model") ? List.of("generic") : axis.equals("variant")
          ? List.of("core") : java.util.Collections.singletonList(null) : values);
    }
    for (String v : axes.get("variant")) {
      if (!v.equals("core") && !v.equals("standard")) {
        throw bad(source, "axes.variant: '" + v + "' is not core or standard");
      }
    }
    Map<String, Object> kubernetes = map(source, doc.get("kubernetes"), "kubernetes");
    if (axes.get("variant").contains("standard") && !(kubernetes.get("distro") instanceof String)) {
      throw bad(source, "the standard variant needs kubernetes.distro (e.g. k3s)");
    }
    Map<String, Object> artifacts = map(source, doc.get("artifacts"), "artifacts");
    List<Map<String, Object>> exclude = new ArrayList<>();
    Object ex = doc.get("exclude");
    if (ex != null) {
      if (!(ex instanceof List<?> list)) {
        throw bad(source, "exclude must be a list of axis values");
      }
      for (Object e : list) {
        exclude.add(map(source, e, "exclude[]"));
      }
    }
    long total = 1;
    for (List<String> values : axes.values()) {
      total *= values.size();
    }
    if (total > MAX_CELLS) {
      throw bad(source, total + " cells; at most " + MAX_CELLS);
    }
    List<Cell> cells = new ArrayList<>();
    expand(source, axes, new ArrayList<>(axes.keySet()), 0, new LinkedHashMap<>(), kubernetes, artifacts, exclude,
        cells);
    return new BuildMatrix(cells, strings(source, doc.get("buildArgs"), "buildArgs"));
  }

  private static void expand(String source, Map<String, List<String>> axes, List<String> names, int i,
      Map<String, String> chosen, Map<String, Object> kubernetes, Map<String, Object> artifacts,
      List<Map<String, Object>> exclude, List<Cell> cells) {
    if (i == names.size()) {
      for (Map<String, Object> e : exclude) {
        if (!e.isEmpty() && e.entrySet().stream().allMatch(x -> String.valueOf(x.getValue()).equals(chosen.get(x.getKey())))) {
          return;
        }
      }
      cells.add(cell(source, new LinkedHashMap<>(chosen), kubernetes, artifacts));
      return;
    }
    for (String v : axes.get(names.get(i))) {
      chosen.put(names.get(i), v);
      expand(source, axes, names, i + 1, chosen, kubernetes, artifacts, exclude, cells);
    }
    chosen.remove(names.get(i));
  }

  private static Cell cell(String source, Map<String, String> axes, Map<String, Object> kubernetes,
      Map<String, Object> artifacts) {
    Map<String, Object> build = new LinkedHashMap<>();
    build.put("version", axes.get("version"));
    build.put("baseImage", axes.get("base"));
    build.put("model", axes.get("model"));
    if (axes.get("variant").equals("standard")) {
      build.put("kubernetesDistro", kubernetes.get("distro"));
      if (kubernetes.get("version") != null) {
        build.put("kubernetesVersion", kubernetes.get("version"));
      }
    }
    Map<String, Object> a = new LinkedHashMap<>(artifacts);
    if (axes.get("arch") != null) {
      a.put("arch", axes.get("arch"));
    }
    Map<String, Object> spec = new LinkedHashMap<>();
    spec.put("image", Map.of("buildOptions", build));
    spec.put("artifacts", a);
    ArtifactRequest request = ArtifactRequest.parse(spec);
    String name = name(axes);
    if (!request.buildable()) {
      throw bad(source, "cell " + name + ": " + String.join("; ", request.problems())
          + (request.unsupported().isEmpty() ? "" : "; not supported: " + String.join(", ", request.unsupported())));
    }
    Map<String, String> shown = new LinkedHashMap<>(axes);
    shown.values().removeIf(java.util.Objects::isNull);
    return new Cell(name, shown, spec, request);
  }

  /** The cell's name from its axis values: lower case letters, digits and dashes, at most 63 characters. */
  static String name(Map<String, String> axes) {
    StringBuilder b = new StringBuilder();
    for (String v : axes.values()) {
      if (v != null) {
        // The base's registry and the tag's separators are dropped: ubuntu:24.04 is ubuntu-24-04.
        String last = v.contains("/") && !v.startsWith("debootstrap:") ? v.substring(v.lastIndexOf('/') + 1) : v;
        b.append(b.length() == 0 ? "" : "-").append(last.toLowerCase(Locale.ROOT));
      }
    }
    String name = b.toString().replaceAll("[^a-z0-9]+", "-").replaceAll("^-+|-+$", "");
    return Manifests.shortName(name, Manifests.MAX_NAME);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(String source, Object o, String path) {
    if (o == null) {
      return Map.of();
    }
    if (o instanceof Map<?, ?> m) {
      return (Map<String, Object>) m;
    }
    throw bad(source, path + " must be a mapping");
  }

  private static List<String> strings(String source, Object o, String path) {
    if (o == null) {
      return List.of();
    }
    List<?> list = o instanceof List<?> l ? l : List.of(o);
    List<String> out = new ArrayList<>();
    for (Object v : list) {
      if (v instanceof Map || v instanceof List || v == null) {
        throw bad(source, path + " must be a list of plain values");
      }
      out.add(String.valueOf(v));
    }
    return out;
  }

  private static IllegalArgumentException bad(String source, String what) {
    return new IllegalArgumentException(source + ": " + what);
  }
}
