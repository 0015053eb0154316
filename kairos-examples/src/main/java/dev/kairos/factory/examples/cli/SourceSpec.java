package dev.kairos.factory.examples.cli;

import dev.kairos.factory.core.api.InvalidInputException;
import dev.kairos.factory.oci.api.ImageReference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Where a base image comes from, as the CLI spells it (the grammar skopeo users know, plus
 * {@code dir:} and {@code debootstrap:}).
 *
 * <pre>
 * REF                          an image in a registry, e.g. docker.io/library/debian:bookworm
 * oci-layout:DIR[:TAG]         an OCI image layout directory, optionally one tag of it
 * oci-archive:FILE             a tarball of an OCI image layout
 * docker-archive:FILE          a tarball made by docker save
 * dir:DIR                      a root filesystem directory
 * debootstrap:SUITE[:MIRROR]   a Debian or Ubuntu root bootstrapped from the distro's mirror
 * </pre>
 *
 * <p>{@link #parse(String)} is the one place this grammar is read; it rejects a malformed value
 * with an {@link IllegalArgumentException} whose message echoes it.
 */
public sealed interface SourceSpec {

  /** The transports, as written before the first colon. */
  List<String> TRANSPORTS =
      List.of("oci-layout", "oci-archive", "docker-archive", "dir", "debootstrap");

  /** An image in a registry. {@code reference} is as the user wrote it (normalised later). */
  record Registry(String reference) implements SourceSpec {
    public Registry {
      Objects.requireNonNull(reference, "reference");
    }
  }

  /** An OCI image layout directory; without a tag, the layout must hold exactly one image. */
  record OciLayout(Path directory, Optional<String> tag) implements SourceSpec {
    public OciLayout {
      Objects.requireNonNull(directory, "directory");
      Objects.requireNonNull(tag, "tag");
    }
  }

  /** A tar file holding an OCI image layout. */
  record OciArchive(Path file) implements SourceSpec {
    public OciArchive {
      Objects.requireNonNull(file, "file");
    }
  }

  /** A tar file as {@code docker save} writes it. */
  record DockerArchive(Path file) implements SourceSpec {
    public DockerArchive {
      Objects.requireNonNull(file, "file");
    }
  }

  /** A root filesystem directory used as the base. */
  record Directory(Path directory) implements SourceSpec {
    public Directory {
      Objects.requireNonNull(directory, "directory");
    }
  }

  /** A Debian-family root made by debootstrap from {@code mirror} (the distro default if empty). */
  record Debootstrap(String suite, Optional<String> mirror) implements SourceSpec {
    public Debootstrap {
      Objects.requireNonNull(suite, "suite");
      Objects.requireNonNull(mirror, "mirror");
    }
  }

  /** The source as the user would write it again. */
  default String display() {
    if (this instanceof Registry r) {
      return r.reference();
    } else if (this instanceof OciLayout l) {
      return "oci-layout:" + l.directory() + l.tag().map(t -> ":" + t).orElse("");
    } else if (this instanceof OciArchive a) {
      return "oci-archive:" + a.file();
    } else if (this instanceof DockerArchive d) {
      return "docker-archive:" + d.file();
    } else if (this instanceof Directory d) {
      return "dir:" + d.directory();
    } else {
      Debootstrap d = (Debootstrap) this;
      return "debootstrap:" + d.suite() + d.mirror().map(m -> ":" + m).orElse("");
    }
  }

  // The grammar of the pieces, from the OCI distribution spec (tags) and Debian (suite names).
  Pattern TAG = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}");
  Pattern SUITE = Pattern.compile("[a-z][a-z0-9.-]*");
  Pattern MIRROR = Pattern.compile("(https?|file)://\\S+");

  /**
   * Reads a source. A registry reference is validated as Docker does (see {@link ImageReference}).
   *
   * @throws IllegalArgumentException naming the bad value and the grammar
   */
  static SourceSpec parse(String value) {
    Objects.requireNonNull(value, "value");
    if (value.isBlank()) {
      throw new IllegalArgumentException("empty image source; expected " + grammar());
    }
    int colon = value.indexOf(':');
    String transport = colon < 0 ? "" : value.substring(0, colon);
    String rest = colon < 0 ? "" : value.substring(colon + 1);
    switch (transport) {
      case "oci-layout":
        return ociLayout(value, rest);
      case "oci-archive":
        return new OciArchive(path(value, rest, "FILE"));
      case "docker-archive":
        return new DockerArchive(path(value, rest, "FILE"));
      case "dir":
        return new Directory(path(value, rest, "DIR"));
      case "debootstrap":
        return debootstrap(value, rest);
      default:
        return registry(value);
    }
  }

  /**
   * Reads a source, as {@link #parse}, and checks that a local one exists: the directory of
   * {@code oci-layout:} and {@code dir:}, the file of {@code oci-archive:} and
   * {@code docker-archive:}. The CLI reads its arguments with this, so a missing one is a usage
   * error before anything runs.
   *
   * @throws IllegalArgumentException naming the bad value, or the path that is missing
   */
  static SourceSpec parseExisting(String value) {
    SourceSpec s = parse(value);
    Path dir = s instanceof OciLayout l ? l.directory() : s instanceof Directory d ? d.directory() : null;
    Path file = s instanceof OciArchive a ? a.file() : s instanceof DockerArchive d ? d.file() : null;
    if (dir != null && !Files.isDirectory(dir)) {
      throw new IllegalArgumentException("'" + value + "': " + dir
          + (Files.exists(dir) ? " is not a directory" : ": no such directory"));
    }
    if (file != null && !Files.isRegularFile(file)) {
      throw new IllegalArgumentException("'" + value + "': " + file
          + (Files.exists(file) ? " is not a regular file" : ": no such file"));
    }
    return s;
  }

  /** The grammar, for error messages and help. */
  static String grammar() {
    return "REF, oci-layout:DIR[:TAG], oci-archive:FILE, docker-archive:FILE, dir:DIR"
        + " or debootstrap:SUITE[:MIRROR]";
  }

  private static SourceSpec ociLayout(String value, String rest) {
    // The tag is what follows the last colon, if it is a valid tag: a directory may hold colons.
    int last = rest.lastIndexOf(':');
    if (last > 0 && TAG.matcher(rest.substring(last + 1)).matches()) {
      return new OciLayout(path(value, rest.substring(0, last), "DIR"),
          Optional.of(rest.substring(last + 1)));
    }
    if (last == rest.length() - 1 && last >= 0) {
      throw new IllegalArgumentException("'" + value + "': empty tag after the last ':'");
    }
    return new OciLayout(path(value, rest, "DIR"), Optional.empty());
  }

  private static SourceSpec debootstrap(String value, String rest) {
    int colon = rest.indexOf(':');
    String suite = colon < 0 ? rest : rest.substring(0, colon);
    if (!SUITE.matcher(suite).matches()) {
      throw new IllegalArgumentException("'" + value + "': bad debootstrap suite '" + suite
          + "'; expected a suite name such as bookworm or noble");
    }
    if (colon < 0) {
      return new Debootstrap(suite, Optional.empty());
    }
    String mirror = rest.substring(colon + 1);
    if (!MIRROR.matcher(mirror).matches()) {
      throw new IllegalArgumentException("'" + value + "': bad mirror '" + mirror
          + "'; expected an http://, https:// or file:// URL");
    }
    return new Debootstrap(suite, Optional.of(mirror));
  }

  private static Path path(String value, String rest, String what) {
    if (rest.isEmpty()) {
      throw new IllegalArgumentException("'" + value + "': missing " + what + " after ':'");
    }
    return Path.of(rest);
  }

  private static SourceSpec registry(String value) {
    if (value.contains("://")) {
      throw new IllegalArgumentException("'" + value + "': not an image reference (no scheme"
          + " allowed); expected " + grammar());
    }
    try {
      ImageReference.parse(value);
    } catch (InvalidInputException e) {
      throw new IllegalArgumentException(e.getMessage() + "; expected " + grammar(), e);
    }
    return new Registry(value);
  }
}
