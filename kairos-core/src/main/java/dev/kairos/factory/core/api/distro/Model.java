package dev.kairos.factory.core.api.distro;

import dev.kairos.factory.core.api.UnsupportedTargetException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The board an image is built for. {@link #GENERIC} is any UEFI/BIOS machine; the others change
 * the kernel packages, repositories, boot arguments and initramfs (see {@code KAIROS_MODEL}).
 *
 * <pre>{@code
 * Model m = Model.parse("rpi4");   // Model.RPI4
 * Model.parse("rpi5");             // UnsupportedTargetException: unsupported model 'rpi5'; supported: generic, rpi3, ...
 * }</pre>
 */
public enum Model {
  /** A generic machine of any architecture (PCs, servers, VMs). */
  GENERIC("generic", Set.of(Architecture.values())),
  /** Raspberry Pi 3. */
  RPI3("rpi3", Set.of(Architecture.ARM64)),
  /** Raspberry Pi 4. */
  RPI4("rpi4", Set.of(Architecture.ARM64)),
  /** NVIDIA Jetson AGX Orin. */
  NVIDIA_JETSON_AGX_ORIN("nvidia-jetson-agx-orin", Set.of(Architecture.ARM64)),
  /** NVIDIA Jetson Orin NX. */
  NVIDIA_JETSON_ORIN_NX("nvidia-jetson-orin-nx", Set.of(Architecture.ARM64)),
  /** NVIDIA Jetson Thor. */
  NVIDIA_JETSON_THOR("nvidia-jetson-thor", Set.of(Architecture.ARM64)),
  /** NVIDIA DGX Spark. */
  NVIDIA_DGX_SPARK("nvidia-dgx-spark", Set.of(Architecture.ARM64));

  private final String id;
  private final Set<Architecture> architectures;

  Model(String id, Set<Architecture> architectures) {
    this.id = id;
    this.architectures = architectures;
  }

  /** The name used on the command line and in {@code KAIROS_MODEL}, e.g. {@code nvidia-jetson-agx-orin}. */
  public String id() {
    return id;
  }

  /** Whether this is a Raspberry Pi (the kernel chooser then prefers {@code *-raspi} kernels). */
  public boolean isRaspberryPi() {
    return this == RPI3 || this == RPI4;
  }

  /** Whether images for this board can be built for {@code arch} (every board but generic is arm64). */
  public boolean supports(Architecture arch) {
    return architectures.contains(arch);
  }

  /** All model names, in declaration order. */
  public static List<String> ids() {
    return Arrays.stream(values()).map(Model::id).toList();
  }

  /**
   * As {@link #parse}, unchecked: for a name the calling code holds (a constant, a stream
   * element), e.g. {@code Stream.of("x").map(Model::of)}.
   *
   * @throws IllegalArgumentException if no model has that name (the message lists the known ones)
   */
  public static Model of(String id) {
    try {
      return parse(id);
    } catch (UnsupportedTargetException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
  }

  /**
   * The model named {@code id} (case-insensitive).
   *
   * @throws UnsupportedTargetException listing the valid names
   */
  public static Model parse(String id) throws UnsupportedTargetException {
    String want = id.toLowerCase(Locale.ROOT);
    for (Model m : values()) {
      if (m.id.equals(want)) {
        return m;
      }
    }
    throw new UnsupportedTargetException("model", id, ids());
  }

  @Override
  public String toString() {
    return id;
  }
}
