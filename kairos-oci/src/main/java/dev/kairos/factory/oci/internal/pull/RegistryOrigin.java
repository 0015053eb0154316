package dev.kairos.factory.oci.internal.pull;

import dev.kairos.factory.oci.api.ImageReference;
import dev.kairos.factory.oci.internal.image.Descriptor;
import dev.kairos.factory.oci.internal.image.Json;
import dev.kairos.factory.oci.internal.image.MediaTypes;
import dev.kairos.factory.oci.internal.registry.RegistryClient;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;

/** An image in a registry repository. */
public final class RegistryOrigin implements Origin {
  private final RegistryClient client;
  private final ImageReference ref;

  public RegistryOrigin(RegistryClient client, ImageReference ref) {
    this.client = client;
    this.ref = ref;
  }

  @Override
  public Top top() throws IOException {
    RegistryClient.RawManifest m = client.manifest(ref.manifestKey());
    String type = m.mediaType() == null ? "" : m.mediaType().split(";")[0].strip();
    if (type.isEmpty() || type.startsWith("text/") || type.equals("application/json")) {
      type = Json.parse(m.json(), ref.toString()).path("mediaType").asString("");
    }
    return new Top(new Descriptor(type, m.digest(), m.json().length), m.json());
  }

  @Override
  public InputStream open(Descriptor d) throws IOException {
    // An image chosen from an index is a manifest: served under /manifests/, not /blobs/.
    if (MediaTypes.isManifest(d.mediaType()) || MediaTypes.isIndex(d.mediaType())) {
      return new ByteArrayInputStream(client.manifest(d.digest()).json());
    }
    return client.blob(d);
  }

  @Override
  public boolean remote() {
    return true;
  }

  @Override
  public Optional<String> repository() {
    return Optional.of(ref.name());
  }
}
