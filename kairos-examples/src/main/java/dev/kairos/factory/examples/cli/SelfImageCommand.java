package dev.kairos.factory.examples.cli;

import dev.kairos.factory.core.api.Kairos;
import dev.kairos.factory.core.api.KairosBuild;
import dev.kairos.factory.core.api.SourceDate;
import dev.kairos.factory.core.api.Step;
import dev.kairos.factory.core.api.distro.Architecture;
import dev.kairos.factory.core.api.distro.DistroInfo;
import dev.kairos.factory.core.api.distro.Distros;
import dev.kairos.factory.core.api.distro.PackageManager;
import dev.kairos.factory.core.api.event.EventListener;
import dev.kairos.factory.core.api.event.KairosEvent;
import dev.kairos.factory.core.api.fs.FileMetadata;
import dev.kairos.factory.core.api.fs.FileType;
import dev.kairos.factory.core.api.fs.ImagePath;
import dev.kairos.factory.core.api.fs.RootFs;
import dev.kairos.factory.core.api.image.Artifact;
import dev.kairos.factory.core.api.image.ImageSource;
import dev.kairos.factory.core.api.io.ExclusiveLock;
import dev.kairos.factory.core.api.io.OwnedDirectory;
import dev.kairos.factory.core.api.run.Command;
import dev.kairos.factory.core.api.run.CommandRunner;
import dev.kairos.factory.core.api.run.Runners;
import dev.kairos.factory.oci.api.OciTarget;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * {@code self-image}: kairos-factory's own container image, the one the operator's builder Jobs
 * run, made the way the factory makes every image: a base from {@code --from} (a debootstrap
 * suite by default) laid out in the work directory, Debian's JRE and the host tools a build calls
 * installed in it through the library's sandboxed runner and package manager, this jar and a
 * launcher added, the build's cleanup step run, and the root packed as one layer at the base's
 * source date, so the same inputs give the same manifest digest.
 */
@picocli.CommandLine.Command(name = "self-image", sortOptions = false,
    description = "Build kairos-factory's own container image (a Debian base, Debian's JRE, this jar, the host"
        + " tools a build runs) without a daemon, and push it or write it as an OCI layout.")
final class SelfImageCommand extends Verb {
  /** Where the jar goes in the image. */
  static final ImagePath JAR = ImagePath.of("/usr/share/kairos-factory/kairos-factory.jar");
  /** The launcher on the image's PATH. */
  static final ImagePath LAUNCHER = ImagePath.of("/usr/bin/kairos-factory");
  /** The image's PATH, as Debian's login shells have it for root. */
  static final String PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

  /**
   * The JRE and what {@code build} and the artifact verbs run on the host, by the code that runs
   * them: mmdebstrap ({@code debootstrap:} bases, Debootstrap), bubblewrap (the sandbox every
   * command in an image runs in), mksquashfs (ISO, netboot and the disk's recovery image),
   * mke2fs (the disk's ext2 partitions), grub-mkimage (GRUB's images; its modules from the
   * host) and ca-certificates for TLS registries.
   */
  static final List<String> PACKAGES = List.of("openjdk-17-jre-headless", "ca-certificates", "mmdebstrap",
      "bubblewrap", "squashfs-tools", "e2fsprogs", "grub-common");

  /** GRUB's module directories grub-mkimage reads from the host, by the image's architecture. */
  static List<String> grubModules(Architecture arch) {
    return arch == Architecture.AMD64 ? List.of("grub-pc-bin", "grub-efi-amd64-bin") : List.of("grub-efi-arm64-bin");
  }

  @Option(names = "--push", paramLabel = "REF",
      description = "Push the image to this registry reference, e.g. registry.example.com/kairos-factory:1.0.")
  String push;

  @Option(names = {"-o", "--output"}, paramLabel = "DIR",
      description = "Write the image into this OCI layout directory (tagged with the version) instead of pushing.")
  Path output;

