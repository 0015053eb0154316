package dev.kairos.factory.oci.internal.image;

import dev.kairos.factory.core.api.InvalidInputException;
import java.util.Locale;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** An image platform: {@code linux/amd64}, {@code linux/arm64/v8}, {@code linux/arm/v7}. */
public record Platform(String os, String architecture, String variant) {

  /** Parses {@code os/arch[/variant]}; the architecture is normalised as containerd does ({@code x86_64} → {@code amd64}, {@code aarch64} → {@code arm64}). */
  public static Platform parse(String s) throws InvalidInputException {
    String[] p = s.toLowerCase(Locale.ROOT).split("/", -1);
    if (p.length < 2 || p.length > 3 || p[0].isEmpty() || p[1].isEmpty() || (p.length == 3 && p[2].isEmpty())) {
      throw new InvalidInputException("platform '" + s + "'", "expected os/architecture[/variant], such as linux/arm64/v8");
    }
    return normalise(p[0], p[1], p.length == 3 ? p[2] : "");
  }

  static Platform parse(JsonNode n) {
    return normalise(n.path("os").asString(""), n.path("architecture").asString(""), n.path("variant").asString(""));
  }

  private static Platform normalise(String os, String arch, String variant) {
    switch (arch) {
      case "x86_64", "x86-64" -> arch = "amd64";
      case "aarch64" -> arch = "arm64";
      case "armhf" -> {
        arch = "arm";
        variant = variant.isEmpty() ? "v7" : variant;
      }
      default -> { }
    }
    return new Platform(os, arch, variant);
  }

  /** The platform of this JVM's machine, as a Linux image would name it. */
  public static Platform host() {
    String arch = System.getProperty("os.arch");
    return normalise("linux", arch, "");
  }

  /**
   * Whether an image of platform {@code candidate} satisfies this wanted platform: os and
   * architecture equal; the variant equal, or not asked for, or {@code v8} for arm64 matching an
   * image without variant (the convention of containerd).
   */
  public boolean accepts(Platform candidate) {
    if (!os.equals(candidate.os) || !architecture.equals(candidate.architecture)) {
      return false;
    }
    if (variant.isEmpty() || variant.equals(candidate.variant)) {
      return true;
    }
    return architecture.equals("arm64") && variant.equals("v8") && candidate.variant.isEmpty();
  }

  public void writeTo(ObjectNode n) {
    n.put("architecture", architecture);
    n.put("os", os);
    if (!variant.isEmpty()) {
      n.put("variant", variant);
    }
  }

  @Override
  public String toString() {
    return os + "/" + architecture + (variant.isEmpty() ? "" : "/" + variant);
  }
}
