package dev.kairos.factory.core.api;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Which part of the Kairosification to run ({@code kairos-init --stage}). {@link #INSTALL} installs
 * packages, kernel, configuration and Kairos binaries; {@link #INIT} writes the release file, links
 * the kernel, builds the initrd, enables services and cleans up. Running {@code INSTALL} and then
 * {@code INIT} on the same root gives the same result as {@link #ALL}: the install phase records its
 * options in the image, and the init phase reads them back.
 */
public enum Phase {
  /** Installs packages, kernel and Kairos files ({@code kairos-init --stage install}). */
  INSTALL("install"),
  /** Configures what was installed: release file, initrd, services, cleanup. */
  INIT("init"),
  /** Both, install then init. */
  ALL("all");

  private final String id;

  Phase(String id) {
    this.id = id;
  }

  /** The name as the command line spells it. */
  public String id() {
    return id;
  }

  /** Whether running this phase runs {@code part} ({@code ALL} includes both). */
  public boolean includes(Phase part) {
    return this == ALL || this == part;
  }

  /**
   * The phase with this name.
   *
   * @throws IllegalArgumentException naming the valid ones
   */
  public static Phase parse(String id) {
    for (Phase p : values()) {
      if (p.id.equals(id.toLowerCase(Locale.ROOT))) {
        return p;
      }
    }
    throw new IllegalArgumentException("unknown stage '" + id + "'; valid: " + String.join(", ", ids()));
  }

  /** Every phase's name, in declaration order. */
  public static List<String> ids() {
    return Arrays.stream(values()).map(Phase::id).toList();
  }

  @Override
  public String toString() {
    return id;
  }
}