  @Option(names = "--from", paramLabel = "SRC", defaultValue = "debootstrap:bookworm",
      converter = Converters.Source.class,
      description = "The Debian base: debootstrap:SUITE[:MIRROR], or any source build takes (default: ${DEFAULT-VALUE}).")
  SourceSpec from;

  @Option(names = "--mirror", paramLabel = "URL", description = "The mirror of a debootstrap: base.")
  String mirror;

  @Option(names = "--jar", paramLabel = "FILE", converter = Converters.ExistingPath.class,
      description = "The kairos-factory jar to put in the image (default: the running one).")
  Path jar;

  @Option(names = "--insecure", description = "Speak plain HTTP to the registry (the default only for 127.0.0.1"
      + " and localhost).")
  boolean insecure;

  @Mixin CacheOptions cacheOptions;

  @Mixin RunPaths.Work work;

  @Override
  int run(Output out) throws Exception {
    if ((push == null) == (output == null)) {
      throw new ParameterException(spec.commandLine(), "give --push REF or -o DIR (one of them)");
    }
    if (mirror != null && !(from instanceof SourceSpec.Debootstrap)) {
      throw new ParameterException(spec.commandLine(), "--mirror applies to a debootstrap: base, not " + from.display());
    }
    if (jar != null && !Files.isRegularFile(jar)) {
      throw new ParameterException(spec.commandLine(), "Invalid value for option '--jar': " + jar + " is not a file");
    }
    String version = version();
    Path jarFile = jar != null ? jar : runningJar();
    OciTarget target = target(version);
    ImageSource base = base();
    Optional<BuildCache> cache = cacheOptions.cache();
    CommandRunner runner = cache.map(c -> c.runner(Runners.chroot())).orElseGet(Runners::chroot);
    EventListener events = events(out);
    long start = System.nanoTime();
    // The layout directory is this run's until it is written; a push writes nothing here to lock.
    ExclusiveLock outputLock = output == null ? null : ExclusiveLock.forOutput(output);
    try (OwnedDirectory w = WorkDirectory.prepare(work, output == null ? List.of() : List.of(output))) {
      RootFs root = base.materialize(w.path().resolve(WorkDirectory.ROOTFS), events);
      // The date is the base's, read before anything changes it: the same base gives the same image.
      SourceDate date = SourceDate.fromInputs(System.getenv(), base.created(root), root);
      install(root, runner, date, events);
      addJar(root, jarFile, date);
      try (KairosBuild build = cleanup(root, runner, date, events)) {
        Artifact a = build.output(target.withLabel("org.opencontainers.image.created",
            DateTimeFormatter.ISO_INSTANT.format(date.instant())).withWorkDirectory(w.path()));
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("reference", a.location());
        result.put("digest", a.digest().orElse(null));
        result.put("size", a.size());
        result.put("version", version);
        result.put("sourceDate", date.instant().getEpochSecond());
        result.put("seconds", (System.nanoTime() - start) / 1e9);
        out.result(result, "self-image " + a.location() + "  " + ProgressRenderer.amount(a.size())
            + a.digest().map(d -> "  " + d).orElse(""));
        return 0;
      }
    } finally {
      if (outputLock != null) {
        outputLock.close();
      }
    }
  }

  /** The push or layout target, its entrypoint, PATH and labels set. */
  private OciTarget target(String version) throws IOException {
    OciTarget t;
    if (push != null) {
      t = InitOptions.attribute(spec, "--push", () -> BuildCommand.registry(push));
      if (insecure) {
        t = t.withInsecure(true);
      }
    } else {
      t = OciTarget.layout(output, version.replace('+', '_'));
    }
    return t.withLayers(OciTarget.Layers.SQUASHED)
        .withEntrypoint(List.of("kairos-factory"))
        .withEnv("PATH", PATH)
        .withLabel("org.opencontainers.image.title", "kairos-factory")
        .withLabel("org.opencontainers.image.version", version);
  }

