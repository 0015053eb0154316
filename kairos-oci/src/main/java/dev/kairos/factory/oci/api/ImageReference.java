package dev.kairos.factory.oci.api;

import dev.kairos.factory.core.api.InvalidInputException;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A container image reference, parsed and normalised the way Docker and the OCI distribution
 * specification do it: {@code ubuntu} is {@code docker.io/library/ubuntu:latest},
 * {@code localhost:5000/a/b:t} keeps its registry and port, {@code host/a@sha256:…} names a
 * manifest by digest, and a reference may carry both a tag and a digest (the digest wins when
 * pulling).
 *
 * <pre>{@code
 * ImageReference r = ImageReference.parse("ubuntu:24.04");
 * r.registry();     // "docker.io"
 * r.repository();   // "library/ubuntu"
 * r.tag();          // Optional["24.04"]
 * r.toString();     // "docker.io/library/ubuntu:24.04"
 * }</pre>
 *
 * <p>Rules: the first component is a registry if it contains a {@code .} or a {@code :}, is
 * {@code localhost}, or has an upper-case letter; otherwise the registry is {@code docker.io}
 * ({@code index.docker.io} is folded into it) and a single-component repository on Docker Hub
 * gets {@code library/}. Repository components are lower case. The tag {@code latest} is added
 * only when neither a tag nor a digest is given.
 */
public final class ImageReference {
  /** The registry Docker uses when a reference names none. */
  public static final String DOCKER_HUB = "docker.io";

