package dev.kairos.factory.oci.internal.pull;

import dev.kairos.factory.core.api.ImageText;
import dev.kairos.factory.core.api.InvalidInputException;
import dev.kairos.factory.core.api.KairosException;
import dev.kairos.factory.oci.api.DigestMismatchException;
import dev.kairos.factory.oci.internal.image.BlobSource;
import dev.kairos.factory.oci.internal.image.BlobStore;
import dev.kairos.factory.oci.internal.image.Descriptor;
import dev.kairos.factory.oci.internal.image.Json;
import dev.kairos.factory.oci.internal.image.MediaTypes;
import dev.kairos.factory.oci.internal.layer.Compression;
import dev.kairos.factory.oci.internal.tar.TarEntry;
import dev.kairos.factory.oci.internal.tar.TarReader;
import java.io.BufferedInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * OCI archives (a tar of an image layout) and {@code docker save} archives, unpacked into a blob
 * store in one pass; every blob is verified against its name or, for Docker's uncompressed layers,
 * against the config's diff IDs.
 */
public final class Archives {
  private static final int MAX_JSON = 4 << 20;

  private Archives() {}

  /** An archive member name without {@code ./} or leading slashes. */
  private static String clean(String name) {
    String n = name;
    while (n.startsWith("./") || n.startsWith("/")) {
      n = n.startsWith("./") ? n.substring(2) : n.substring(1);
    }
    return n;
  }

