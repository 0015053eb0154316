package dev.kairos.factory.examples.cli;

import dev.kairos.factory.core.api.SourceDate;
import dev.kairos.factory.core.api.fs.RootFs;
import dev.kairos.factory.core.api.image.Artifact;
import dev.kairos.factory.core.api.image.BuiltImage;
import dev.kairos.factory.core.api.image.ImageSource;
import dev.kairos.factory.core.api.release.KairosRelease;
import dev.kairos.factory.oci.api.OciTarget;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code push}: a root filesystem as an image on top of a base. */
@Command(name = "push", description = "Pack a root filesystem as an image (config carried over from its base) and push it.")
final class PushCommand extends Verb {
  @Mixin RunPaths.Root root;

  @Option(names = "--base", required = true, paramLabel = "SRC", converter = Converters.Source.class,
      description = "The image the root was made from.")
  SourceSpec base;

  @Parameters(index = "0", paramLabel = "REF", description = "Where to push, e.g. 127.0.0.1:5000/kairos/debian:v1.0.0.")
  String reference;

  /** A root read from disk, with the release keys it carries. */
  record RootImage(RootFs rootFs, Optional<ImageSource> base, SortedMap<String, String> kairosRelease,
      SourceDate sourceDate) implements BuiltImage {}

  @Override
  int run(Output out) throws Exception {
    OciTarget target = InitOptions.attribute(spec, "REF", () -> {
      try {
        return OciTarget.registry(reference);
      } catch (dev.kairos.factory.core.api.InvalidInputException e) {
        throw new IllegalArgumentException(e.getMessage(), e);
      }
    });
    RootFs rootFs = RootFs.at(root.path);
    // A root that was not unpacked from its base in this process is pushed as one squashed layer.
    BuiltImage image = new RootImage(rootFs, Optional.of(Sources.image(base)), KairosRelease.read(rootFs),
        SourceDate.fromEnvironment());
    Artifact a = target.write(image, events(out));
    Map<String, Object> result = new LinkedHashMap<>();
    result.put("reference", a.location());
    result.put("size", a.size());
    result.put("digest", a.digest().orElse(null));
    out.result(result, "pushed " + a.location() + "  " + ProgressRenderer.amount(a.size())
        + a.digest().map(d -> "  " + d).orElse(""));
    return 0;
  }
}