  private static final String SOURCE = "image reference";
  private static final Pattern COMPONENT = Pattern.compile("[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*");
  private static final Pattern TAG = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}");
  private static final Pattern DIGEST = Pattern.compile(
      "[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]{32,}");
  private static final Pattern SHA256_HEX = Pattern.compile("[a-f0-9]{64}");
  private static final Pattern HOST_LABEL = Pattern.compile("[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?");
  private static final Pattern IPV6 = Pattern.compile("\\[[a-fA-F0-9:]+\\]");
  private static final int MAX_NAME = 255;

  private final String registry;
  private final String repository;
  private final String tag;
  private final String digest;

  private ImageReference(String registry, String repository, String tag, String digest) {
    this.registry = registry;
    this.repository = repository;
    this.tag = tag;
    this.digest = digest;
  }

  /**
   * As {@link #parse}, unchecked: for a reference the calling code holds (a constant, a stream
   * element), e.g. {@code refs.stream().map(ImageReference::of)}.
   *
   * @throws IllegalArgumentException if the reference is malformed (the message says how)
   */
  public static ImageReference of(String reference) {
    try {
      return parse(reference);
    } catch (InvalidInputException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
  }

  /**
   * Parses and normalises {@code reference}.
   *
   * @throws InvalidInputException if it is not a valid reference; the message echoes the input
   *     and says which part is wrong
   */
  public static ImageReference parse(String reference) throws InvalidInputException {
    Objects.requireNonNull(reference, "reference");
    String ref = reference;
    if (ref.isEmpty()) {
      throw invalid(reference, "is empty");
    }
    if (!ref.strip().equals(ref)) {
      throw invalid(reference, "has leading or trailing white space");
    }
    String digest = null;
    int at = ref.indexOf('@');
    if (at >= 0) {
      digest = ref.substring(at + 1);
      ref = ref.substring(0, at);
      validateDigest(reference, digest);
    }
    String tag = null;
    int colon = ref.lastIndexOf(':');
    if (colon > ref.lastIndexOf('/')) {
      tag = ref.substring(colon + 1);
      ref = ref.substring(0, colon);
      if (!TAG.matcher(tag).matches()) {
        throw invalid(reference, "invalid tag '" + tag + "' (letters, digits, '_', '.', '-'; at most 128; not starting with '.' or '-')");
      }
    }
    if (ref.isEmpty()) {
      throw invalid(reference, "has no repository name");
    }
    String registry;
    String path;
    int slash = ref.indexOf('/');
    String first = slash < 0 ? ref : ref.substring(0, slash);
    if (slash >= 0 && (first.contains(".") || first.contains(":") || first.equals("localhost")
        || !first.toLowerCase(Locale.ROOT).equals(first))) {
      registry = first;
      path = ref.substring(slash + 1);
      validateRegistry(reference, registry);
    } else {
      registry = DOCKER_HUB;
      path = ref;
    }
    if (registry.equals("index.docker.io")) {
      registry = DOCKER_HUB;
    }
    if (registry.equals(DOCKER_HUB) && !path.contains("/")) {
      if (SHA256_HEX.matcher(path).matches()) {
        throw invalid(reference, "a 64-character hexadecimal string is an image ID, not a repository name");
      }
      path = "library/" + path;
    }
    validateRepository(reference, path);
    if ((registry + "/" + path).length() > MAX_NAME) {
      throw invalid(reference, "repository name is longer than " + MAX_NAME + " characters");
    }
    if (tag == null && digest == null) {
      tag = "latest";
    }
    return new ImageReference(registry, path, tag, digest);
  }

  private static void validateDigest(String reference, String digest) throws InvalidInputException {
    if (!DIGEST.matcher(digest).matches()) {
      throw invalid(reference, "invalid digest '" + digest + "' (expected algorithm:hex, such as sha256:<64 hex digits>)");
    }
    if (digest.startsWith("sha256:") && !SHA256_HEX.matcher(digest.substring(7)).matches()) {
      throw invalid(reference, "invalid sha256 digest '" + digest + "' (expected 64 lower-case hex digits)");
    }
  }

  private static void validateRegistry(String reference, String registry) throws InvalidInputException {
    String host = registry;
    int colon = registry.lastIndexOf(':');
    if (colon >= 0 && colon > registry.lastIndexOf(']')) {
      String port = registry.substring(colon + 1);
      host = registry.substring(0, colon);
      if (!port.matches("[0-9]{1,5}") || Integer.parseInt(port) > 65535) {
        throw invalid(reference, "invalid registry port '" + port + "' in '" + registry + "'");
      }
    }
    if (IPV6.matcher(host).matches()) {
      return;
    }
    if (host.isEmpty()) {
      throw invalid(reference, "registry '" + registry + "' has no host name");
    }
    for (String label : host.split("\\.", -1)) {
      if (!HOST_LABEL.matcher(label).matches()) {
        throw invalid(reference, "invalid registry host '" + host + "'");
      }
    }
  }

  private static void validateRepository(String reference, String path) throws InvalidInputException {
    for (String c : path.split("/", -1)) {
      if (COMPONENT.matcher(c).matches()) {
        continue;
      }
      if (COMPONENT.matcher(c.toLowerCase(Locale.ROOT)).matches()) {
        throw invalid(reference, "repository name must be lower case, got '" + path + "'");
      }
      throw invalid(reference, c.isEmpty()
          ? "repository '" + path + "' has an empty path component"
          : "invalid repository path component '" + c + "' (lower-case letters and digits, separated by '.', '_', '__' or dashes)");
    }
  }

  private static InvalidInputException invalid(String reference, String detail) {
    return new InvalidInputException(SOURCE + " '" + reference + "'", detail);
  }

  /** The registry host, with its port if any: {@code docker.io}, {@code localhost:5000}. */
  public String registry() {
    return registry;
  }

  /** The repository path inside the registry: {@code library/ubuntu}, {@code kairos/opensuse}. */
  public String repository() {
    return repository;
  }

  /** The tag; {@code latest} when the reference named neither tag nor digest. */
  public Optional<String> tag() {
    return Optional.ofNullable(tag);
  }

  /** The manifest digest, such as {@code sha256:…}, if the reference pins one. */
  public Optional<String> digest() {
    return Optional.ofNullable(digest);
  }

  /** The digest if there is one, else the tag: what a registry's manifest endpoint is asked for. */
  public String manifestKey() {
    return digest != null ? digest : tag;
  }

  /** {@code registry/repository}, without tag or digest. */
  public String name() {
    return registry + "/" + repository;
  }

  /** Whether the registry is on this machine ({@code localhost}, {@code 127.0.0.1}, {@code [::1]}), where plain HTTP is the default. */
  public boolean isLoopback() {
    String host = registry.replaceFirst(":[0-9]+$", "");
    return host.equals("localhost") || host.equals("127.0.0.1") || host.equals("[::1]");
  }

  /** The same repository with {@code tag} and no digest. */
  public ImageReference withTag(String tag) throws InvalidInputException {
    return parse(name() + ":" + tag);
  }

  /** The same repository and tag, pinned to {@code digest}. */
  public ImageReference withDigest(String digest) throws InvalidInputException {
    return parse(name() + (tag != null ? ":" + tag : "") + "@" + digest);
  }

  /** The normalised form: {@code registry/repository[:tag][@digest]}. */
  @Override
  public String toString() {
    return name() + (tag != null ? ":" + tag : "") + (digest != null ? "@" + digest : "");
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ImageReference && o.toString().equals(toString());
  }

  @Override
  public int hashCode() {
    return toString().hashCode();
  }
}
