package dev.kairos.factory.boot.api.uki;

import dev.kairos.factory.boot.api.BootMediaOptions;
import dev.kairos.factory.boot.api.initrd.Initrd;
import dev.kairos.factory.boot.api.initrd.InitrdCompression;
import dev.kairos.factory.boot.api.secureboot.Authenticode;
import dev.kairos.factory.boot.api.secureboot.Pem;
import dev.kairos.factory.boot.internal.io.TargetRun;
import dev.kairos.factory.boot.internal.io.WorkArea;
import dev.kairos.factory.boot.internal.iso.EfiArch;
import dev.kairos.factory.core.api.distro.Architecture;
import dev.kairos.factory.core.api.KairosException;
import dev.kairos.factory.core.api.SourceDate;
import dev.kairos.factory.core.api.event.EventListener;
import dev.kairos.factory.core.api.distro.KernelImage;
import dev.kairos.factory.core.api.fs.ImagePath;
import dev.kairos.factory.core.api.fs.RootFs;
import dev.kairos.factory.core.api.image.Artifact;
import dev.kairos.factory.core.api.image.ArtifactKind;
import dev.kairos.factory.core.api.image.ArtifactTarget;
import dev.kairos.factory.core.api.image.BuiltImage;
import java.io.IOException;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.Objects;

/**
 * The signed Unified Kernel Image of a Trusted Boot image, as an {@link ArtifactTarget}: systemd's
 * stub of the image's architecture ({@link #stubFor}), the image's {@code /boot/vmlinuz} (a
 * gzip'd one, as some arm64 distributions ship, decompressed), the whole root as a zstd cpio initrd (Trusted Boot
 * images have no dracut initrd: the root is the initrd), the cmdline and the image's
 * {@code /etc/os-release}, signed with the db key. Everything is Java: no objcopy, no sbsign.
 * The initrd and the unsigned UKI go to the work area; the signed UKI is written beside its final
 * name and renamed into place.
 *
 * <pre>{@code
 * build.output(Uki.signed(Path.of("keys")).to(Path.of("out/norole.efi")));          // keys/db.key, keys/db.pem
 * build.output(Uki.signed(dbKey, dbCert).cmdline(UkiCmdlines.extended("rd.debug")).to(Path.of("out/debug.efi")));
 * }</pre>
 *
 * <p>Of the {@link BootMediaOptions} it uses the work directory and the source date. Immutable:
 * every method returns a changed copy.
 */
public final class SignedUki implements ArtifactTarget {
  /** Reads the signing key and certificate when the UKI is written. */
  private interface Signer {
    void sign(Path unsigned, Path out) throws IOException;
  }

  private final Signer signer;
  private final String keysDescription;
  private final Path out;
  private final String cmdline;
  /** Null: the stub of the image's architecture, found when the UKI is written. */
  private final Path stub;
  private final BootMediaOptions options;

  private SignedUki(Signer signer, String keysDescription, Path out, String cmdline, Path stub, BootMediaOptions options) {
    this.signer = signer;
    this.keysDescription = keysDescription;
    this.out = out;
    this.cmdline = cmdline;
    this.stub = stub;
    this.options = options;
  }

  /** Signed with {@code db.key} and {@code db.pem} of {@code keys} (as {@code genkey} writes them), read at write time. */
  static SignedUki withKeysIn(Path keys) {
    Objects.requireNonNull(keys, "keys");
    return new SignedUki((unsigned, o) -> Authenticode.sign(unsigned, o, Pem.readPrivateKey(keys.resolve("db.key"), null),
        Pem.readCertificate(keys.resolve("db.pem"))), keys.toString(), null, UkiCmdlines.DEFAULT, null,
        BootMediaOptions.DEFAULTS);
  }

