package dev.kairos.factory.examples.cli;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import dev.kairos.factory.boot.api.BootMediaOptions;
import dev.kairos.factory.boot.api.disk.RawDisk;
import dev.kairos.factory.boot.api.uki.UkiCmdlines;
import dev.kairos.factory.core.api.BuildPlan;
import dev.kairos.factory.core.api.Kairos;
import dev.kairos.factory.core.api.KairosBuild;
import dev.kairos.factory.core.api.distro.Architecture;
import dev.kairos.factory.core.api.ImageBuilder;
import dev.kairos.factory.core.api.cache.StepCacheReport;
import dev.kairos.factory.core.api.image.Artifact;
import dev.kairos.factory.core.api.image.ArtifactKind;
import dev.kairos.factory.core.api.image.ArtifactTarget;
import dev.kairos.factory.core.api.image.ImageSource;
import dev.kairos.factory.core.api.io.ExclusiveLock;
import dev.kairos.factory.core.api.lock.Lock;
import dev.kairos.factory.core.api.io.OwnedDirectory;
import dev.kairos.factory.core.api.io.ScratchDirectory;
import dev.kairos.factory.core.api.run.Runners;
import dev.kairos.factory.core.api.validate.ValidationReport;
import dev.kairos.factory.distros.api.Debootstrap;
import dev.kairos.factory.distros.api.sbom.Sbom;
import dev.kairos.factory.distros.api.sbom.SbomFormat;
import dev.kairos.factory.oci.api.KairosArtifactName;
import dev.kairos.factory.oci.api.ImageReference;
import dev.kairos.factory.oci.api.OciSource;
import dev.kairos.factory.oci.api.OciTarget;
import dev.kairos.factory.oci.api.PlatformImage;
import dev.kairos.factory.oci.api.artifact.KairosArtifactTypes;
import dev.kairos.factory.oci.api.artifact.OciArtifact;
import dev.kairos.factory.oci.api.artifact.OciArtifacts;
import dev.kairos.factory.oci.api.artifact.Provenance;
import dev.kairos.factory.oci.api.sign.Dsse;
import dev.kairos.factory.oci.api.sign.SigningKey;
import java.io.IOException;
import java.nio.file.FileSystem;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/** {@code build}: the whole pipeline, from a base image to artifacts. */
@Command(name = "build", sortOptions = false,
    description = "Build a Kairos image from a base image and write the artifacts asked for.")
final class BuildCommand extends Verb {
  @Option(names = "--from", required = true, paramLabel = "SRC", converter = Converters.Source.class,
      description = "Base image: REF, oci-layout:DIR[:TAG], oci-archive:FILE, docker-archive:FILE,"
          + " dir:DIR or debootstrap:SUITE[:MIRROR].")
  SourceSpec from;

  @Mixin InitOptions options;

  @Mixin CacheOptions cacheOptions;

  @Mixin DownloadOptions downloads;

  @Option(names = "--refresh", description = "Reuse no step from the step cache: run every step (downloads are"
      + " still reused) and save the results anew.")
  boolean refresh;

  @Option(names = "--push", paramLabel = "REF", description = "Push the image to this registry reference.")
  String push;

  @Option(names = "--push-artifacts", description = "With --push: also push the ISO, raw disk and UKI asked for as"
      + " OCI artifacts REF-iso, REF-img and REF-uki.")
  boolean pushArtifacts;
  @Option(names = "--sign-key", paramLabel = "KEY", description = "With --push: sign the pushed image with this key"
      + " (cosign.key, password from COSIGN_PASSWORD, or PEM), as cosign sign --key does.")
  Path signKey;

  /** The key read from {@code --sign-key}, once the options are checked. */
  private SigningKey signingKey;

  @Option(names = "--oci-layout", paramLabel = "DIR", description = "Write the image as an OCI layout (tagged with the artifact tag).")
  Path ociLayout;

