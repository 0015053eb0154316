package dev.kairos.factory.examples.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kairos.factory.boot.api.BootMediaOptions;
import dev.kairos.factory.boot.api.disk.RawDisk;
import dev.kairos.factory.boot.api.initrd.Initrd;
import dev.kairos.factory.boot.api.initrd.InitrdCompression;
import dev.kairos.factory.boot.api.iso.LiveIso;
import dev.kairos.factory.boot.api.netboot.NetbootSet;
import dev.kairos.factory.boot.api.secureboot.SecureBootKeys;
import dev.kairos.factory.boot.api.uki.Uki;
import dev.kairos.factory.boot.it.BusyboxInitrd;
import dev.kairos.factory.boot.it.DebianArm64Files;
import dev.kairos.factory.boot.it.DebianKernel;
import dev.kairos.factory.core.api.SourceDate;
import dev.kairos.factory.core.api.distro.Architecture;
import dev.kairos.factory.core.api.event.EventListener;
import dev.kairos.factory.core.api.fs.ImagePath;
import dev.kairos.factory.core.api.fs.RootFs;
import dev.kairos.factory.core.api.image.ArtifactTarget;
import dev.kairos.factory.core.api.image.BuiltImage;
import dev.kairos.factory.core.it.DebianFixture;
import dev.kairos.factory.core.it.Scratch;
import dev.kairos.factory.distros.api.sbom.Sbom;
import dev.kairos.factory.distros.api.sbom.SbomFormat;
import dev.kairos.factory.examples.cli.KairosFactoryCli;
import dev.kairos.factory.oci.api.OciTarget;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The reproducibility matrix: every artifact kind the project writes, made twice from one root
 * (the cached Debian minbase with a Debian kernel and an initrd of our own), in two work
 * directories, more than a second apart, must be byte-identical. A pair that differs fails with
 * what {@code kairos-factory diff} says about it. The arm64 UKI and netboot set are made from a
 * tiny arm64 image of Debian's arm64 packages ({@link #arm64Image}). A new artifact kind joins
 * {@link #kinds()} in the change that adds it.
 */
class ReproducibilityMatrixIT {
  private static final SourceDate DATE = SourceDate.of(Instant.parse("2025-03-01T12:00:00Z"));

  /** One artifact kind: writes it under {@code out} using {@code work} as its work directory; returns its path. */
  @FunctionalInterface
  interface Maker {
    Path make(Path out, Path work) throws IOException;
  }

  static Path scratch;
  static BuiltImage image;
  /** A tiny arm64 image for the arm64 kinds: Debian's arm64 busybox, kernel and stub (see {@link #arm64Image}). */
  static BuiltImage arm64;
  static SecureBootKeys keys;

  @BeforeAll
  static void root() throws Exception {
    DebianFixture.assumeUsable();
    scratch = Scratch.create("matrix");
    RootFs root = DebianFixture.extract(DebianFixture.minbaseTarball(), scratch.resolve("root"));
    // Lean: documentation and caches add bytes, not cases.
    for (String p : List.of("/usr/share", "/usr/lib/x86_64-linux-gnu/gconv", "/usr/lib/x86_64-linux-gnu/perl-base",
        "/var/cache/apt", "/var/lib/apt/lists", "/var/lib/dpkg/info")) {
      root.deleteRecursively(ImagePath.of(p));
    }
    // The kernel and the initrd are shared by every kind: a real Debian kernel, an initrd of ours.
    Path vmlinuz = DebianKernel.vmlinuz();
    root.write(ImagePath.of("/boot/vmlinuz"), Files.readAllBytes(vmlinuz));
    initrd(root).writeTo(scratch.resolve("initrd.img"));
    root.write(ImagePath.of("/boot/initrd.img"), Files.readAllBytes(scratch.resolve("initrd.img")));
    image = BuiltImage.of(root, DATE);
    keys = SecureBootKeys.builder("matrix").build();
    arm64 = arm64Image();
  }

  /**
   * An arm64 root without emulation: Debian's static arm64 busybox as its binaries (so it reads as
   * arm64), Debian's arm64 kernel, an initrd of ours and systemd-boot-efi's arm64 stub in it, as a
   * Trusted Boot image has it.
   */
  private static BuiltImage arm64Image() throws IOException {
    RootFs root = BusyboxInitrd.tree("KAIROS_MATRIX", DebianArm64Files.busybox());
    Path kernel = DebianArm64Files.kernel();
    Initrd.builder(root).compression(InitrdCompression.ZSTD).sourceDate(DATE).build()
        .writeTo(scratch.resolve("initrd-arm64.img"));
    root.write(ImagePath.of("/boot/initrd.img"), Files.readAllBytes(scratch.resolve("initrd-arm64.img")));
    root.write(ImagePath.of("/boot/vmlinuz"), Files.readAllBytes(kernel));
    root.write(ImagePath.of(Uki.stubPath(Architecture.ARM64)), Files.readAllBytes(DebianArm64Files.stub()));
    return BuiltImage.of(root, DATE);
  }

  @AfterAll
  static void clean() throws Exception {
    if (scratch != null) {
      Scratch.delete(scratch);
    }
  }

  private static Initrd initrd(RootFs root) {
    return Initrd.builder(root).compression(InitrdCompression.ZSTD)
        .exclude("/usr", "/var", "/boot", "/proc", "/sys", "/dev", "/run", "/tmp").sourceDate(DATE).build();
  }

  private static BootMediaOptions options(Path work) {
    return BootMediaOptions.builder().workDirectory(work).build();
  }

  static Map<String, Maker> kinds() {
    Map<String, Maker> k = new LinkedHashMap<>();
    k.put("oci-layout", (out, work) -> write(OciTarget.layout(out.resolve("layout"), "v1").withWorkDirectory(work),
        out.resolve("layout")));
    k.put("oci-archive", (out, work) -> write(OciTarget.archive(out.resolve("image.tar")).withWorkDirectory(work),
        out.resolve("image.tar")));
    k.put("live-iso", (out, work) -> write(LiveIso.to(out.resolve("kairos.iso")).options(options(work)),
        out.resolve("kairos.iso")));
    k.put("raw-disk-efi", (out, work) -> write(RawDisk.to(out.resolve("disk-efi.raw")).options(options(work)),
        out.resolve("disk-efi.raw")));
    k.put("raw-disk-bios", (out, work) -> write(RawDisk.to(out.resolve("disk-bios.raw")).bios().options(options(work)),
        out.resolve("disk-bios.raw")));
    k.put("vhd", (out, work) -> write(RawDisk.to(out.resolve("disk.vhd")).format(RawDisk.Format.VHD)
        .options(options(work)), out.resolve("disk.vhd")));
    k.put("gce", (out, work) -> write(RawDisk.to(out.resolve("disk.tar.gz")).format(RawDisk.Format.GCE)
        .options(options(work)), out.resolve("disk.tar.gz")));
    k.put("netboot", (out, work) -> write(NetbootSet.to(out.resolve("netboot")).options(options(work)),
        out.resolve("netboot")));
    k.put("uki", (out, work) -> write(Uki.signed(keys.key(SecureBootKeys.Kind.db), keys.certificate(SecureBootKeys.Kind.db))
        .to(out.resolve("kairos.efi")).options(options(work)), out.resolve("kairos.efi")));
    k.put("uki-arm64", (out, work) -> write(Uki.signed(keys.key(SecureBootKeys.Kind.db),
        keys.certificate(SecureBootKeys.Kind.db)).to(out.resolve("arm64.efi")).options(options(work)), arm64,
        out.resolve("arm64.efi")));
    k.put("netboot-arm64", (out, work) -> write(NetbootSet.to(out.resolve("netboot")).options(options(work)), arm64,
        out.resolve("netboot")));
    k.put("initrd", (out, work) -> {
      initrd(image.rootFs()).writeTo(out.resolve("initrd"));
      return out.resolve("initrd");
    });
    // Every SBOM format, read from the image's own package database.
    for (SbomFormat f : SbomFormat.values()) {
      k.put("sbom-" + f.name().toLowerCase(java.util.Locale.ROOT), (out, work) -> {
        Sbom sbom = Sbom.read(image.rootFs(), DATE.instant());
        assertThat(sbom.packages()).as("packages in the SBOM").isNotEmpty();
        return sbom.write(f, out.resolve(sbom.fileName(f)));
      });
    }
    return k;
  }

  private static Path write(ArtifactTarget target, Path result) throws IOException {
    return write(target, image, result);
  }

  private static Path write(ArtifactTarget target, BuiltImage of, Path result) throws IOException {
    target.write(of, EventListener.NONE);
    return result;
  }

  @Test
  void everyArtifactMadeTwiceIsByteIdentical() throws Exception {
    Map<String, Path> first = new LinkedHashMap<>();
    Map<String, Path> second = new LinkedHashMap<>();
    Map<String, Long> millis = new LinkedHashMap<>();
    for (String kind : kinds().keySet()) {
      millis.put(kind, 0L);
    }
    for (Map<String, Path> run : List.of(first, second)) {
      if (run == second) {
        Thread.sleep(1100); // more than a second apart: a clock leaking into a time field shows
      }
      Path base = Files.createDirectories(scratch.resolve(run == first ? "run-1" : "run-2"));
      for (Map.Entry<String, Maker> k : kinds().entrySet()) {
        long t = System.nanoTime();
        Path out = Files.createDirectories(base.resolve("out").resolve(k.getKey()));
        run.put(k.getKey(), k.getValue().make(out, base.resolve("work").resolve(k.getKey())));
        millis.merge(k.getKey(), (System.nanoTime() - t) / 1_000_000, Long::sum);
      }
    }
    System.out.println("reproducibility matrix, ms per kind (both builds): " + millis);

    List<String> failures = new ArrayList<>();
    for (String kind : kinds().keySet()) {
      Path a = first.get(kind);
      Path b = second.get(kind);
      assertThat(a).as(kind).exists();
      if (!identical(a, b)) {
        failures.add(kind + " differs:\n" + explain(a, b));
      }
    }
    assertThat(failures).as("artifact pairs that differ").isEmpty();
  }

  private static boolean identical(Path a, Path b) throws IOException {
    if (Files.isDirectory(a)) {
      // A directory (an OCI layout, a netboot set) is identical when the diff of it finds nothing and
      // every file has the same bytes.
      List<Path> files;
      try (var s = Files.walk(a)) {
        files = s.filter(Files::isRegularFile).sorted().toList();
      }
      for (Path f : files) {
        Path other = b.resolve(a.relativize(f).toString());
        if (!Files.isRegularFile(other) || Files.mismatch(f, other) != -1) {
          return false;
        }
      }
      try (var s = Files.walk(b)) {
        return s.filter(Files::isRegularFile).count() == files.size();
      }
    }
    return Files.mismatch(a, b) == -1;
  }

  /** What {@code kairos-factory diff A B} prints. */
  private static String explain(Path a, Path b) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = KairosFactoryCli.execute(new PrintWriter(out, true), new PrintWriter(err, true), "diff", "--limit", "40",
        "--work", scratch.resolve("diff-work").toString(), a.toString(), b.toString());
    return "diff exit " + code + "\n" + out + err;
  }
}
