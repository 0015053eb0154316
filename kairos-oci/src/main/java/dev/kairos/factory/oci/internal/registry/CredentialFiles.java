package dev.kairos.factory.oci.internal.registry;

import dev.kairos.factory.core.api.InvalidInputException;
import dev.kairos.factory.oci.api.ImageReference;
import dev.kairos.factory.oci.internal.image.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Credentials from the files {@code podman login} and {@code docker login} write, looked up the
 * way containers/image does: {@code $REGISTRY_AUTH_FILE}, then
 * {@code $XDG_RUNTIME_DIR/containers/auth.json}, {@code ~/.config/containers/auth.json},
 * {@code $DOCKER_CONFIG/config.json} (or {@code ~/.docker/config.json}); the first file with an
 * entry wins. In a file the most specific key wins: {@code registry/namespace/repo}, then its
 * parent namespaces, then the registry (keys may carry a scheme and a path, as Docker's
 * {@code https://index.docker.io/v1/} does). Docker's credential helpers are run as Docker runs
 * them: the registry's {@code credHelpers} entry first, then the inline {@code auth}, then the
 * file's {@code credsStore} (see {@link CredentialHelper}).
 */
final class CredentialFiles {
  /** A user name and password. */
  record Credential(String username, String password) {}

  private static final int MAX_FILE = 1 << 20;

  private CredentialFiles() {}

  /** The credentials for {@code ref} in the files that {@code env} points to, if any. */
  static Optional<Credential> lookup(ImageReference ref, Map<String, String> env) throws IOException {
    for (Path file : files(env)) {
      Optional<Credential> c = lookup(ref, file, env);
      if (c.isPresent()) {
        return c;
      }
    }
    return Optional.empty();
  }

  /**
   * The first login file with an entry for {@code ref}'s registry ({@code auths} or
   * {@code credHelpers}), found without decoding a secret or running a helper; for telling a user
   * why a login was not used. Unreadable or malformed files are passed over.
   */
  static Optional<Path> fileWithLogin(ImageReference ref, Map<String, String> env) {
    for (Path file : files(env)) {
      try {
        if (!Files.isRegularFile(file) || Files.size(file) > MAX_FILE) {
          continue;
        }
        ObjectNode doc = Json.parse(Files.readAllBytes(file), file.toString());
        for (String section : List.of("auths", "credHelpers")) {
          for (Map.Entry<String, JsonNode> e : doc.path(section).properties()) {
            String k = normalise(e.getKey());
            if (k.equals(ref.registry()) || k.startsWith(ref.registry() + "/")) {
              return Optional.of(file);
            }
          }
        }
      } catch (IOException e) {
        // only a hint is at stake
      }
    }
    return Optional.empty();
  }

  private static List<Path> files(Map<String, String> env) {
    List<Path> files = new ArrayList<>();
    Optional.ofNullable(env.get("REGISTRY_AUTH_FILE")).ifPresent(f -> files.add(Path.of(f)));
    Optional.ofNullable(env.get("XDG_RUNTIME_DIR")).ifPresent(d -> files.add(Path.of(d, "containers", "auth.json")));
    String home = env.get("HOME");
    if (home != null) {
      files.add(Path.of(home, ".config", "containers", "auth.json"));
    }
    String docker = env.get("DOCKER_CONFIG");
    if (docker != null) {
      files.add(Path.of(docker, "config.json"));
    } else if (home != null) {
      files.add(Path.of(home, ".docker", "config.json"));
    }
    return files;
  }

  private static Optional<Credential> lookup(ImageReference ref, Path file, Map<String, String> env) throws IOException {
    byte[] json;
    try {
      if (Files.size(file) > MAX_FILE) {
        throw new InvalidInputException(file.toString(), "credential file larger than " + MAX_FILE + " bytes");
      }
      json = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
    ObjectNode doc = Json.parse(json, file.toString());
    for (Map.Entry<String, JsonNode> e : doc.path("credHelpers").properties()) {
      if (normalise(e.getKey()).equals(ref.registry())) {
        Optional<Credential> c = CredentialHelper.get(e.getValue().asString(""), helperServer(ref), file, env,
            CredentialHelper.TIMEOUT);
        if (c.isPresent()) {
          return c;
        }
      }
    }
    Optional<Credential> inline = inlineAuth(ref, doc, file);
    String store = doc.path("credsStore").asString("");
    return inline.isPresent() || store.isEmpty()
        ? inline
        : CredentialHelper.get(store, helperServer(ref), file, env, CredentialHelper.TIMEOUT);
  }

  /** The server name a helper stores a registry under: Docker Hub's historical URL, else the host. */
  private static String helperServer(ImageReference ref) {
    return ref.registry().equals(ImageReference.DOCKER_HUB) ? "https://index.docker.io/v1/" : ref.registry();
  }

  private static Optional<Credential> inlineAuth(ImageReference ref, ObjectNode doc, Path file) throws IOException {
    JsonNode auths = doc.path("auths");
    // Most specific first: registry/ns/repo, registry/ns, registry.
    String key = ref.registry() + "/" + ref.repository();
    for (int i = 0; i <= ref.repository().split("/").length && !key.isEmpty(); i++) {
      for (Map.Entry<String, JsonNode> e : auths.properties()) {
        if (normalise(e.getKey()).equals(key) && e.getValue().has("auth")) {
          return Optional.of(decode(e.getValue().path("auth").asString(""), file, e.getKey()));
        }
      }
      int slash = key.lastIndexOf('/');
      key = slash < 0 ? "" : key.substring(0, slash);
    }
    return Optional.empty();
  }

  /** A key without scheme and, for a bare registry key, without Docker's {@code /v1/} path; Docker Hub's aliases folded. */
  private static String normalise(String key) {
    String k = key.replaceFirst("^[a-zA-Z][a-zA-Z0-9+.-]*://", "");
    if (key.length() != k.length()) {
      int slash = k.indexOf('/');
      k = slash < 0 ? k : k.substring(0, slash); // a URL key names a whole registry
    }
    while (k.endsWith("/")) {
      k = k.substring(0, k.length() - 1);
    }
    String host = k.contains("/") ? k.substring(0, k.indexOf('/')) : k;
    if (host.equals("index.docker.io") || host.equals("registry-1.docker.io")) {
      k = ImageReference.DOCKER_HUB + k.substring(host.length());
    }
    return k;
  }

  private static Credential decode(String auth, Path file, String key) throws IOException {
    String pair;
    try {
      pair = new String(Base64.getDecoder().decode(auth.strip()), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw new InvalidInputException(file.toString(), "the auth of '" + key + "' is not base64");
    }
    int colon = pair.indexOf(':');
    if (colon < 0) {
      throw new InvalidInputException(file.toString(), "the auth of '" + key + "' is not user:password");
    }
    return new Credential(pair.substring(0, colon), pair.substring(colon + 1));
  }
}