  @Option(names = "--oci-archive", paramLabel = "FILE", description = "Write the image as an OCI archive.")
  Path ociArchive;

  @Option(names = "--iso", paramLabel = "FILE", description = "Write the live/installer ISO.")
  Path iso;

  @Mixin EfiLoaderOption efiLoader;

  @Option(names = "--cloud-config", paramLabel = "FILE", converter = Converters.ExistingPath.class,
      description = "Cloud-config for the first boot of the ISO, disk and netboot media.")
  Path cloudConfig;

  @Option(names = "--uki", paramLabel = "FILE", description = "Write a signed UKI (needs --keys).")
  Path uki;

  @Option(names = "--keys", paramLabel = "DIR", description = "Secure Boot keys (from genkey) to sign with.")
  Path keys;

  @Option(names = "--disk", paramLabel = "FILE", description = "Write the raw disk image.")
  Path disk;

  @Option(names = "--vhd", paramLabel = "FILE", description = "Write the raw disk as an Azure fixed VHD.")
  Path vhd;

  @Option(names = "--gce", paramLabel = "FILE", description = "Write the raw disk as a GCE image (disk.raw in a gzip tar).")
  Path gce;

  @Option(names = "--bios", description = "With --disk, --vhd or --gce: the disk for legacy BIOS instead of EFI.")
  boolean bios;

  @Option(names = "--netboot", paramLabel = "DIR", description = "Write kernel, initrd, squashfs and iPXE script.")
  Path netboot;

  @Option(names = "--sbom", paramLabel = "DIR",
      description = "Write the image's SBOM as CycloneDX 1.6 (NAME.cdx.json) and SPDX 2.3 (NAME.spdx.json) into DIR.")
  Path sbom;

  @Option(names = "--lock-out", paramLabel = "FILE",
      description = "Where to write the package lock; default kairos.lock beside the first output (or here).")
  Path lockOut;

  @Option(names = "--lock", paramLabel = "FILE",
      description = "Replay this lock: the same base, exactly its package versions, every package file's SHA-256"
          + " verified before it is unpacked.")
  Path lock;

  @Option(names = "--lock-mirror", paramLabel = "URL",
      description = "With --lock: a further repository to look in after the cache and the image's own (a snapshot"
          + " archive as 'URL SUITE COMPONENT...', or a flat local repository URL).")
  String lockMirror;

  @Option(names = "--platform", split = ",", paramLabel = "OS/ARCH[/VARIANT]",
      description = "The platform(s) to build, e.g. linux/arm64 (default: the image's, else this machine's). A registry"
          + " base gives that platform's image of an index. Several (comma-separated) need --push: each is built in"
          + " turn, then one OCI image index with all of them is pushed.")
  List<String> platforms;

  @Mixin RunPaths.Work work;

  @Override
  int run(Output out) throws Exception {
    if (platforms != null && options.arch != null) {
      throw new ParameterException(spec.commandLine(), "--arch and --platform both name the architecture; give one");
    }
    if (platforms != null && platforms.size() > 1) {
      return buildPlatforms(out);
    }
    // Everything that can be refused is refused before the long work starts.
    if (uki != null && keys == null) {
      throw new ParameterException(spec.commandLine(), "--uki needs --keys DIR");
    }
    if (bios && disk == null && vhd == null && gce == null) {
      throw new ParameterException(spec.commandLine(), "--bios needs --disk, --vhd or --gce FILE");
    }
    if (pushArtifacts && (push == null || iso == null && disk == null && uki == null)) {
      throw new ParameterException(spec.commandLine(), "--push-artifacts needs --push REF and --iso, --disk or --uki");
    }
    if (lockMirror != null && lock == null) {
      throw new ParameterException(spec.commandLine(), "--lock-mirror needs --lock FILE");
    }
    List<Target> targets = targets();
    ImageSource base = platforms == null ? Sources.image(from, options.architecture(spec))
        : source(platforms.get(0));
    if (platforms != null) {
      options.arch = arch(platforms.get(0)).id();
    }
    if (options.dryRun) {
      return dryRun(out, base);
    }
    ImageBuilder kairos = builder(base, cacheOptions.cache());
    if (lock != null) {
      kairos.lock(Lock.read(lock));
      if (lockMirror != null) {
        InitOptions.attribute(spec, "--lock-mirror", () -> kairos.lockMirror(lockMirror));
      }
    }
    // Nothing is written to the work directory before it is claimed below.
    kairos.workDirectory(work.dir().toAbsolutePath());
    InitOptions.checked(spec, kairos::options);
    // Every output and the work directory are held for the whole run; a second run fails at once,
    // before the previous root in the work directory is removed.
    List<ExclusiveLock> locks = new ArrayList<>();
    try {
      for (Path o : outputs()) {
        locks.add(ExclusiveLock.forOutput(o));
      }
      locks.add(ExclusiveLock.forOutput(lockFile()));
      return build(out, kairos, targets);
    } finally {
      for (ExclusiveLock l : locks) {
        l.close();
      }
    }
  }

