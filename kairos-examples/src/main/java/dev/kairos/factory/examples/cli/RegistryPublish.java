package dev.kairos.factory.examples.cli;

import dev.kairos.factory.core.api.InvalidInputException;
import dev.kairos.factory.core.api.SourceDate;
import dev.kairos.factory.distros.api.Debootstrap;
import dev.kairos.factory.oci.api.ImageReference;
import dev.kairos.factory.oci.api.artifact.ArtifactContent;
import dev.kairos.factory.oci.api.artifact.KairosArtifactTypes;
import dev.kairos.factory.oci.api.artifact.OciArtifact;
import dev.kairos.factory.oci.api.artifact.OciArtifacts;
import dev.kairos.factory.oci.api.artifact.Provenance;
import dev.kairos.factory.distros.api.Bootstrap;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What {@code build --push} puts beside the image: the boot media as artifacts tagged
 * {@code REF-iso}, {@code REF-img} and {@code REF-uki} (the Kairos Factory's names), the SBOM files
 * and the provenance statement attached to the pushed image as referrers.
 */
final class RegistryPublish {
  /** One boot medium to push: the tag suffix, the file, its artifact type. */
  record Medium(String suffix, Path file, String artifactType) {}

  private RegistryPublish() {}

  /** The boot media among the build's outputs (a null path is a medium not asked for). */
  static List<Medium> media(Path iso, Path disk, Path uki) {
    List<Medium> m = new ArrayList<>();
    if (iso != null) {
      m.add(new Medium("-iso", iso, KairosArtifactTypes.ISO));
    }
    if (disk != null) {
      m.add(new Medium("-img", disk, KairosArtifactTypes.RAW_DISK));
    }
    if (uki != null) {
      m.add(new Medium("-uki", uki, KairosArtifactTypes.UKI));
    }
    return m;
  }

  /** Pushes each medium as {@code <push>-<kind>}: the tag of {@code push} (or {@code latest}) with the suffix appended. */
  static List<OciArtifact> pushMedia(OciArtifacts registry, String push, List<Medium> media) throws IOException {
    ImageReference ref = ImageReference.parse(push);
    List<OciArtifact> pushed = new ArrayList<>();
    for (Medium m : media) {
      String target = ref.registry() + "/" + ref.repository() + ":" + ref.tag().orElse("latest") + m.suffix();
      pushed.add(registry.push(target, m.artifactType(), List.of(ArtifactContent.file(m.file()))));
    }
    return pushed;
  }

  /**
   * Attaches each SBOM file to {@code image} (pinned to its digest) as a referrer of its own, its
   * artifact type from its name ({@code *.spdx.json} SPDX, other {@code *.json} CycloneDX).
   */
  static List<OciArtifact> attachSboms(OciArtifacts registry, String image, List<Path> sboms) throws IOException {
    List<OciArtifact> attached = new ArrayList<>();
    for (Path f : sboms) {
      String type = KairosArtifactTypes.sbomType(f.getFileName().toString());
      attached.add(registry.attach(image, type, List.of(ArtifactContent.file(f, type))));
    }
    return attached;
  }

  /** The facts of a build as the CLI knows them, for its provenance statement. */
  record Facts(SourceSpec from, InitOptions options, Map<String, SourceSpec> providerSources, SourceDate sourceDate,
      String toolVersion) {}

  /**
   * The in-toto statement of a build whose image was pushed as {@code image} (pinned to its
   * digest): base (with its digest when it came from a registry, or the debootstrap suite and
   * mirror), Kairos version and options, framework and provider images (digests from the
   * registry), this tool's version and the source date.
   */
  static Provenance provenance(OciArtifacts registry, ImageReference image, Facts f) throws IOException {
    Provenance.Builder b = Provenance.builder()
        .subject(image.registry() + "/" + image.repository(), image.digest().orElseThrow())
        .kairosVersion(f.options().version)
        .toolVersion(f.toolVersion())
        .sourceDate(f.sourceDate());
    if (f.from() instanceof SourceSpec.Debootstrap d) {
      Debootstrap base = Bootstrap.debootstrap(d.suite());
      b.bootstrap(d.suite(), (d.mirror().isPresent() ? base.mirror(d.mirror().get()) : base).effectiveMirror());
    } else {
      b.base(uri(f.from()), digest(registry, f.from()));
    }
    InitOptions o = f.options();
    Map<String, String> options = new LinkedHashMap<>();
    options.put("model", o.model);
    options.put("stage", o.stage);
    options.put("trusted", o.trusted);
    options.put("fips", String.valueOf(o.fips));
    if (o.arch != null) {
      options.put("arch", o.arch);
    }
    if (!o.providers.isEmpty()) {
      options.put("providers", String.join(",", o.providers));
    }
    if (!String.join("", o.skipSteps).isEmpty()) {
      options.put("skipSteps", String.join(",", o.skipSteps));
    }
    options.forEach(b::option);
    if (o.framework != null) {
      b.dependency("framework", uri(o.framework), digest(registry, o.framework));
    }
    for (Map.Entry<String, SourceSpec> p : f.providerSources().entrySet()) {
      b.dependency("provider-" + p.getKey(), uri(p.getValue()), digest(registry, p.getValue()));
    }
    return b.build();
  }

  private static String uri(SourceSpec s) {
    return s instanceof SourceSpec.Registry r ? "oci://" + r.reference() : s.display();
  }

  /** The digest a registry source's reference points to now; none for other sources. */
  private static Optional<String> digest(OciArtifacts registry, SourceSpec s) throws IOException {
    if (!(s instanceof SourceSpec.Registry r)) {
      return Optional.empty();
    }
    try {
      return Optional.of(registry.digest(r.reference()));
    } catch (InvalidInputException e) {
      return Optional.empty();
    }
  }
}
