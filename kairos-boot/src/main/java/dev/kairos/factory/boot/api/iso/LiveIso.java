package dev.kairos.factory.boot.api.iso;

import dev.kairos.factory.boot.api.fat.FatImage;
import dev.kairos.factory.boot.api.grub.EfiLoader;
import dev.kairos.factory.boot.api.grub.GrubConfigs;
import dev.kairos.factory.boot.api.squashfs.SquashfsCompression;
import dev.kairos.factory.boot.api.squashfs.SquashfsOptions;
import dev.kairos.factory.boot.api.squashfs.SquashfsWriter;
import dev.kairos.factory.boot.internal.host.ToolTimeout;
import dev.kairos.factory.boot.internal.iso.EfiBootFiles;
import dev.kairos.factory.boot.internal.iso.GrubImages;
import dev.kairos.factory.boot.internal.iso.KernelFiles;
import dev.kairos.factory.boot.internal.iso.SignedEfiLoader;
import dev.kairos.factory.core.api.InvalidInputException;
import dev.kairos.factory.core.api.SourceDate;
import dev.kairos.factory.core.api.distro.OsRelease;
import dev.kairos.factory.core.api.release.KairosRelease;
import dev.kairos.factory.core.api.fs.RootFs;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Objects;

/**
 * The Kairos live/installer ISO in AuroraBoot's layout, from a prepared rootfs: volume
 * {@code COS_LIVE}; {@code /boot/kernel} and {@code /boot/initrd} copied from the rootfs;
 * {@code /rootfs.squashfs} of the whole rootfs; GRUB for BIOS ({@code /boot/eltorito.img}, with
 * {@code /boot/boot_hybrid.img} as MBR) and for EFI ({@code /boot/uefi.img}, a FAT volume labelled
 * {@code EFI_LIVE} with {@code EFI/BOOT/BOOTX64.EFI}); the GRUB stubs and the live menu
 * ({@code /boot/grub2/grub.cfg}); {@code /config.yaml} when a cloud-config is given. The image is
 * hybrid (MBR + GPT with the EFI image as ESP), so the same file boots as a CD and as a disk.
 * Next to the ISO, {@code <name>.sha256} holds its checksum.
 *
 * <pre>{@code
 * LiveIso.builder(RootFs.at(Path.of("rootfs")))
 *     .workDirectory(Path.of("/var/tmp/iso-work"))
 *     .cloudConfig("#cloud-config\nusers: ...\n")
 *     .build()
 *     .writeTo(Path.of("out/kairos.iso"));
 * }</pre>
 *
 * <p>For EFI the image's own signed shim and GRUB are used when it has them, as AuroraBoot does
 * (Debian and Ubuntu: shim-signed, grub-efi-amd64-signed): {@code EFI/BOOT/BOOTX64.EFI} is the
 * shim, next to it the GRUB it loads, and the search stub is written where each distribution's
 * GRUB looks for it; such an ISO boots with Secure Boot on. Otherwise, and for BIOS, GRUB is made
 * with the host's {@code grub-mkimage} (Debian: grub-pc-bin, grub-efi-amd64-bin), unsigned. See
 * {@link EfiLoader}.
 */
public final class LiveIso {
  /** The label AuroraBoot gives the live ISO; the initrd finds the medium by it. */
  public static final String VOLUME_ID = "COS_LIVE";

  private final Builder b;

  private LiveIso(Builder b) {
    this.b = b;
  }

  /** A builder for the live ISO of {@code rootfs}. */
  public static Builder builder(RootFs rootfs) {
    return new Builder(rootfs);
  }

  /** Builds the squashfs, the GRUB images and the EFI image in the work directory, then writes the ISO and its checksum file. */
  public void writeTo(Path iso) throws IOException {
    KernelFiles kf = KernelFiles.find(b.rootfs);
    GrubConfigs configs = grubConfigs();
    String stub = configs.isoStub();
    byte[] stubBytes = stub.getBytes(StandardCharsets.UTF_8);
    GrubImages grub = new GrubImages(b.toolTimeout);
    Path work = b.workDirectory;
    EfiBootFiles efi = EfiBootFiles.of(b.rootfs, b.efiLoader, SignedEfiLoader.Media.LIVE, stub,
        () -> grub.efiBinary(Files.createDirectories(work), stub));
    Files.createDirectories(work);
    Path squashfs = work.resolve("rootfs.squashfs");
    b.squashfs.write(b.rootfs, squashfs);
    Path eltorito = grub.biosEltorito(work);
    Path uefiImg = work.resolve("uefi.img");
    long content = efi.size();
    efi.addTo(FatImage.builder().label("EFI_LIVE").sourceDate(b.sourceDate)
        .size((content / (4L << 20)) * (4L << 20) + (4L << 20))).build().writeTo(uefiImg);

    String menu = b.menu != null ? b.menu : configs.liveMenu();
    IsoImage.Builder image = IsoImage.builder().volumeId(VOLUME_ID).sourceDate(b.sourceDate)
        .file("/boot/kernel", b.rootfs.hostPath(kf.kernel(), true))
        .file("/boot/initrd", b.rootfs.hostPath(kf.initrd(), true))
        .file("/boot/eltorito.img", eltorito)
        .file("/boot/boot_hybrid.img", grub.hybridMbr())
        .file("/boot/uefi.img", uefiImg)
        .file("/boot/grub2/grub.cfg", menu.getBytes(StandardCharsets.UTF_8))
        .file("/boot/grub/grub.cfg", stubBytes)
        .file("/EFI/BOOT/grub.cfg", stubBytes)
        .file("/rootfs.squashfs", squashfs)
        .biosBoot("/boot/eltorito.img", grub.hybridMbr())
        .efiBoot("/boot/uefi.img");
    if (b.cloudConfig != null) {
      image.file("/config.yaml", b.cloudConfig.getBytes(StandardCharsets.UTF_8));
    }
    image.build().writeTo(iso);
    writeChecksum(iso);
  }