  /**
   * {@code --platform P1,P2,... --push REF}: builds each platform in turn in its own entry of the
   * work directory (the build cache is shared), keeps the builds open, then pushes one OCI image
   * index holding each platform's image (platform fields set) to {@code REF}.
   */
  private int buildPlatforms(Output out) throws Exception {
    if (push == null) {
      throw new ParameterException(spec.commandLine(), "several --platform values need --push REF (one index of them)");
    }
    if (!outputs().isEmpty() || signKey != null || pushArtifacts || lock != null || lockOut != null || options.dryRun) {
      throw new ParameterException(spec.commandLine(), "several --platform values build only the pushed index; give"
          + " one --platform for other outputs, --sign-key, --push-artifacts, a lock or --dry-run");
    }
    OciTarget registry = InitOptions.attribute(spec, "--push", () -> registry(push));
    List<ImageSource> sources = new ArrayList<>();
    for (String p : platforms) {
      sources.add(source(p)); // every platform is checked before the first build starts
    }
    Optional<BuildCache> cache = cacheOptions.cache();
    long start = System.nanoTime();
    List<KairosBuild> builds = new ArrayList<>();
    try (OwnedDirectory w = work.claim()) {
      List<PlatformImage> images = new ArrayList<>();
      List<Map<String, Object>> built = new ArrayList<>();
      for (int i = 0; i < platforms.size(); i++) {
        String p = platforms.get(i);
        String entry = p.replace('/', '-');
        w.delete(entry);
        ImageSource base = sources.get(i);
        ImageBuilder kairos = builder(base, cache);
        kairos.arch(arch(p)).workDirectory(w.path().resolve(entry));
        StepTimes times = new StepTimes();
        KairosBuild build = InitOptions.checked(spec, kairos.onEvent(events(out, times))::build);
        builds.add(build);
        images.add(InitOptions.attribute(spec, "--platform", () -> PlatformImage.of(p, build)));
        Map<String, Object> one = new LinkedHashMap<>();
        one.put("platform", p);
        one.put("rootfs", w.path().resolve(entry).resolve(WorkDirectory.ROOTFS).toString());
        one.put("release", build.kairosRelease());
        one.put("steps", times.json());
        one.put("slowest", times.summary());
        built.add(one);
      }
      Artifact index = registry.writeIndex(images, events(out));
      double seconds = (System.nanoTime() - start) / 1e9;
      Map<String, Object> json = new LinkedHashMap<>();
      json.put("index", index.location());
      json.put("digest", index.digest().orElse(null));
      json.put("platforms", built);
      json.put("seconds", seconds);
      StringBuilder text = new StringBuilder(String.format(java.util.Locale.ROOT, "built %d platforms in %.1f s%n",
          platforms.size(), seconds));
      for (Map<String, Object> b : built) {
        text.append(String.format("  %-12s %s%n  %-12s slowest: %s%n", b.get("platform"), b.get("rootfs"), "",
            b.get("slowest")));
      }
      text.append("  index        ").append(index.location()).append(index.digest().map(d -> "  " + d).orElse(""));
      out.result(json, text.toString());
      return 0;
    } finally {
      for (KairosBuild b : builds) {
        b.close();
      }
    }
  }

