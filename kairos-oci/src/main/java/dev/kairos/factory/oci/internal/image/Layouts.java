package dev.kairos.factory.oci.internal.image;

import dev.kairos.factory.core.api.InvalidInputException;
import dev.kairos.factory.core.api.KairosException;
import dev.kairos.factory.oci.internal.tar.TarEntry;
import dev.kairos.factory.oci.internal.tar.TarWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** OCI image layouts ({@code oci-layout}, {@code index.json}, {@code blobs/}) and OCI archives (a tar of one). */
public final class Layouts {
  /** The annotation that names an image inside a layout. */
  public static final String REF_NAME = "org.opencontainers.image.ref.name";
  private static final byte[] OCI_LAYOUT = "{\"imageLayoutVersion\":\"1.0.0\"}".getBytes(StandardCharsets.UTF_8);

  private Layouts() {}

  /**
   * Adds {@code manifest} to the layout in {@code dir} under {@code tag}: copies the blobs that
   * {@code dir}'s store lacks from {@code blobs} (verified), and rewrites {@code index.json},
   * keeping the entries of other tags.
   */
  public static void addImage(Path dir, Descriptor manifest, List<Descriptor> blobsNeeded, BlobSource blobs,
      String tag, Platform platform) throws IOException {
    copyBlobs(dir, blobsNeeded, blobs);
    tag(dir, manifest.withPlatform(platform), tag);
  }

  /** Copies into the layout in {@code dir} those of {@code blobsNeeded} that it lacks, verified, from {@code blobs}. */
  public static void copyBlobs(Path dir, List<Descriptor> blobsNeeded, BlobSource blobs) throws IOException {
    BlobStore store = new BlobStore(dir);
    for (Descriptor d : blobsNeeded) {
      if (!store.has(d.digest(), d.size())) {
        try (InputStream in = blobs.open(d)) {
          store.put(in, d, "layout " + dir);
        }
      }
    }
  }

  /**
   * Points {@code tag} of the layout in {@code dir} at {@code entry} (a manifest or an index whose
   * blob is in the layout): rewrites {@code index.json}, keeping the entries of other tags.
   */
  public static void tag(Path dir, Descriptor entry, String tag) throws IOException {
    Files.write(dir.resolve("oci-layout"), OCI_LAYOUT);
    List<JsonNode> kept = new ArrayList<>();
    Path index = dir.resolve("index.json");
    if (Files.exists(index)) {
      JsonNode old = Json.parse(Files.readAllBytes(index), index.toString()).path("manifests");
      for (JsonNode m : old) {
        if (!tag.equals(m.path("annotations").path(REF_NAME).asString(""))) {
          kept.add(m);
        }
      }
    }
    ObjectNode root = Json.object();
    root.put("schemaVersion", 2);
    root.put("mediaType", MediaTypes.OCI_INDEX);
    ArrayNode list = root.putArray("manifests");
    kept.forEach(list::add);
    entry.withAnnotations(Map.of(REF_NAME, tag)).writeTo(list.addObject());
    Path tmp = dir.resolve("index.json.tmp");
    Files.write(tmp, Json.bytes(root));
    Files.move(tmp, index, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  /**
   * The entry of the layout in {@code dir} tagged {@code tagOrDigest} ({@code org.opencontainers.image.ref.name}),
   * or whose digest it is (listed in {@code index.json} or not).
   */
  public static Descriptor find(Path dir, String tagOrDigest) throws IOException {
    for (JsonNode m : index(dir).path("manifests")) {
      if (tagOrDigest.equals(m.path("annotations").path(REF_NAME).asString(""))
          || tagOrDigest.equals(m.path("digest").asString(""))) {
        return Descriptor.parse(m, dir + "/index.json");
      }
    }
    // An untagged manifest, such as an image of an index, is found by its blob.
    Path blob = new BlobStore(dir).path(tagOrDigest);
    if (tagOrDigest.matches("sha256:[a-f0-9]{64}") && Files.isRegularFile(blob)) {
      return new Descriptor("", tagOrDigest, Files.size(blob));
    }
    throw new InvalidInputException(dir + "/index.json", "has no image tagged or with digest '" + tagOrDigest + "'");
  }

  /** Reads {@code index.json} of a layout. */
  public static ObjectNode index(Path dir) throws IOException {
    Path index = dir.resolve("index.json");
    if (!Files.isRegularFile(index)) {
      throw new InvalidInputException(dir.toString(), "not an OCI image layout: index.json is missing");
    }
    return Json.parse(Files.readAllBytes(index), index.toString());
  }

  /**
   * Writes the layout in {@code dir} as a deterministic tar to {@code out}: {@code oci-layout},
   * {@code index.json}, then the blobs sorted by digest, all with fixed owners and times.
   */
  public static void archive(Path dir, OutputStream out) throws IOException {
    TarWriter tar = new TarWriter(out);
    file(tar, "oci-layout", dir.resolve("oci-layout"));
    file(tar, "index.json", dir.resolve("index.json"));
    tar.write(dirEntry("blobs"), null);
    tar.write(dirEntry("blobs/sha256"), null);
    List<Path> blobs;
    try (Stream<Path> s = Files.list(dir.resolve("blobs").resolve("sha256"))) {
      blobs = s.filter(p -> !p.getFileName().toString().startsWith(".")).sorted().toList();
    }
    for (Path b : blobs) {
      file(tar, "blobs/sha256/" + b.getFileName(), b);
    }
    tar.finish();
    out.flush();
  }

  private static TarEntry dirEntry(String name) {
    return new TarEntry(name, TarEntry.Kind.DIRECTORY, 0755, 0, 0, 0, Instant.EPOCH, "", 0, 0, Map.of());
  }

  private static void file(TarWriter tar, String name, Path p) throws IOException {
    if (!Files.isRegularFile(p)) {
      throw new KairosException(p + ": missing from the layout being archived");
    }
    try (InputStream in = Files.newInputStream(p)) {
      tar.write(new TarEntry(name, TarEntry.Kind.REGULAR, 0644, 0, 0, Files.size(p), Instant.EPOCH, "", 0, 0, Map.of()), in);
    }
  }
}
