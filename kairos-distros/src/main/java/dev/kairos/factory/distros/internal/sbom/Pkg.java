package dev.kairos.factory.distros.internal.sbom;

import java.util.List;
import java.util.Optional;

/**
 * A package as a database records it, before its dependencies are resolved to other packages:
 * {@code provides} are the names it answers to besides its own, {@code requires} the names it
 * asks for (version constraints and alternatives already stripped).
 */
record Pkg(String name, String version, String arch, Optional<String> licence, Optional<String> supplier,
    String purl, List<String> provides, List<String> requires) {
  Pkg {
    provides = List.copyOf(provides);
    requires = List.copyOf(requires);
  }
}