  /**
   * A builder from {@code base} with the options given: through the build cache and its step cache
   * unless {@code --no-cache} ({@code --refresh} reuses no step).
   */
  private ImageBuilder builder(ImageSource base, Optional<BuildCache> cache) throws IOException {
    ImageBuilder kairos = Kairos.from(cache.map(c -> c.source(base)).orElse(base));
    cache.ifPresent(c -> kairos.runner(c.runner(Runners.chroot())).stepCache(c.steps()));
    if (refresh) {
      if (cache.isEmpty()) {
        throw new ParameterException(spec.commandLine(), "--refresh and --no-cache: choose one");
      }
      kairos.refreshStepCache();
    }
    options.apply(spec, kairos, Sources.framework(options.framework));
    downloads.apply(spec, kairos);
    return kairos;
  }

  /** The base image for platform {@code p}: a registry or layout base's image of that platform, a debootstrap base for its architecture. */
  private ImageSource source(String p) throws IOException {
    ImageSource base = Sources.image(from, arch(p));
    if (base instanceof OciSource oci) {
      return InitOptions.attribute(spec, "--platform", () -> oci.withPlatform(p));
    }
    return base;
  }

  /** The architecture of platform {@code p} ({@code linux/arm64} is arm64). */
  private Architecture arch(String p) throws IOException {
    return InitOptions.attribute(spec, "--platform", () -> Sources.architecture(p));
  }

  /** Claims the work directory (removing the previous root), builds, and writes the targets. */
  private int build(Output out, ImageBuilder kairos, List<Target> targets) throws Exception {
    try (OwnedDirectory w = WorkDirectory.prepare(work, outputs())) {
      Path rootfs = w.path().resolve(WorkDirectory.ROOTFS);
      long start = System.nanoTime();
      StepTimes times = new StepTimes();
      try (KairosBuild build = InitOptions.checked(spec, kairos.onEvent(events(out, times))::build)) {
        ValidationReport report = build.validate();
        KairosArtifactName name = KairosArtifactName.fromRelease(build.kairosRelease());
        List<Artifact> artifacts = new ArrayList<>();
        for (Target t : targets) {
          artifacts.add(t.write(build, name, w));
        }
        Map<String, String> sboms = sboms(build, name);
        List<Published> published = publish(build, artifacts, sboms);
        Optional<Path> written = Optional.empty();
        if (build.lock().isPresent()) {
          build.lock().get().write(lockFile());
          written = Optional.of(lockFile().toAbsolutePath());
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        Map<String, Object> json = resultJson(name, rootfs, artifacts, build, report, seconds);
        json.put("lock", written.map(Path::toString).orElse(null));
        json.put("registryArtifacts", published.stream().map(Published::json).toList());
        json.put("steps", times.json());
        json.put("stepCache", build.stepCache().map(BuildCommand::stepCacheJson).orElse(null));
        StringBuilder text = new StringBuilder(human(name, rootfs, artifacts, report, seconds));
        build.stepCache().ifPresent(c -> text.append("\n  ").append(stepCacheText(c)));
        text.append("\n  slowest    ").append(times.summary());
        written.ifPresent(p -> text.append("\n  lock       ").append(p));
        if (!sboms.isEmpty()) {
          json.put("sbom", sboms);
          sboms.forEach((f, p) -> text.append(String.format("%n  %-10s %s", "sbom", p)));
        }
        published.forEach(p -> text.append(String.format("%n  %-10s %s  %s", p.role(), p.artifact().reference(),
            p.artifact().artifactType())));
        out.result(json, text.toString());
        return 0;
      }
    }
  }

  /** {@code {key, restored, reused, ran, saved}}: what the step cache did. */
  static Map<String, Object> stepCacheJson(StepCacheReport c) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("key", c.key());
    m.put("restored", c.restored());
    m.put("reused", c.reused());
    m.put("ran", c.ran());
    m.put("saved", c.saved());
    return m;
  }

