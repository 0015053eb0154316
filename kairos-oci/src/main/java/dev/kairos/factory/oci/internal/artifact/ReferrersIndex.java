package dev.kairos.factory.oci.internal.artifact;

import dev.kairos.factory.core.api.InvalidInputException;
import dev.kairos.factory.oci.internal.image.Json;
import dev.kairos.factory.oci.internal.image.MediaTypes;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The image index of referrer descriptors: what the referrers API answers, and what the
 * distribution spec's fallback keeps under the tag {@code sha256-<hex>} of the subject's digest.
 * Adding a referrer keeps every entry already there (those other tools pushed included).
 */
public final class ReferrersIndex {
  /** One entry: a referrer manifest's descriptor with its artifact type. */
  public record Entry(String mediaType, String digest, long size, String artifactType, Map<String, String> annotations) {
    public Entry {
      annotations = Map.copyOf(annotations);
    }
  }

  private ReferrersIndex() {}

  /** The referrers tag of a subject digest: {@code sha256:abc…} becomes {@code sha256-abc…}. */
  public static String tag(String subjectDigest) {
    return subjectDigest.replace(':', '-');
  }

  /** The entries of an index. */
  public static List<Entry> parse(byte[] json, String source) throws InvalidInputException {
    ObjectNode index = Json.parse(json, source);
    List<Entry> entries = new ArrayList<>();
    for (JsonNode n : index.path("manifests")) {
      Map<String, String> a = new TreeMap<>();
      n.path("annotations").properties().forEach(e -> a.put(e.getKey(), e.getValue().asString("")));
      entries.add(new Entry(n.path("mediaType").asString(""), n.path("digest").asString(""), n.path("size").asLong(0),
          n.path("artifactType").asString(""), a));
    }
    return entries;
  }

  /** {@code existing} with {@code added} appended unless an entry of its digest is already there. */
  public static List<Entry> with(List<Entry> existing, Entry added) {
    List<Entry> all = new ArrayList<>(existing);
    if (existing.stream().noneMatch(e -> e.digest().equals(added.digest()))) {
      all.add(added);
    }
    return all;
  }

  /** The index of {@code entries}, in their order. */
  public static byte[] write(List<Entry> entries) {
    ObjectNode index = Json.object();
    index.put("schemaVersion", 2);
    index.put("mediaType", MediaTypes.OCI_INDEX);
    ArrayNode manifests = index.putArray("manifests");
    for (Entry e : entries) {
      ObjectNode n = manifests.addObject();
      n.put("mediaType", e.mediaType());
      n.put("digest", e.digest());
      n.put("size", e.size());
      if (!e.artifactType().isEmpty()) {
        n.put("artifactType", e.artifactType());
      }
      if (!e.annotations().isEmpty()) {
        ObjectNode a = n.putObject("annotations");
        new TreeMap<>(e.annotations()).forEach(a::put);
      }
    }
    return Json.bytes(index);
  }
}
