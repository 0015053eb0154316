package dev.kairos.factory.oci.internal.sign;

import dev.kairos.factory.core.api.InvalidInputException;
import dev.kairos.factory.oci.internal.image.BlobStore;
import dev.kairos.factory.oci.internal.image.Descriptor;
import dev.kairos.factory.oci.internal.image.Json;
import dev.kairos.factory.oci.internal.image.MediaTypes;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The image cosign stores signatures in, under the tag {@code sha256-<hex>.sig}: an OCI image
 * manifest whose config is the one go-containerregistry writes for cosign's empty image with
 * layers appended (empty architecture and os, one history entry and one diff_id per layer), and
 * one layer per signature: the payload, its signature in the
 * {@code dev.cosignproject.cosign/signature} annotation.
 */
public record SignatureManifest(List<Descriptor> layers) {
  /** The annotation holding the base64 DER signature of a layer's payload. */
  public static final String SIGNATURE_ANNOTATION = "dev.cosignproject.cosign/signature";
  /** What go-containerregistry writes for an unset time. */
  private static final String ZERO_TIME = "0001-01-01T00:00:00Z";

  public SignatureManifest {
    layers = List.copyOf(layers);
  }

  /** The tag of the signatures of the image whose manifest digest is {@code digest}. */
  public static String tag(String digest) {
    return digest.replace(':', '-') + ".sig";
  }

  /** A layer descriptor for a payload and its DER signature. */
  public static Descriptor layer(byte[] payload, byte[] derSignature) {
    return new Descriptor(SimpleSigning.MEDIA_TYPE, BlobStore.digest(payload), payload.length,
        Map.of(SIGNATURE_ANNOTATION, java.util.Base64.getEncoder().encodeToString(derSignature)), java.util.Optional.empty());
  }

  /** These layers and {@code layer}, unless a layer with the same payload and signature is already there. */
  public SignatureManifest plus(Descriptor layer) {
    if (layers.contains(layer)) {
      return this;
    }
    List<Descriptor> l = new ArrayList<>(layers);
    l.add(layer);
    return new SignatureManifest(l);
  }

  /** The config blob's bytes. */
  public byte[] config() {
    ObjectNode c = Json.object();
    c.put("architecture", "");
    c.put("created", ZERO_TIME);
    ArrayNode history = c.putArray("history");
    ObjectNode rootfs = Json.object();
    rootfs.put("type", "layers");
    ArrayNode diffIds = rootfs.putArray("diff_ids");
    for (Descriptor d : layers) {
      history.addObject().put("created", ZERO_TIME);
      diffIds.add(d.digest()); // payloads are not compressed: the diff_id is the digest
    }
    c.put("os", "");
    c.set("rootfs", rootfs);
    c.putObject("config");
    return Json.bytes(c);
  }

  /** The manifest's bytes, for a config of {@code config}'s bytes. */
  public byte[] manifest(byte[] config) {
    ObjectNode m = Json.object();
    m.put("schemaVersion", 2);
    m.put("mediaType", MediaTypes.OCI_MANIFEST);
    ObjectNode cfg = m.putObject("config");
    cfg.put("mediaType", MediaTypes.OCI_CONFIG);
    cfg.put("size", config.length);
    cfg.put("digest", BlobStore.digest(config));
    ArrayNode l = m.putArray("layers");
    for (Descriptor d : layers) {
      ObjectNode n = l.addObject();
      n.put("mediaType", d.mediaType());
      n.put("size", d.size());
      n.put("digest", d.digest());
      if (!d.annotations().isEmpty()) {
        ObjectNode a = n.putObject("annotations");
        d.annotations().entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> a.put(e.getKey(), e.getValue()));
      }
    }
    return Json.bytes(m);
  }

  /** Reads a signature manifest (any layers it has, of any media type, are kept as they are). */
  public static SignatureManifest parse(byte[] json, String source) throws InvalidInputException {
    ObjectNode m = Json.parse(json, source);
    List<Descriptor> l = new ArrayList<>();
    for (JsonNode n : m.path("layers")) {
      l.add(Descriptor.parse(n, source));
    }
    return new SignatureManifest(l);
  }
}
