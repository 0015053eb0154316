package dev.kairos.factory.boot.api.iso;

import dev.kairos.factory.boot.api.BootMediaOptions;
import dev.kairos.factory.boot.api.grub.EfiLoader;
import dev.kairos.factory.boot.api.grub.GrubConfigs;
import dev.kairos.factory.boot.api.squashfs.SquashfsWriter;
import dev.kairos.factory.boot.internal.fat.FatImage;
import dev.kairos.factory.boot.internal.io.TargetRun;
import dev.kairos.factory.boot.internal.io.WorkArea;
import dev.kairos.factory.boot.internal.iso.EfiArch;
import dev.kairos.factory.boot.internal.iso.EfiBootFiles;
import dev.kairos.factory.boot.internal.iso.GrubImages;
import dev.kairos.factory.boot.internal.iso.KernelFiles;
import dev.kairos.factory.boot.internal.iso.SignedEfiLoader;
import dev.kairos.factory.boot.internal.squashfs.JavaSquashfsWriter;
import dev.kairos.factory.core.api.SourceDate;
import dev.kairos.factory.core.api.distro.OsRelease;
import dev.kairos.factory.core.api.event.EventListener;
import dev.kairos.factory.core.api.fs.RootFs;
import dev.kairos.factory.core.api.image.Artifact;
import dev.kairos.factory.core.api.image.ArtifactKind;
import dev.kairos.factory.core.api.image.ArtifactTarget;
import dev.kairos.factory.core.api.image.BuiltImage;
import dev.kairos.factory.core.api.io.AtomicFile;
import dev.kairos.factory.core.api.release.KairosRelease;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * The Kairos live/installer ISO in AuroraBoot's layout, as an {@link ArtifactTarget}: volume
 * {@code COS_LIVE}; {@code /boot/kernel} and {@code /boot/initrd} copied from the rootfs;
 * {@code /rootfs.squashfs} of the whole rootfs; GRUB for BIOS ({@code /boot/eltorito.img}, with
 * {@code /boot/boot_hybrid.img} as MBR) and for EFI ({@code /boot/uefi.img}, a FAT volume labelled
 * {@code EFI_LIVE} with {@code EFI/BOOT/BOOTX64.EFI}); the GRUB stubs and the live menu
 * ({@code /boot/grub2/grub.cfg}); {@code /config.yaml} when the options carry a cloud-config. The
 * image is hybrid (MBR + GPT with the EFI image as ESP), so the same file boots as a CD and as a
 * disk. An arm64 image gets an EFI-only ISO: no BIOS image and no MBR boot code, the EFI image
 * with {@code EFI/BOOT/BOOTAA64.EFI}, and the serial console arm64 machines have
 * ({@code console=ttyAMA0}) unless {@link #console} says otherwise. Next to the ISO,
 * {@code <name>.sha256} holds its checksum. Both files are written beside
 * their final names and renamed into place.
 *
 * <pre>{@code
 * Artifact iso = build.output(LiveIso.to(Path.of("out/kairos.iso"))
 *     .options(BootMediaOptions.builder().cloudConfig("#cloud-config\nusers: ...\n").build()));
 * }</pre>
 *
 * <p>For EFI the image's own signed shim and GRUB are used when it has them, as AuroraBoot does
 * (Debian and Ubuntu: shim-signed, grub-efi-amd64-signed): {@code EFI/BOOT/BOOTX64.EFI} is the
 * shim, next to it the GRUB it loads, and the search stub is written where each distribution's
 * GRUB looks for it; such an ISO boots with Secure Boot on. Otherwise, and for BIOS, GRUB is made
 * with the host's {@code grub-mkimage} (Debian: grub-pc-bin, grub-efi-amd64-bin), unsigned. See
 * {@link EfiLoader}. Immutable: every method returns a changed copy.
 */
public final class LiveIso implements ArtifactTarget {
  /** The label AuroraBoot gives the live ISO; the initrd finds the medium by it. */
  public static final String VOLUME_ID = "COS_LIVE";

  private final Path iso;
  private final BootMediaOptions options;
  private final String menu;
  private final String console;
  private final String extraCmdline;

  private LiveIso(Path iso, BootMediaOptions options, String menu, String console, String extraCmdline) {
    this.iso = iso;
    this.options = options;
    this.menu = menu;
    this.console = console;
    this.extraCmdline = extraCmdline;
  }

  /** The live ISO, to be written to {@code iso}, with the default options. */
  public static LiveIso to(Path iso) {
    // the console stays unset until the image's architecture is known (see grubConfigs)
    return new LiveIso(Objects.requireNonNull(iso, "iso"), BootMediaOptions.DEFAULTS, null, null, "");
  }

  /** With these options (work directory, source date, EFI loader, tool timeout, cloud-config, squashfs writer). */
  public LiveIso options(BootMediaOptions o) {
    return new LiveIso(iso, Objects.requireNonNull(o, "options"), menu, console, extraCmdline);
  }

  /** With this text as the live menu ({@code /boot/grub2/grub.cfg}) instead of the generated one. */
  public LiveIso grubMenu(String text) {
    return new LiveIso(iso, options, Objects.requireNonNull(text, "menu"), console, extraCmdline);
  }

  /**
   * With these console arguments in the menu entries (AuroraBoot's {@code --live-console}); default
   * {@link GrubConfigs#DEFAULT_LIVE_CONSOLE}, for an arm64 image {@link GrubConfigs#ARM64_LIVE_CONSOLE}.
   */
  public LiveIso console(String args) {
    return new LiveIso(iso, options, menu, Objects.requireNonNull(args, "console"), extraCmdline);
  }

  /** With {@code args} appended to every live cmdline (AuroraBoot's {@code extend-live-cmdline}). */
  public LiveIso extraCmdline(String args) {
    return new LiveIso(iso, options, menu, console, Objects.requireNonNull(args, "args"));
  }

  /** Where the ISO goes. */
  public Path path() {
    return iso;
  }

  /** The options it is written with. */
  public BootMediaOptions options() {
    return options;
  }

  @Override
  public String description() {
    return "ISO " + iso;
  }

  /**
   * Builds the GRUB images in the work area, then writes the ISO, the squashfs and the EFI image
   * made in their places in it, and its checksum file.
   */
  @Override
  public Artifact write(BuiltImage image, EventListener events) throws IOException {
    // What can be refused is refused before anything is written.
    KernelFiles.find(image.rootFs());
    EfiBootFiles.signedLoader(image.rootFs(), options.efiLoader(), SignedEfiLoader.Media.LIVE);
    return TargetRun.step(events, "iso", description(), () -> {
      try (WorkArea area = WorkArea.of(options.workDirectory(), iso)) {
        writeIso(image.rootFs(), options.sourceDateFor(image), area.dir());
      }
      return checksummed(ArtifactKind.ISO, iso);
    });
  }

  private void writeIso(RootFs rootfs, SourceDate date, Path work) throws IOException {
    KernelFiles kf = KernelFiles.find(rootfs);
    // arm64 machines boot EFI only: no BIOS El Torito image and no hybrid MBR code for them
    boolean bios = EfiArch.of(rootfs) == EfiArch.X64;
    GrubConfigs configs = grubConfigs(rootfs);
    String stub = configs.isoStub();
    byte[] stubBytes = stub.getBytes(StandardCharsets.UTF_8);
    GrubImages grub = new GrubImages(options.toolTimeout());
    EfiBootFiles efi = EfiBootFiles.of(rootfs, options.efiLoader(), SignedEfiLoader.Media.LIVE, stub,
        () -> grub.efiBinary(work, stub, List.of(), rootfs));
    Path eltorito = bios ? grub.biosEltorito(work) : null;
    long content = efi.size();
    FatImage uefiImg = efi.addTo(FatImage.builder().label("EFI_LIVE").sourceDate(date)
        .size((content / (4L << 20)) * (4L << 20) + (4L << 20))).build();

    String liveMenu = menu != null ? menu : configs.liveMenu();
    IsoImage.Builder b = IsoImage.builder().volumeId(VOLUME_ID).sourceDate(date)
        .file("/boot/kernel", rootfs.hostPath(kf.kernel(), true))
        .file("/boot/initrd", rootfs.hostPath(kf.initrd(), true));
    if (bios) {
      b.file("/boot/eltorito.img", eltorito)
          .file("/boot/boot_hybrid.img", grub.hybridMbr());
    }
    // The EFI image and the squashfs are made straight into their places in the ISO: the same
    // bytes as from files of their own, without writing the rootfs's bytes twice and reading them back.
    b.file("/boot/uefi.img", uefiImg::writeTo)
        .file("/boot/grub2/grub.cfg", liveMenu.getBytes(StandardCharsets.UTF_8))
        .file("/boot/grub/grub.cfg", stubBytes)
        .file("/EFI/BOOT/grub.cfg", stubBytes);
    SquashfsWriter squashfs = options.squashfsFor(date);
    if (squashfs instanceof JavaSquashfsWriter inJava) {
      b.file("/rootfs.squashfs", ch -> inJava.write(rootfs, ch));
    } else {
      // a host tool writes a file of its own
      Path file = work.resolve("rootfs.squashfs");
      squashfs.write(rootfs, file);
      b.file("/rootfs.squashfs", file);
    }
    if (bios) {
      b.biosBoot("/boot/eltorito.img", grub.hybridMbr());
    }
    b.efiBoot("/boot/uefi.img");
    options.cloudConfig().ifPresent(c -> b.file("/config.yaml", c.getBytes(StandardCharsets.UTF_8)));
    b.build().writeTo(iso);
  }

  /** The menu name, architecture and model come from the image's {@code /etc/kairos-release}, when it has one. */
  private GrubConfigs grubConfigs(RootFs rootfs) throws IOException {
    String consoles = console != null ? console
        : EfiArch.of(rootfs) == EfiArch.AA64 ? GrubConfigs.ARM64_LIVE_CONSOLE : GrubConfigs.DEFAULT_LIVE_CONSOLE;
    GrubConfigs.Builder g = GrubConfigs.builder().liveConsole(consoles).extendCmdline(extraCmdline);
    if (rootfs.isRegularFile(KairosRelease.PATH)) {
      g.fromRelease(OsRelease.parse(KairosRelease.PATH.toString(), rootfs.readString(KairosRelease.PATH)).fields());
    }
    return g.build();
  }

  /**
   * The artifact of {@code iso}, after writing {@code <iso>.sha256} beside it as {@code sha256sum}
   * prints it, so that {@code sha256sum -c} checks the ISO.
   */
  static Artifact checksummed(ArtifactKind kind, Path iso) throws IOException {
    Artifact written = Artifact.ofFile(kind, iso);
    String hex = written.digest().orElseThrow().substring("sha256:".length());
    AtomicFile.write(iso.resolveSibling(iso.getFileName() + ".sha256"),
        tmp -> Files.writeString(tmp, hex + "  " + iso.getFileName() + "\n"));
    return written;
  }
}
