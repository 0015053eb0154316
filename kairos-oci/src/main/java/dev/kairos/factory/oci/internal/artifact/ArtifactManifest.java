package dev.kairos.factory.oci.internal.artifact;

import dev.kairos.factory.core.api.ImageText;
import dev.kairos.factory.core.api.InvalidInputException;
import dev.kairos.factory.core.api.UnsafePathException;
import dev.kairos.factory.oci.api.artifact.ArtifactFile;
import dev.kairos.factory.oci.internal.image.Descriptor;
import dev.kairos.factory.oci.internal.image.Json;
import dev.kairos.factory.oci.internal.image.MediaTypes;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The OCI 1.1 artifact manifest, written and read: an image manifest with {@code artifactType},
 * the empty config and one layer per file named by {@code org.opencontainers.image.title},
 * optionally a {@code subject}. Written with a fixed key order, so the same files give the same
 * digest.
 */
public final class ArtifactManifest {
  /** The title annotation: a layer's file name. */
  public static final String TITLE = "org.opencontainers.image.title";
  /** The creation time annotation. */
  public static final String CREATED = "org.opencontainers.image.created";
  /** The empty config of artifacts. */
  public static final String EMPTY_TYPE = "application/vnd.oci.empty.v1+json";
  /** The bytes of the empty config. */
  public static final byte[] EMPTY = "{}".getBytes(StandardCharsets.UTF_8);
  /** The digest of {@link #EMPTY}. */
  public static final String EMPTY_DIGEST = "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a";
  private static final int MAX_NAME = 255;

  /** What a manifest says. */
  public record Parsed(String artifactType, List<ArtifactFile> files, Optional<String> subject,
      Map<String, String> annotations) {}

  private ArtifactManifest() {}

  /** The manifest of {@code files}; {@code subject} (a descriptor of an image manifest) makes it a referrer. */
  public static byte[] write(String artifactType, List<ArtifactFile> files, Optional<Descriptor> subject,
      Map<String, String> annotations) {
    ObjectNode m = Json.object();
    m.put("schemaVersion", 2);
    m.put("mediaType", MediaTypes.OCI_MANIFEST);
    m.put("artifactType", artifactType);
    ObjectNode config = m.putObject("config");
    config.put("mediaType", EMPTY_TYPE);
    config.put("digest", EMPTY_DIGEST);
    config.put("size", EMPTY.length);
    config.put("data", "e30=");
    ArrayNode layers = m.putArray("layers");
    for (ArtifactFile f : files) {
      new Descriptor(f.mediaType(), f.digest(), f.size(), Map.of(TITLE, f.name()), Optional.empty())
          .writeTo(layers.addObject());
    }
    subject.ifPresent(s -> new Descriptor(s.mediaType(), s.digest(), s.size()).writeTo(m.putObject("subject")));
    if (!annotations.isEmpty()) {
      ObjectNode a = m.putObject("annotations");
      new TreeMap<>(annotations).forEach(a::put);
    }
    return Json.bytes(m);
  }

  /**
   * Reads an artifact manifest; every file name is checked to be a plain name (no directory, no
   * {@code ..}, no control character), and no two files may have the same name.
   *
   * @throws UnsafePathException if a file name could leave the directory it is pulled to
   * @throws InvalidInputException if the manifest is malformed or a layer has no title
   */
  public static Parsed parse(byte[] json, String source) throws InvalidInputException, UnsafePathException {
    ObjectNode m = Json.parse(json, source);
    String type = m.path("artifactType").asString("");
    if (type.isEmpty()) {
      // An image manifest without artifactType: the config's media type says what it is.
      type = m.path("config").path("mediaType").asString("");
    }
    List<ArtifactFile> files = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (JsonNode layer : m.path("layers")) {
      Descriptor d = Descriptor.parse(layer, source);
      String name = d.annotations().get(TITLE);
      if (name == null) {
        throw new InvalidInputException(source, "layer " + d.digest() + " has no " + TITLE + " (not a file)");
      }
      checkName(name);
      if (!names.add(name)) {
        throw new InvalidInputException(source, "two layers are named " + ImageText.quote(name));
      }
      files.add(new ArtifactFile(name, d.mediaType(), d.digest(), d.size()));
    }
    Optional<String> subject = m.has("subject")
        ? Optional.of(Descriptor.parse(m.get("subject"), source).digest()) : Optional.empty();
    Map<String, String> annotations = new TreeMap<>();
    m.path("annotations").properties().forEach(e -> annotations.put(e.getKey(), e.getValue().asString("")));
    return new Parsed(type, files, subject, annotations);
  }

  /** Refuses a name that is not one plain file name. */
  public static void checkName(String name) throws UnsafePathException {
    String bad = name.isEmpty() ? "it is empty"
        : name.equals(".") || name.equals("..") ? "it names a directory"
        : name.contains("/") || name.contains("\\") ? "it holds a directory separator"
        : ImageText.hasControlCharacters(name) ? "it holds a control character"
        : name.getBytes(StandardCharsets.UTF_8).length > MAX_NAME ? "it is longer than " + MAX_NAME + " bytes"
        : name.startsWith(".") && name.contains(".kairos-tmp-") ? "it looks like a temporary file of ours"
        : null;
    if (bad != null) {
      throw new UnsafePathException(ImageText.quote(name), "refused as an artifact file name: " + bad);
    }
  }
}