  /** Signed with {@code key} and {@code cert}. */
  static SignedUki withKey(PrivateKey key, X509Certificate cert) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(cert, "cert");
    return new SignedUki((unsigned, o) -> Authenticode.sign(unsigned, o, key, cert),
        cert.getSubjectX500Principal().getName(), null, UkiCmdlines.DEFAULT, null, BootMediaOptions.DEFAULTS);
  }

  /** To be written to {@code file}. */
  public SignedUki to(Path file) {
    return new SignedUki(signer, keysDescription, Objects.requireNonNull(file, "file"), cmdline, stub, options);
  }

  /** With this kernel command line (default {@link UkiCmdlines#DEFAULT}); one non-empty line. */
  public SignedUki cmdline(String line) {
    String c = Objects.requireNonNull(line, "cmdline").strip();
    if (c.isEmpty() || c.indexOf('\n') >= 0) {
      throw new IllegalArgumentException("the cmdline must be one non-empty line, got '" + line + "'");
    }
    return new SignedUki(signer, keysDescription, out, c, stub, options);
  }

  /**
   * With this systemd EFI stub; by default the stub of the image's architecture (read from its
   * binaries, see {@link Architecture#of(RootFs)}; amd64 for a root without any):
   * {@link Uki#stubPath(Architecture)} on the host ({@code systemd-boot-efi}), else the same path in
   * the image (an image made for Trusted Boot has systemd-boot-efi installed).
   */
  public SignedUki stub(Path efiStub) {
    return new SignedUki(signer, keysDescription, out, cmdline, Objects.requireNonNull(efiStub, "stub"), options);
  }

  /** With these options (of which the work directory and the source date apply). */
  public SignedUki options(BootMediaOptions o) {
    return new SignedUki(signer, keysDescription, out, cmdline, stub, Objects.requireNonNull(o, "options"));
  }

  /** Where the signed UKI goes; null until {@link #to} is called. */
  public Path path() {
    return out;
  }

  @Override
  public String description() {
    return "signed UKI " + out + " (keys " + keysDescription + ")";
  }

  /**
   * Builds the initrd and the unsigned UKI in the work area and writes the signed UKI.
   *
   * @throws IllegalArgumentException if no output file was given with {@link #to}
   * @throws KairosException if the image has no kernel ({@link KernelImage#find(RootFs)}), no
   *     {@code /etc/os-release}, or no EFI stub of its architecture (see {@link #stub})
   */
  @Override
  public Artifact write(BuiltImage image, EventListener events) throws IOException {
    if (out == null) {
      throw new IllegalArgumentException("a signed UKI needs its output file: Uki.signed(keys).to(path)");
    }
    RootFs root = image.rootFs();
    // /boot/vmlinuz, else the kernel kairos-init would choose from /lib/modules.
    ImagePath kernel = KernelImage.find(root).path();
    ImagePath osRelease = ImagePath.of("/etc/os-release");
    if (!root.isRegularFile(osRelease)) {
      throw new KairosException(root.root() + ": the image has no " + osRelease + ", which a UKI needs");
    }
    SourceDate date = options.sourceDateFor(image);
    EfiArch arch = EfiArch.of(root);
    Path efiStub = stubFor(root);
    int machine = Uki.peMachine(efiStub);
    if (machine != arch.peMachine()) {
      throw new KairosException("the EFI stub " + efiStub + " is not an " + arch.architecture().id()
          + " EFI binary (PE machine " + String.format("0x%04x", machine) + "), but the image is " + arch.architecture().id());
    }
    return TargetRun.step(events, "uki", description(), () -> {
      try (WorkArea area = WorkArea.of(options.workDirectory(), out)) {
        Path initrd = area.dir().resolve("initrd.zst");
        Initrd.builder(root).compression(InitrdCompression.ZSTD).sourceDate(date).build().writeTo(initrd);
        Path linux = root.hostPath(kernel, true);
        if (Uki.isGzip(linux)) {
          // an arm64 vmlinuz may be a gzip'd Image (Ubuntu's); the stub starts only the Image itself
          linux = area.dir().resolve("kernel");
          try (java.io.InputStream in = new java.util.zip.GZIPInputStream(root.newInputStream(kernel))) {
            java.nio.file.Files.copy(in, linux);
          }
        }
        Path unsigned = area.dir().resolve("unsigned.efi");
        Uki.builder().stub(efiStub).kernel(linux).initrd(initrd).cmdline(cmdline)
            .osRelease(root.readString(osRelease)).build().writeTo(unsigned);
        signer.sign(unsigned, out);
        java.nio.file.Files.delete(unsigned);
        java.nio.file.Files.deleteIfExists(area.dir().resolve("kernel"));
        java.nio.file.Files.delete(initrd);
      }
      return Artifact.ofFile(ArtifactKind.UKI, out);
    });
  }

  /**
   * The EFI stub this target uses for the image at {@code root}: the one given with {@link #stub},
   * else the stub of the image's architecture, the host's or the image's own.
   *
   * @throws KairosException if neither the host nor the image has the stub of the image's architecture
   * @throws dev.kairos.factory.core.api.UnsupportedTargetException if we make no UKIs for the image's architecture
   */
  public Path stubFor(RootFs root) throws IOException {
    if (stub != null) {
      return stub;
    }
    EfiArch arch = EfiArch.of(root);
    String path = Uki.stubPath(arch.architecture());
    Path host = Path.of(path);
    if (java.nio.file.Files.isRegularFile(host)) {
      return host;
    }
    ImagePath inImage = ImagePath.of(path);
    if (root.isRegularFile(inImage)) {
      return root.hostPath(inImage, true);
    }
    throw new KairosException("no systemd EFI stub for " + arch.architecture().id() + ": neither the host nor the image"
        + " has " + path + " (install systemd-boot-efi" + (arch == EfiArch.X64 ? "" : ":" + arch.architecture().id()
        + " on the host with dpkg --add-architecture " + arch.architecture().id()) + ", or systemd-boot-efi in the image,"
        + " or give the stub)");
  }
}