  static String stepCacheText(StepCacheReport c) {
    return String.format("step cache key %s: %d steps reused%s, %d ran", c.key(), c.reused().size(),
        c.lastRestored().map(k -> " (from " + k.substring(0, 16) + ")").orElse(""), c.ran().size());
  }

  /** An OCI artifact {@code build --push} put in the registry: the boot media, SBOMs, provenance. */
  record Published(String role, OciArtifact artifact) {
    Map<String, Object> json() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("role", role);
      m.putAll(ArtifactCommand.json(artifact));
      return m;
    }
  }

  /**
   * With {@code --push}: the boot media as {@code REF-iso}/{@code -img}/{@code -uki} (with
   * {@code --push-artifacts}), then the SBOMs and the provenance statement attached to the pushed
   * image, pinned to its digest.
   */
  private List<Published> publish(KairosBuild build, List<Artifact> artifacts, Map<String, String> sboms)
      throws IOException {
    if (push == null) {
      return List.of();
    }
    String digest = artifacts.stream().filter(a -> a.kind() == ArtifactKind.OCI_IMAGE).findFirst()
        .flatMap(Artifact::digest).orElseThrow(() -> new IllegalStateException("--push wrote no image"));
    ImageReference ref = ImageReference.parse(push);
    ImageReference image = ImageReference.parse(ref.registry() + "/" + ref.repository() + "@" + digest);
    OciArtifacts registry = OciArtifacts.create().withCreated(build.sourceDate());
    List<Published> published = new ArrayList<>();
    if (pushArtifacts) {
      for (OciArtifact a : RegistryPublish.pushMedia(registry, push, RegistryPublish.media(iso, disk, uki))) {
        published.add(new Published("artifact", a));
      }
    }
    for (OciArtifact a : RegistryPublish.attachSboms(registry, image.toString(),
        sboms.values().stream().map(Path::of).toList())) {
      published.add(new Published("sbom", a));
    }
    Provenance statement = RegistryPublish.provenance(registry, image, new RegistryPublish.Facts(from, options,
        providerSources(), build.sourceDate(), toolVersion()));
    // Signed with the image's key when one is given: a DSSE envelope, as in-toto attestations are.
    published.add(new Published("provenance", signingKey == null
        ? registry.attachProvenance(image.toString(), statement.toJson(), KairosArtifactTypes.IN_TOTO)
        : registry.attachProvenance(image.toString(), Dsse.sign(statement.toJson(), Dsse.IN_TOTO_PAYLOAD, signingKey),
            KairosArtifactTypes.DSSE_ENVELOPE)));
    return published;
  }

  /** The {@code --provider-NAME-from} sources given, by provider name. */
  private Map<String, SourceSpec> providerSources() throws IOException {
    Map<String, SourceSpec> m = new LinkedHashMap<>();
    for (String name : options.providers) {
      OptionSpec o = name.isEmpty() ? null : spec.findOption("--provider-" + name + "-from");
      if (o != null && o.getValue() != null) {
        String value = o.getValue();
        m.put(name, InitOptions.attribute(spec, "--provider-" + name + "-from", () -> SourceSpec.parse(value)));
      }
    }
    return m;
  }

  private static String toolVersion() {
    String v = new KairosFactoryCli.Version().getVersion()[0];
    return v.substring(v.indexOf(' ') + 1);
  }

  /**
   * Prints the plan and writes nothing anywhere: the base is unpacked into memory (no work
   * directory, no cache), since the plan depends on what it holds; a debootstrap base is not
   * bootstrapped, its suite names the release (see {@link Debootstrap#sketch}) and its
   * architecture is {@code --arch} or this machine's.
   */
  private int dryRun(Output out, ImageSource base) throws Exception {
    try (FileSystem memory = Jimfs.newFileSystem(Configuration.unix())) {
      ImageBuilder kairos;
      if (base instanceof Debootstrap d) {
        kairos = Kairos.fromRoot(d.sketch(memory.getPath("/base")));
        kairos.arch(d.arch());
      } else {
        kairos = Kairos.from(base).workDirectory(memory.getPath("/work"));
      }
      options.apply(spec, kairos, Sources.framework(options.framework));
      downloads.apply(spec, kairos);
      BuildPlan plan = InitOptions.checked(spec, kairos::plan);
      out.result(planJson(plan), plan.toString().strip());
      return 0;
    }
  }

  /** With {@code --sbom}: both formats of the built root's SBOM in that directory, by format name. */
  private Map<String, String> sboms(KairosBuild build, KairosArtifactName name) throws IOException {
    Map<String, String> written = new LinkedHashMap<>();
    if (sbom != null) {
      Sbom bill = Sbom.read(build.rootFs(), build.sourceDate().instant());
      for (SbomFormat f : SbomFormat.values()) {
        Path file = sbom.resolve(name.bootableName() + "." + f.extension());
        written.put(f.toString(), bill.write(f, file).toString());
      }
    }
    return written;
  }

  /** Where the lock goes: {@code --lock-out}, else {@code kairos.lock} beside the first output, else here. */
  private Path lockFile() {
    if (lockOut != null) {
      return lockOut;
    }
    List<Path> o = outputs();
    Path dir = o.isEmpty() ? null : o.get(0).toAbsolutePath().getParent();
    return dir == null ? Path.of(Lock.FILE_NAME) : dir.resolve(Lock.FILE_NAME);
  }

  /** The files and directories this run writes. */
  private List<Path> outputs() {
    List<Path> o = new ArrayList<>();
    for (Path p : new Path[] {ociLayout, ociArchive, iso, uki, disk, vhd, gce, netboot, sbom}) {
      if (p != null) {
        o.add(p);
      }
    }
    return o;
  }

  /** An artifact asked for; what it writes may depend on the image's name. */
  interface Target {
    Artifact write(KairosBuild build, KairosArtifactName name, OwnedDirectory work) throws IOException;

    static Target of(ArtifactTarget target) {
      return (build, name, work) -> build.output(target);
    }

    /** A boot medium, its intermediate files in a scratch directory of the claimed work directory. */
    static Target boot(String kind, BootImages.TargetInScratch target) {
      return (build, name, work) -> {
        try (ScratchDirectory scratch = work.scratch(kind)) {
          return build.output(target.make(scratch.dir()));
        }
      };
    }
  }

  /** Every artifact flag mapped to its target. Boot media make their intermediate files in a scratch directory of --work. */
  private List<Target> targets() throws Exception {
    List<Target> t = new ArrayList<>();
    if (signKey != null && push == null) {
      throw new ParameterException(spec.commandLine(), "--sign-key needs --push REF");
    }
    if (push != null) {
      OciTarget registry = InitOptions.attribute(spec, "--push", () -> registry(push));
      // The key is read (and its password checked) before the long work starts.
      SigningKey key = signKey == null ? null : SignCommands.readKey(signKey);
      signingKey = key;
      t.add(key == null ? Target.of(registry) : (build, name, w) -> {
        Artifact pushed = build.output(registry);
        SignCommands.signPushed(push, pushed, key);
        return pushed;
      });
    }
    if (ociLayout != null) {
      t.add((build, name, w) -> build.output(OciTarget.layout(ociLayout, name.tag())));
    }
    if (ociArchive != null) {
      t.add((build, name, w) -> build.output(OciTarget.archive(ociArchive).withTag(name.tag())));
    }
    if (iso != null) {
      t.add(Target.boot("iso", s -> BootImages.iso(iso, boot(s))));
    }
    if (uki != null) {
      t.add(Target.boot("uki", s -> BootImages.uki(keys, UkiCmdlines.DEFAULT, uki, boot(s))));
    }
    if (disk != null) {
      t.add(Target.boot("disk", s -> BootImages.disk(disk, bios, RawDisk.Format.RAW, boot(s))));
    }
    if (vhd != null) {
      t.add(Target.boot("vhd", s -> BootImages.disk(vhd, bios, RawDisk.Format.VHD, boot(s))));
    }
    if (gce != null) {
      t.add(Target.boot("gce", s -> BootImages.disk(gce, bios, RawDisk.Format.GCE, boot(s))));
    }
    if (netboot != null) {
      t.add(Target.of(BootImages.netboot(netboot, "http://127.0.0.1:8090", null)));
    }
    return t;
  }

  /** The boot media's options: the EFI loader asked for, intermediate files in {@code scratch}. */
  private BootMediaOptions boot(Path scratch) throws IOException {
    return BootImages.options(scratch, cloudConfig, efiLoader.value);
  }

  /** The registry target of {@code reference}; a malformed one is an IllegalArgumentException, for {@link InitOptions#attribute}. */
  static OciTarget registry(String reference) {
    try {
      return OciTarget.registry(reference);
    } catch (dev.kairos.factory.core.api.InvalidInputException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
  }

  static Map<String, Object> planJson(BuildPlan plan) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("distro", plan.distro());
    m.put("basePackages", plan.basePackages());
    m.put("kernelPackages", plan.kernelPackages());
    List<Map<String, Object>> steps = new ArrayList<>();
    for (BuildPlan.PlannedStep s : plan.steps()) {
      Map<String, Object> step = new LinkedHashMap<>();
      step.put("name", s.name());
      step.put("phase", s.phase().id());
      step.put("skipped", s.skipped());
      step.put("actions", s.actions());
      step.put("files", s.files().stream().map(Object::toString).toList());
      steps.add(step);
    }
    m.put("steps", steps);
    return m;
  }

  private static Map<String, Object> resultJson(KairosArtifactName name, Path rootfs, List<Artifact> artifacts,
      KairosBuild build, ValidationReport report, double seconds) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", name.bootableName());
    m.put("tag", name.tag());
    m.put("rootfs", rootfs.toString());
    List<Map<String, Object>> list = new ArrayList<>();
    for (Artifact a : artifacts) {
      Map<String, Object> e = new LinkedHashMap<>();
      e.put("kind", a.kind().name());
      e.put("location", a.location());
      e.put("size", a.size());
      e.put("digest", a.digest().orElse(null));
      list.add(e);
    }
    m.put("artifacts", list);
    m.put("release", build.kairosRelease());
    m.put("validation", ValidateCommand.json(report));
    m.put("seconds", seconds);
    return m;
  }

  private static String human(KairosArtifactName name, Path rootfs, List<Artifact> artifacts, ValidationReport report,
      double seconds) {
    StringBuilder b = new StringBuilder();
    b.append(String.format(java.util.Locale.ROOT, "built %s in %.1f s%n", name.bootableName(), seconds));
    b.append("  rootfs     ").append(rootfs).append('\n');
    for (Artifact a : artifacts) {
      // A pushed image has no size here (its bytes live in the registry): none is printed.
      b.append(String.format("  %-10s %s%s%s%n", a.kind().name().toLowerCase(java.util.Locale.ROOT), a.location(),
          a.size() > 0 ? "  " + ProgressRenderer.amount(a.size()) : "", a.digest().map(d -> "  " + d).orElse("")));
    }
    b.append("  validate   ").append(report.toString().replace("\n", "\n             "));
    return b.toString();
  }
}
