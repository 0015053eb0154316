package dev.kairos.factory.examples.cli;

import dev.kairos.factory.core.api.image.ImageSource;
import dev.kairos.factory.oci.api.OciSource;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code pull}: an image into a root filesystem directory. */
@Command(name = "pull", description = "Pull an image and unpack it into a directory.")
final class PullCommand extends Verb {
  @Parameters(index = "0", paramLabel = "SRC", converter = Converters.Source.class,
      description = "REF, oci-layout:DIR[:TAG], oci-archive:FILE, docker-archive:FILE, dir:DIR or debootstrap:SUITE[:MIRROR].")
  SourceSpec source;

  @Option(names = "--to", required = true, paramLabel = "DIR", description = "Directory to unpack into.")
  Path to;

  @Option(names = "--platform", paramLabel = "OS/ARCH[/VARIANT]", defaultValue = "linux/amd64",
      description = "Platform to pick from a multi-platform image (default: ${DEFAULT-VALUE}).")
  String platform;

  @Mixin CacheOptions cacheOptions;

  @Override
  int run(Output out) throws Exception {
    ImageSource image = Sources.image(source);
    if (image instanceof OciSource oci) {
      image = oci.withPlatform(platform);
    }
    ImageSource base = image;
    image = cacheOptions.cache().map(c -> c.source(base)).orElse(base);
    long start = System.nanoTime();
    image.materialize(to, events(out));
    Map<String, Object> result = new LinkedHashMap<>();
    result.put("source", source.display());
    result.put("rootfs", to.toString());
    result.put("seconds", (System.nanoTime() - start) / 1e9);
    out.result(result, "pulled " + source.display() + " into " + to + " in "
        + ProgressRenderer.seconds((System.nanoTime() - start) / 1_000_000));
    return 0;
  }
}
