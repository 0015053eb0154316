package dev.kairos.factory.oci.internal.pull;

import dev.kairos.factory.core.api.ImageText;
import dev.kairos.factory.core.api.InvalidInputException;
import dev.kairos.factory.core.api.KairosException;
import dev.kairos.factory.oci.internal.image.BlobStore;
import dev.kairos.factory.oci.internal.image.Descriptor;
import dev.kairos.factory.oci.internal.image.Layouts;
import dev.kairos.factory.oci.internal.image.MediaTypes;
import dev.kairos.factory.oci.internal.image.VerifyingInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import tools.jackson.databind.JsonNode;

/** An image whose blobs are all in a local {@link BlobStore}: an OCI layout, or an archive unpacked into one. */
public final class StoreOrigin implements Origin {
  private static final int MAX_JSON = 4 << 20;
  private final BlobStore store;
  private final Top top;

  public StoreOrigin(BlobStore store, Top top) {
    this.store = store;
    this.top = top;
  }

  /**
   * The image tagged {@code tag} in the layout at {@code dir}; with a null tag, the layout's only
   * image. The tag is matched against {@code org.opencontainers.image.ref.name}, as skopeo and umoci
   * write it.
   */
  public static StoreOrigin layout(Path dir, String tag) throws IOException {
    BlobStore store = new BlobStore(dir);
    JsonNode manifests = Layouts.index(dir).path("manifests");
    List<String> tags = new ArrayList<>();
    Descriptor chosen = null;
    for (JsonNode m : manifests) {
      String name = m.path("annotations").path(Layouts.REF_NAME).asString("");
      tags.add(name.isEmpty() ? "(untagged)" : name);
      if (tag == null ? manifests.size() == 1 : tag.equals(name)) {
        chosen = Descriptor.parse(m, dir + "/index.json");
      }
    }
    if (chosen == null) {
      throw new InvalidInputException(dir + "/index.json", (tag == null ? "holds " + manifests.size()
          + " images; name one" : "has no image tagged " + ImageText.quote(tag)) + " (tags: " + String.join(", ", tags) + ")");
    }
    if (chosen.mediaType().isEmpty()) {
      chosen = chosen.withMediaType(MediaTypes.OCI_MANIFEST);
    }
    byte[] json;
    try (InputStream in = store.open(chosen.digest())) {
      json = VerifyingInputStream.readAll(in, chosen, dir.toString(), MAX_JSON);
    } catch (NoSuchFileException e) {
      throw new KairosException(dir + ": blob " + chosen.digest() + " named in index.json is missing");
    }
    return new StoreOrigin(store, new Top(chosen, json));
  }

  /**
   * The manifest {@code digest} (an image manifest, or an index) in the layout at {@code dir},
   * whatever its tags say now.
   *
   * @throws KairosException naming the layout and the digest when the layout does not hold it
   */
  public static StoreOrigin layoutManifest(Path dir, String digest) throws IOException {
    BlobStore store = new BlobStore(dir);
    byte[] json;
    try (InputStream in = store.open(digest)) {
      json = in.readAllBytes();
    } catch (NoSuchFileException e) {
      throw new KairosException(dir + " holds no manifest " + digest);
    }
    Descriptor d = new Descriptor("", digest, json.length);
    try (InputStream in = new java.io.ByteArrayInputStream(json)) {
      VerifyingInputStream.readAll(in, d, dir.toString(), MAX_JSON); // the bytes are the digest's
    }
    String type = dev.kairos.factory.oci.internal.image.Json.parse(json, dir + " " + digest).path("mediaType").asString("");
    return new StoreOrigin(store, new Top(d.withMediaType(type.isEmpty() ? MediaTypes.OCI_MANIFEST : type), json));
  }

  @Override
  public Top top() {
    return top;
  }

  @Override
  public InputStream open(Descriptor d) throws IOException {
    try {
      return store.open(d.digest());
    } catch (NoSuchFileException e) {
      throw new KairosException(store.root() + ": blob " + d.digest() + " is missing");
    }
  }

  @Override
  public boolean remote() {
    return false;
  }

  @Override
  public Optional<String> repository() {
    return Optional.empty();
  }

  public BlobStore store() {
    return store;
  }
}