  /** {@code --from}, with {@code --mirror}, through the cache unless {@code --no-cache}. */
  private ImageSource base() throws IOException {
    SourceSpec s = from;
    if (mirror != null) {
      s = new SourceSpec.Debootstrap(((SourceSpec.Debootstrap) from).suite(), Optional.of(mirror));
    }
    ImageSource source = Sources.image(s);
    return cacheOptions.cache().map(c -> c.source(source)).orElse(source);
  }

  /**
   * The JRE and the host tools, installed with the image's own package manager in the sandbox;
   * every command gets the source date as {@code SOURCE_DATE_EPOCH} (the day after the epoch at
   * the least, as the build's commands do: day 0 in {@code /etc/shadow} expires passwords).
   */
  private void install(RootFs root, CommandRunner runner, SourceDate date, EventListener events) throws IOException {
    long start = System.nanoTime();
    events.onEvent(new KairosEvent.StepStarted("packages", "installs the JRE and the host tools a build runs"));
    DistroInfo info = Distros.detect(root);
    PackageManager pm = Distros.strategy(info.family()).packageManager(info);
    List<String> packages = new ArrayList<>(PACKAGES);
    packages.addAll(grubModules(info.arch()));
    for (Command c : List.of(pm.refresh(), pm.install(packages))) {
      runner.run(root, c.toBuilder().env(SourceDate.ENVIRONMENT_VARIABLE, date.commandEpoch()).timeout(Duration.ofMinutes(30))
          .output(events).build()).requireSuccess();
    }
    events.onEvent(new KairosEvent.StepFinished("packages", Duration.ofNanos(System.nanoTime() - start), false));
  }

  /** The jar at {@link #JAR} and a launcher at {@link #LAUNCHER} that runs it with the image's java. */
  static void addJar(RootFs root, Path jarFile, SourceDate date) throws IOException {
    root.copyIn(jarFile, JAR, FileMetadata.builder(FileType.REGULAR).mode(0644).mtime(date.instant()).build());
    String launcher = "#!/bin/sh\n# kairos-factory, as the image's entrypoint and on its PATH\nexec java -jar "
        + JAR + " \"$@\"\n";
    root.write(LAUNCHER, launcher.getBytes(StandardCharsets.UTF_8), 0755);
  }

  /**
   * The build's cleanup step alone (package caches and lists, the package manager's logs,
   * ldconfig's cache, machine ids, the install's dates in the JRE's trust store): what makes two
   * runs of the same inputs equal.
   */
  private KairosBuild cleanup(RootFs root, CommandRunner runner, SourceDate date, EventListener events)
      throws IOException {
    Step[] skipped = Arrays.stream(Step.values()).filter(s -> !s.isPhase() && s != Step.CLEANUP).toArray(Step[]::new);
    return InitOptions.checked(spec, () -> Kairos.fromRoot(root).version(Kairos.VERSION).skip(skipped)
        .sourceDate(date).runner(runner).onEvent(events).build());
  }

  /** This tool's version, as {@code --version} prints it. */
  static String version() {
    String v = new KairosFactoryCli.Version().getVersion()[0];
    return v.substring(v.indexOf(' ') + 1);
  }

  /** The jar this JVM runs kairos-factory from; a usage error when it runs from classes (give --jar). */
  private Path runningJar() {
    try {
      Path p = Path.of(KairosFactoryCli.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      if (Files.isRegularFile(p) && p.getFileName().toString().endsWith(".jar")) {
        return p;
      }
      throw new ParameterException(spec.commandLine(), "kairos-factory runs from " + p + ", not a jar: give --jar FILE");
    } catch (URISyntaxException | SecurityException | NullPointerException e) {
      throw new ParameterException(spec.commandLine(), "cannot tell which jar runs kairos-factory: give --jar FILE", e);
    }
  }
}
