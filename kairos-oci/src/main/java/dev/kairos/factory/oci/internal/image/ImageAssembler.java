package dev.kairos.factory.oci.internal.image;

import dev.kairos.factory.core.api.SourceDate;
import java.io.IOException;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Makes the config and the manifest of an image from its layers: the runtime config (env,
 * entrypoint, labels, ...) and the history are carried over from the base when the base's layers
 * are reused, labels are added, times are the source date. The JSON is written in a fixed key
 * order, so that the same layers give the same manifest digest.
 */
public final class ImageAssembler {
  /** A finished image: its manifest's descriptor and bytes, its config's descriptor and all its layers. */
  public record Image(Descriptor manifest, byte[] manifestJson, Descriptor config, List<Descriptor> layers) {
    /** The bytes of the whole image as a registry stores it: manifest, config and every layer (compressed). */
    public long size() {
      return manifestJson.length + config.size() + layers.stream().mapToLong(Descriptor::size).sum();
    }
  }

  /**
   * What the target sets in the runtime config over the base's: the entrypoint (empty: the
   * base's), and environment variables by name (merged into the base's {@code Env}).
   */
  public record Runtime(Optional<List<String>> entrypoint, Map<String, String> env) {
    /** Everything from the base. */
    public static final Runtime FROM_BASE = new Runtime(Optional.empty(), Map.of());

    public Runtime {
      entrypoint = entrypoint.map(List::copyOf);
      env = Collections.unmodifiableMap(new TreeMap<>(env));
    }
  }

  private final SourceDate sourceDate;
  private final Platform platform;
  private final Map<String, String> labels;
  private final Runtime runtime;
  private final String createdBy;

  public ImageAssembler(SourceDate sourceDate, Platform platform, Map<String, String> labels, String createdBy) {
    this(sourceDate, platform, labels, Runtime.FROM_BASE, createdBy);
  }

  public ImageAssembler(SourceDate sourceDate, Platform platform, Map<String, String> labels, Runtime runtime,
      String createdBy) {
    this.sourceDate = sourceDate;
    this.platform = platform;
    this.labels = new TreeMap<>(labels);
    this.runtime = runtime;
    this.createdBy = createdBy;
  }

  /**
   * Writes config and manifest into {@code store}. {@code base} supplies the runtime config in both
   * modes; its layers and history are kept only when {@code reuseBaseLayers}.
   */
  public Image assemble(Optional<BaseImage> base, boolean reuseBaseLayers, Descriptor layer, String diffId,
      BlobStore store) throws IOException {
    String created = DateTimeFormatter.ISO_INSTANT.format(sourceDate.instant());
    List<Descriptor> layers = new ArrayList<>();
    ObjectNode config = Json.object();
    config.put("created", created);
    config.put("architecture", platform.architecture());
    config.put("os", platform.os());
    if (!platform.variant().isEmpty()) {
      config.put("variant", platform.variant());
    }
    ObjectNode runtime = base.map(b -> b.config().path("config")).filter(JsonNode::isObject)
        .map(n -> ((ObjectNode) n).deepCopy()).orElseGet(Json::object);
    if (!labels.isEmpty()) {
      ObjectNode merged = Json.object();
      TreeMap<String, String> all = new TreeMap<>();
      JsonNode old = runtime.path("Labels");
      if (old.isObject()) {
        old.properties().forEach(e -> all.put(e.getKey(), e.getValue().asString("")));
      }
      all.putAll(labels);
      all.forEach(merged::put);
      runtime.set("Labels", merged);
    }
    overrideRuntime(runtime);
    config.set("config", runtime);
    ObjectNode rootfs = config.putObject("rootfs");
    rootfs.put("type", "layers");
    ArrayNode diffIds = rootfs.putArray("diff_ids");
    ArrayNode history = Json.object().putArray("history");
    if (base.isPresent() && reuseBaseLayers) {
      layers.addAll(base.get().layers());
      base.get().diffIds().forEach(diffIds::add);
      JsonNode h = base.get().config().path("history");
      if (h.isArray()) {
        h.forEach(history::add);
      }
    }
    layers.add(layer);
    diffIds.add(diffId);
    ObjectNode entry = history.addObject();
    entry.put("created", created);
    entry.put("created_by", createdBy);
    config.set("history", history);
    Descriptor configDesc = store.put(Json.bytes(config), MediaTypes.OCI_CONFIG);

    ObjectNode manifest = Json.object();
    manifest.put("schemaVersion", 2);
    manifest.put("mediaType", MediaTypes.OCI_MANIFEST);
    configDesc.writeTo(manifest.putObject("config"));
    ArrayNode ls = manifest.putArray("layers");
    for (Descriptor d : layers) {
      d.withAnnotations(Map.of()).writeTo(ls.addObject());
    }
    byte[] manifestJson = Json.bytes(manifest);
    Descriptor manifestDesc = store.put(manifestJson, MediaTypes.OCI_MANIFEST);
    return new Image(manifestDesc, manifestJson, configDesc, List.copyOf(layers));
  }

  /** Sets the entrypoint and merges the variables of {@link #runtime} into {@code config}, {@code Env} sorted by name. */
  private void overrideRuntime(ObjectNode config) {
    this.runtime.entrypoint().ifPresent(argv -> {
      ArrayNode a = config.putArray("Entrypoint");
      argv.forEach(a::add);
    });
    if (!this.runtime.env().isEmpty()) {
      TreeMap<String, String> all = new TreeMap<>();
      JsonNode old = config.path("Env");
      if (old.isArray()) {
        for (JsonNode e : old) {
          String kv = e.asString("");
          int eq = kv.indexOf('=');
          all.put(eq < 0 ? kv : kv.substring(0, eq), eq < 0 ? "" : kv.substring(eq + 1));
        }
      }
      all.putAll(this.runtime.env());
      ArrayNode env = config.putArray("Env");
      all.forEach((k, v) -> env.add(k + "=" + v));
    }
  }
}
