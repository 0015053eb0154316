package dev.kairos.factory.examples.cli;

import dev.kairos.factory.core.api.SourceDate;
import dev.kairos.factory.core.api.fs.RootFs;
import dev.kairos.factory.core.api.io.ExclusiveLock;
import dev.kairos.factory.distros.api.sbom.Sbom;
import dev.kairos.factory.distros.api.sbom.SbomFormat;
import java.nio.file.Files;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code sbom}: the bill of materials of a root, from its own package database. */
@Command(name = "sbom", description = "Write the SBOM of a root filesystem (from its dpkg, apk, rpm or pacman database)"
    + " as CycloneDX 1.6 or SPDX 2.3 JSON (reproducible).")
final class SbomCommand extends Verb {
  @Mixin RunPaths.Root root;

  @Mixin RunPaths.Output output;

  @Option(names = "--format", paramLabel = "F", defaultValue = "cyclonedx", converter = FormatConverter.class,
      description = "cyclonedx or spdx (default: ${DEFAULT-VALUE}).")
  SbomFormat format;

  @Override
  int run(Output out) throws Exception {
    RootFs rootFs = RootFs.at(root.path);
    // The root's own date (SOURCE_DATE_EPOCH, else its package database's), so the same root
    // gives the same bytes.
    Sbom sbom = Sbom.read(rootFs, SourceDate.fromInputs(System.getenv(), Optional.empty(), rootFs).instant());
    byte[] bytes = sbom.toBytes(format);
    try (ExclusiveLock lock = output.lock()) {
      output.write(tmp -> Files.write(tmp, bytes));
    }
    FileFacts facts = FileFacts.of("sbom", output.path);
    Map<String, Object> json = new LinkedHashMap<>(facts.json());
    json.put("format", format.toString());
    json.put("components", sbom.components().size());
    json.put("packages", sbom.packages().size());
    out.result(json, facts.human() + "\n" + sbom.packages().size() + " packages, "
        + sbom.components().size() + " components (" + format + ")");
    return 0;
  }

  /** {@code --format}: case-insensitive. */
  static final class FormatConverter implements picocli.CommandLine.ITypeConverter<SbomFormat> {
    @Override
    public SbomFormat convert(String value) {
      try {
        return SbomFormat.of(value);
      } catch (IllegalArgumentException e) {
        throw new picocli.CommandLine.TypeConversionException(e.getMessage());
      }
    }
  }
}
