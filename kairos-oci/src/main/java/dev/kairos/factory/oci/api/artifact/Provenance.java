package dev.kairos.factory.oci.api.artifact;

import dev.kairos.factory.core.api.SourceDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Pattern;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The provenance of one build: an in-toto statement v1 whose subject is the pushed image and
 * whose predicate is SLSA provenance v1 (the base image by digest, or the debootstrap suite,
 * mirror and package versions; the Kairos version and options; the framework and provider
 * images; this tool's version; the source date). Reproducible: nothing in it comes from the
 * clock, keys and entries are sorted, so the same build gives the same bytes.
 *
 * <pre>{@code
 * byte[] statement = Provenance.builder()
 *     .subject("registry.example.com/me/os", "sha256:5f0c…")
 *     .base("oci://docker.io/library/debian:12", Optional.of("sha256:ab12…"))
 *     .kairosVersion("v1.0.0")
 *     .option("model", "generic")
 *     .dependency("framework", "oci://quay.io/kairos/framework:v2.20.0", Optional.of("sha256:cd34…"))
 *     .toolVersion("0.1.0")
 *     .sourceDate(build.sourceDate())
 *     .build()
 *     .toJson();
 * OciArtifacts.create().attachProvenance("registry.example.com/me/os:v1", statement, KairosArtifactTypes.IN_TOTO);
 * }</pre>
 */
public final class Provenance {
  /** The in-toto statement type. */
  public static final String STATEMENT_TYPE = "https://in-toto.io/Statement/v1";
  /** The SLSA provenance predicate type. */
  public static final String PREDICATE_TYPE = "https://slsa.dev/provenance/v1";
  /** What a Kairos Factory build is, as SLSA's {@code buildType}. */
  public static final String BUILD_TYPE = "https://kairos.io/kairos-factory/build/v1";
  /** Who built it, as SLSA's {@code builder.id}. */
  public static final String BUILDER_ID = "https://github.com/kairos-io/kairos-factory-java";
  private static final Pattern SHA256 = Pattern.compile("sha256:[0-9a-f]{64}");
  private static final JsonMapper JSON = JsonMapper.builder().build();

  /** An input of the build: a name, where it came from, its digest if known, extra facts. */
  private record Dependency(String name, String uri, Optional<String> digest, SortedMap<String, String> annotations) {}

  private final String subjectName;
  private final String subjectDigest;
  private final SortedMap<String, String> external;
  private final SortedMap<String, String> options;
  private final List<Dependency> dependencies;
  private final SortedMap<String, String> packages;
  private final String toolVersion;
  private final SourceDate sourceDate;

  private Provenance(Builder b) {
    this.subjectName = b.subjectName;
    this.subjectDigest = b.subjectDigest;
    this.external = new TreeMap<>(b.external);
    this.options = new TreeMap<>(b.options);
    this.dependencies = List.copyOf(b.dependencies);
    this.packages = new TreeMap<>(b.packages);
    this.toolVersion = b.toolVersion;
    this.sourceDate = b.sourceDate;
  }

  /** A new builder. */
  public static Builder builder() {
    return new Builder();
  }

  /** The image this statement is about ({@code sha256:…}). */
  public String subjectDigest() {
    return subjectDigest;
  }

  /** The statement as compact JSON, the same bytes for the same inputs. */
  public byte[] toJson() {
    ObjectNode s = JSON.createObjectNode();
    s.put("_type", STATEMENT_TYPE);
    ObjectNode subject = s.putArray("subject").addObject();
    subject.put("name", subjectName);
    subject.putObject("digest").put("sha256", subjectDigest.substring("sha256:".length()));
    s.put("predicateType", PREDICATE_TYPE);
    ObjectNode predicate = s.putObject("predicate");
    ObjectNode def = predicate.putObject("buildDefinition");
    def.put("buildType", BUILD_TYPE);
    ObjectNode ext = def.putObject("externalParameters");
    external.forEach(ext::put);
    if (!options.isEmpty()) {
      ObjectNode o = ext.putObject("options");
      options.forEach(o::put);
    }
    ObjectNode internal = def.putObject("internalParameters");
    internal.put("sourceDate", sourceDate.instant().toString());
    internal.put("sourceDateEpoch", sourceDate.instant().getEpochSecond());
    if (!packages.isEmpty()) {
      ObjectNode p = internal.putObject("packages");
      packages.forEach(p::put);
    }
    ArrayNode deps = def.putArray("resolvedDependencies");
    dependencies.stream().sorted((a, b) -> a.name().compareTo(b.name())).forEach(d -> {
      ObjectNode n = deps.addObject();
      n.put("name", d.name());
      n.put("uri", d.uri());
      d.digest().ifPresent(x -> n.putObject("digest").put("sha256", x.substring("sha256:".length())));
      if (!d.annotations().isEmpty()) {
        ObjectNode a = n.putObject("annotations");
        d.annotations().forEach(a::put);
      }
    });
    ObjectNode run = predicate.putObject("runDetails");
    ObjectNode builder = run.putObject("builder");
    builder.put("id", BUILDER_ID);
    builder.putObject("version").put("kairos-factory", toolVersion);
    return JSON.writeValueAsBytes(s);
  }

  /** Collects the facts of a build; {@link #build()} checks that the required ones are there. */
  public static final class Builder {
    private String subjectName;
    private String subjectDigest;
    private final SortedMap<String, String> external = new TreeMap<>();
    private final SortedMap<String, String> options = new TreeMap<>();
    private final List<Dependency> dependencies = new ArrayList<>();
    private final SortedMap<String, String> packages = new TreeMap<>();
    private String toolVersion;
    private SourceDate sourceDate;

    private Builder() {}

    /** The image the statement is about: its name (registry and repository) and manifest digest. Required. */
    public Builder subject(String name, String digest) {
      this.subjectName = Objects.requireNonNull(name, "name");
      this.subjectDigest = checkDigest(digest);
      return this;
    }

    /** The base image the build started from, by reference and, if known, digest. */
    public Builder base(String uri, Optional<String> digest) {
      external.put("base", Objects.requireNonNull(uri, "uri"));
      return dependency("base", uri, digest);
    }

    /** The base was bootstrapped: its suite and mirror (package versions: {@link #packages}). */
    public Builder bootstrap(String suite, String mirror) {
      external.put("base", "debootstrap:" + Objects.requireNonNull(suite, "suite"));
      external.put("bootstrapSuite", suite);
      external.put("bootstrapMirror", Objects.requireNonNull(mirror, "mirror"));
      return dependency("base", mirror, Optional.empty(), Map.of("suite", suite));
    }

    /** The package versions the image holds ({@code name} to {@code version}). */
    public Builder packages(Map<String, String> versions) {
      packages.putAll(versions);
      return this;
    }

    /** The Kairos version the image was built as. Required. */
    public Builder kairosVersion(String version) {
      external.put("kairosVersion", Objects.requireNonNull(version, "version"));
      return this;
    }

    /** A build option (model, variant, trusted boot, providers, skipped steps, ...). */
    public Builder option(String key, String value) {
      options.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
      return this;
    }

    /** An input image or file of the build (framework, provider), by URI and, if known, digest. */
    public Builder dependency(String name, String uri, Optional<String> digest) {
      return dependency(name, uri, digest, Map.of());
    }

    private Builder dependency(String name, String uri, Optional<String> digest, Map<String, String> annotations) {
      digest.ifPresent(Provenance::checkDigest);
      dependencies.removeIf(d -> d.name().equals(name));
      dependencies.add(new Dependency(Objects.requireNonNull(name, "name"), Objects.requireNonNull(uri, "uri"),
          digest, new TreeMap<>(annotations)));
      return this;
    }

    /** This tool's version. Required. */
    public Builder toolVersion(String version) {
      this.toolVersion = Objects.requireNonNull(version, "version");
      return this;
    }

    /** The build's source date (the only time in the statement). Required. */
    public Builder sourceDate(SourceDate date) {
      this.sourceDate = Objects.requireNonNull(date, "date");
      return this;
    }

    /**
     * The statement.
     *
     * @throws IllegalArgumentException if the subject, Kairos version, tool version or source date is missing
     */
    public Provenance build() {
      if (subjectDigest == null || toolVersion == null || sourceDate == null || !external.containsKey("kairosVersion")) {
        throw new IllegalArgumentException("a provenance statement needs subject, kairosVersion, toolVersion and"
            + " sourceDate");
      }
      return new Provenance(this);
    }
  }

  private static String checkDigest(String digest) {
    if (digest == null || !SHA256.matcher(digest).matches()) {
      throw new IllegalArgumentException("not a sha256 digest: " + digest);
    }
    return digest;
  }
}