  /** Unpacks the OCI archive {@code file} into a layout in {@code dir} and picks the image tagged {@code tag} (null: the only one). */
  public static StoreOrigin ociArchive(Path file, Path dir, String tag) throws IOException {
    BlobStore store = new BlobStore(dir);
    boolean index = false;
    try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
      TarReader tar = new TarReader(in, file.toString());
      for (TarEntry e; (e = tar.next()) != null; ) {
        String name = clean(e.name());
        if (e.kind() != TarEntry.Kind.REGULAR) {
          continue;
        }
        if (name.equals("index.json")) {
          Files.write(dir.resolve("index.json"), tar.content().readNBytes(MAX_JSON));
          index = true;
        } else if (name.matches("blobs/sha256/[a-f0-9]{64}")) {
          store.put(tar.content(), new Descriptor("", "sha256:" + name.substring(13), e.size()), file.toString());
        }
      }
    }
    if (!index) {
      throw new InvalidInputException(file.toString(), "not an OCI archive: it has no index.json");
    }
    return StoreOrigin.layout(dir, tag);
  }

  /** Unpacks a {@code docker save} archive into the store in {@code dir} and picks the image with {@code tag} among its RepoTags (null: the first). */
  public static DockerArchive dockerArchive(Path file, Path dir, String tag) throws IOException {
    BlobStore store = new BlobStore(dir);
    Map<String, Descriptor> byName = new HashMap<>();
    byte[] manifestJson = null;
    try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
      TarReader tar = new TarReader(in, file.toString());
      for (TarEntry e; (e = tar.next()) != null; ) {
        if (e.kind() != TarEntry.Kind.REGULAR) {
          continue;
        }
        String name = clean(e.name());
        if (name.equals("manifest.json")) {
          manifestJson = tar.content().readNBytes(MAX_JSON);
          continue;
        }
        try (BlobStore.Writer w = store.writer()) {
          tar.content().transferTo(w);
          byName.put(name, w.commit(""));
        }
      }
    }
    if (manifestJson == null) {
      throw new InvalidInputException(file.toString(), "not a docker save archive: it has no manifest.json");
    }
    String source = file + ":manifest.json";
    JsonNode list = checkedManifest(Json.parseAny(manifestJson, source), source);
    JsonNode chosen = null;
    List<String> tags = new ArrayList<>();
    for (JsonNode m : list) {
      for (JsonNode t : m.path("RepoTags")) {
        tags.add(t.asString(""));
        if (tag != null && (t.asString("").equals(tag) || t.asString("").endsWith(":" + tag) && tag.indexOf(':') < 0)) {
          chosen = m;
        }
      }
      if (tag == null && chosen == null) {
        chosen = m;
      }
    }
    if (chosen == null) {
      throw new InvalidInputException(source, "no image tagged " + ImageText.quote(tag)
          + " (tags: " + ImageText.escape(String.join(", ", tags)) + ")");
    }
    Descriptor config = member(byName, chosen.path("Config").asString(""), file);
    ObjectNode configJson;
    try (InputStream in = store.open(config.digest())) {
      configJson = Json.parse(in.readNBytes(MAX_JSON), file + ":" + chosen.path("Config").asString(""));
    }
    JsonNode diffIds = configJson.path("rootfs").path("diff_ids");
    ObjectNode manifest = Json.object();
    manifest.put("schemaVersion", 2);
    manifest.put("mediaType", MediaTypes.OCI_MANIFEST);
    config.withMediaType(MediaTypes.OCI_CONFIG).writeTo(manifest.putObject("config"));
    ArrayNode layers = manifest.putArray("layers");
    Map<String, String> names = new HashMap<>();
    int i = 0;
    for (JsonNode l : chosen.path("Layers")) {
      Descriptor d = member(byName, l.asString(""), file);
      names.put(d.digest(), clean(l.asString("")));
      Compression c;
      try (InputStream in = store.open(d.digest())) {
        c = Compression.sniff(in);
      }
      if (c == Compression.NONE && !d.digest().equals(diffIds.path(i).asString(""))) {
        throw new DigestMismatchException(file + ":" + l.asString(""), diffIds.path(i).asString("(none)") + " (diff ID)", d.digest());
      }
      d.withMediaType(MediaTypes.OCI_LAYER + c.mediaTypeSuffix()).writeTo(layers.addObject());
      i++;
    }
    names.put(config.digest(), clean(chosen.path("Config").asString("")));
    byte[] json = Json.bytes(manifest);
    Descriptor manifestDesc;
    try (BlobStore.Writer w = store.writer()) {
      w.write(json);
      manifestDesc = w.commit(MediaTypes.OCI_MANIFEST);
    }
    return new DockerArchive(new StoreOrigin(store, new Origin.Top(manifestDesc, json)), names);
  }

  /**
   * {@code docker save} writes an array of images, each an object with a string {@code Config}, an
   * array of strings {@code Layers} and an optional array of strings {@code RepoTags}; anything
   * else is named here rather than failing later as a missing member called '' or '5'.
   */
  private static JsonNode checkedManifest(JsonNode list, String source) throws InvalidInputException {
    if (list == null || !list.isArray()) {
      throw new InvalidInputException(source, "expected an array of images, as docker save writes, got "
          + kind(list));
    }
    if (list.isEmpty()) {
      throw new InvalidInputException(source, "lists no image (an empty array)");
    }
    for (int i = 0; i < list.size(); i++) {
      JsonNode m = list.get(i);
      String which = "image " + (i + 1) + " of " + list.size();
      if (!m.isObject()) {
        throw new InvalidInputException(source, which + ": expected an object, got " + kind(m));
      }
      if (!m.path("Config").isString()) {
        throw new InvalidInputException(source, which + ": \"Config\" must be a string naming the config member, got "
            + kind(m.get("Config")));
      }
      checkStrings(m, "Layers", true, which, source);
      checkStrings(m, "RepoTags", false, which, source);
    }
    return list;
  }

  private static void checkStrings(JsonNode m, String field, boolean required, String which, String source)
      throws InvalidInputException {
    JsonNode a = m.get(field);
    if (a == null || a.isNull()) {
      if (required) {
        throw new InvalidInputException(source, which + ": \"" + field + "\" is missing");
      }
      return;
    }
    if (!a.isArray()) {
      throw new InvalidInputException(source, which + ": \"" + field + "\" must be an array of strings, got " + kind(a));
    }
    for (JsonNode e : a) {
      if (!e.isString()) {
        throw new InvalidInputException(source, which + ": \"" + field + "\" must hold strings, got " + kind(e));
      }
    }
  }

  /** What a JSON value is, with a short form of it, for messages. */
  private static String kind(JsonNode n) {
    if (n == null || n.isMissingNode()) {
      return "nothing";
    }
    String type = n.isObject() ? "an object" : n.isArray() ? "an array" : n.isString() ? "a string"
        : n.isNumber() ? "a number" : n.isBoolean() ? "a boolean" : "null";
    return n.isNull() ? type : type + " " + ImageText.escape(n.toString(), 60);
  }

  /** An unpacked docker archive and the member name of each of its blobs (to read them again later). */
  public record DockerArchive(StoreOrigin origin, Map<String, String> memberNames) {}

  private static Descriptor member(Map<String, Descriptor> byName, String name, Path file) throws InvalidInputException {
    Descriptor d = byName.get(clean(name));
    if (d == null) {
      throw new InvalidInputException(file + ":manifest.json", "names member " + ImageText.quote(name) + ", which the archive lacks");
    }
    return d;
  }

  /** Reads blobs again from {@code file} by scanning it for their member; {@code names} maps digests to member names. */
  public static BlobSource rereader(Path file, Map<String, String> names) {
    return d -> {
      String want = names.getOrDefault(d.digest(), "blobs/sha256/" + d.hex());
      InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
      try {
        TarReader tar = new TarReader(in, file.toString());
        for (TarEntry e; (e = tar.next()) != null; ) {
          if (e.kind() == TarEntry.Kind.REGULAR && clean(e.name()).equals(want)) {
            return new FilterInputStream(tar.content()) {
              @Override
              public void close() throws IOException {
                in.close();
              }
            };
          }
        }
      } catch (IOException | RuntimeException e) {
        in.close();
        throw e;
      }
      in.close();
      throw new KairosException(file + ": member " + want + " for blob " + d.digest() + " is gone");
    };
  }
}
