package dev.kairos.factory.examples.cli;

import dev.kairos.factory.core.api.KairosException;
import dev.kairos.factory.core.api.event.EventListener;
import dev.kairos.factory.core.api.image.ImageSource;
import dev.kairos.factory.core.api.io.ExclusiveLock;
import dev.kairos.factory.core.api.io.ScratchDirectory;
import dev.kairos.factory.oci.api.OciSource;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
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

  @Option(names = "--platform", paramLabel = "OS/ARCH[/VARIANT]",
      description = "Platform to pick from a multi-platform image, or to bootstrap (default: this machine's).")
  String platform;

  @Mixin CacheOptions cacheOptions;

  @Override
  int run(Output out) throws Exception {
    ImageSource image = platform == null ? Sources.image(source)
        : Sources.image(source, Sources.architecture(platform));
    if (image instanceof OciSource oci && platform != null) {
      image = oci.withPlatform(platform);
    }
    ImageSource base = image;
    image = cacheOptions.cache().map(c -> c.source(base)).orElse(base);
    long start = System.nanoTime();
    unpack(image, to, events(out));
    Map<String, Object> result = new LinkedHashMap<>();
    result.put("source", source.display());
    result.put("rootfs", to.toString());
    result.put("seconds", (System.nanoTime() - start) / 1e9);
    out.result(result, "pulled " + source.display() + " into " + to + " in "
        + ProgressRenderer.seconds((System.nanoTime() - start) / 1_000_000));
    return 0;
  }

  /**
   * Unpacks into a scratch directory beside {@code to} and renames it to {@code to} when whole: an
   * interrupted or failed pull leaves no partial tree under the name, and no {@code to} it created.
   * {@code to} is locked meanwhile; scratch directories of dead pulls beside it are removed first.
   */
  static void unpack(ImageSource image, Path to, EventListener events) throws IOException {
    Path target = to.toAbsolutePath().normalize();
    try (ExclusiveLock lock = ExclusiveLock.forOutput(target)) {
      if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
        try (DirectoryStream<Path> s = Files.newDirectoryStream(target)) {
          if (s.iterator().hasNext()) {
            throw new KairosException(to + ": the directory to unpack " + image.description() + " into is not empty");
          }
        }
      }
      ScratchDirectory.sweep(target.getParent());
      try (ScratchDirectory scratch = ScratchDirectory.in(target.getParent(), "pull")) {
        Path staged = scratch.dir().resolve("rootfs");
        image.materialize(staged, events);
        Files.deleteIfExists(target); // empty, checked above
        Files.move(staged, target, StandardCopyOption.ATOMIC_MOVE);
      }
    }
  }
}