  /** The menu name, architecture and model come from the image's {@code /etc/kairos-release}, when it has one. */
  private GrubConfigs grubConfigs() throws IOException {
    GrubConfigs.Builder g = GrubConfigs.builder().liveConsole(b.console).extendCmdline(b.extraCmdline);
    if (b.rootfs.isRegularFile(KairosRelease.PATH)) {
      g.fromRelease(OsRelease.parse(KairosRelease.PATH.toString(), b.rootfs.readString(KairosRelease.PATH)).fields());
    }
    return g.build();
  }

  /** Writes {@code <iso>.sha256} as {@code sha256sum} prints it, so that {@code sha256sum -c} checks the ISO. */
  static void writeChecksum(Path iso) throws IOException {
    MessageDigest md;
    try {
      md = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    try (var in = new java.security.DigestInputStream(Files.newInputStream(iso), md)) {
      in.transferTo(java.io.OutputStream.nullOutputStream());
    }
    Files.writeString(iso.resolveSibling(iso.getFileName() + ".sha256"),
        HexFormat.of().formatHex(md.digest()) + "  " + iso.getFileName() + "\n");
  }

  /** What goes into the live ISO. */
  public static final class Builder {
    private final RootFs rootfs;
    private Path workDirectory;
    private String cloudConfig;
    private String menu;
    private String console = GrubConfigs.DEFAULT_LIVE_CONSOLE;
    private String extraCmdline = "";
    private SourceDate sourceDate = SourceDate.of(Instant.EPOCH);
    private SquashfsWriter squashfs;
    private Duration toolTimeout = Duration.ofMinutes(2);
    private EfiLoader efiLoader = EfiLoader.AUTO;

    private Builder(RootFs rootfs) {
      this.rootfs = Objects.requireNonNull(rootfs, "rootfs");
    }

    /** A host directory for the intermediate files (squashfs, GRUB images, EFI image); required. */
    public Builder workDirectory(Path dir) {
      this.workDirectory = Objects.requireNonNull(dir, "dir");
      return this;
    }

    /**
     * The user's cloud-config, stored as {@code /config.yaml} (the live system reads it from
     * {@code /run/initramfs/live/config.yaml}); must start with {@code #cloud-config}.
     */
    public Builder cloudConfig(String yaml) throws InvalidInputException {
      if (yaml == null || yaml.isBlank()) {
        throw new InvalidInputException("cloud-config", "cloud config set but contents are empty");
      }
      if (!yaml.startsWith("#cloud-config")) {
        throw new InvalidInputException("cloud-config", "must start with '#cloud-config', starts with '"
            + yaml.lines().findFirst().orElse("") + "'");
      }
      this.cloudConfig = yaml;
      return this;
    }

    /** Replaces the generated live menu ({@code /boot/grub2/grub.cfg}) by this text. */
    public Builder grubMenu(String menu) {
      this.menu = Objects.requireNonNull(menu, "menu");
      return this;
    }

    /** The console arguments of the menu entries (AuroraBoot's {@code --live-console}). */
    public Builder console(String console) {
      this.console = Objects.requireNonNull(console, "console");
      return this;
    }

    /** Appended to every live cmdline (AuroraBoot's {@code extend-live-cmdline}). */
    public Builder extraCmdline(String args) {
      this.extraCmdline = Objects.requireNonNull(args, "args");
      return this;
    }

    /** Clamps every time in the ISO, the squashfs and the EFI image; default the epoch. */
    public Builder sourceDate(SourceDate date) {
      this.sourceDate = Objects.requireNonNull(date, "date");
      return this;
    }

    /** How the rootfs becomes {@code /rootfs.squashfs}; default the Java writer, zstd level 3, 1 MiB blocks. */
    public Builder squashfs(SquashfsWriter writer) {
      this.squashfs = Objects.requireNonNull(writer, "writer");
      return this;
    }

    /**
     * What the EFI image boots: by default the image's signed shim and GRUB when it has them
     * (Secure Boot machines with Microsoft's keys boot it), else GRUB made on the host.
     */
    public Builder efiLoader(EfiLoader loader) {
      this.efiLoader = Objects.requireNonNull(loader, "loader");
      return this;
    }

    /** The time limit of each host tool run (grub-mkimage; mksquashfs when chosen). */
    public Builder toolTimeout(Duration timeout) {
      this.toolTimeout = ToolTimeout.requirePositive(timeout);
      return this;
    }

    public LiveIso build() {
      if (workDirectory == null) {
        throw new IllegalArgumentException("a work directory is required (intermediate files go there)");
      }
      if (squashfs == null) {
        squashfs = SquashfsWriter.inJava(SquashfsOptions.builder().compression(SquashfsCompression.ZSTD)
            .sourceDate(sourceDate).build());
      }
      return new LiveIso(this);
    }
  }
}
