package dev.kairos.factory.boot.api.disk;

import dev.kairos.factory.boot.api.BootMediaOptions;
import dev.kairos.factory.boot.api.gpt.GptDisk;
import dev.kairos.factory.boot.api.gpt.GptType;
import dev.kairos.factory.boot.api.gpt.Guids;
import dev.kairos.factory.boot.api.gpt.PartitionContent;
import dev.kairos.factory.boot.api.grub.EfiLoader;
import dev.kairos.factory.boot.api.grub.GrubConfigs;
import dev.kairos.factory.boot.api.grub.GrubEnv;
import dev.kairos.factory.boot.internal.disk.BiosBootCode;
import dev.kairos.factory.boot.internal.disk.CloudImages;
import dev.kairos.factory.boot.internal.disk.Ext2Images;
import dev.kairos.factory.boot.internal.disk.RpiBootFiles;
import dev.kairos.factory.boot.internal.fat.FatImage;
import dev.kairos.factory.boot.internal.io.TargetRun;
import dev.kairos.factory.boot.internal.io.WorkArea;
import dev.kairos.factory.boot.internal.iso.EfiArch;
import dev.kairos.factory.boot.internal.iso.EfiBootFiles;
import dev.kairos.factory.boot.internal.iso.GrubImages;
import dev.kairos.factory.boot.internal.iso.KernelFiles;
import dev.kairos.factory.boot.internal.iso.SignedEfiLoader;
import dev.kairos.factory.core.api.KairosException;
import dev.kairos.factory.core.api.SourceDate;
import dev.kairos.factory.core.api.UnsupportedTargetException;
import dev.kairos.factory.core.api.distro.Model;
import dev.kairos.factory.core.api.event.EventListener;
import dev.kairos.factory.core.api.fs.FileType;
import dev.kairos.factory.core.api.fs.ImagePath;
import dev.kairos.factory.core.api.fs.RootFs;
import dev.kairos.factory.core.api.image.Artifact;
import dev.kairos.factory.core.api.image.ArtifactKind;
import dev.kairos.factory.core.api.image.ArtifactTarget;
import dev.kairos.factory.core.api.image.BuiltImage;
import dev.kairos.factory.core.api.release.KairosRelease;
import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * AuroraBoot's recovery-first raw disk ({@code disk.efi} or {@code disk.bios}), as an
 * {@link ArtifactTarget}, written without loop devices or mounts: a GPT with a boot partition,
 * {@code oem} (ext2 {@code COS_OEM}: a grubenv with {@code next_entry=recovery}, the cloud-config as
 * {@code 90_custom.yaml} and {@code 01_reset.yaml}, which grows the disk and resets into the
 * installed layout on first boot) and {@code recovery} (ext2 {@code COS_RECOVERY} with
 * {@code /cOS/recovery.img}, an ext2 {@code COS_SYSTEM} image of the rootfs, and the rootfs's
 * {@code /etc/cos/grub.cfg}). Partition GUIDs are UUIDv5(URL, label) and the disk GUID that of
 * {@code KAIROS_DISK}, as in Kairos.
 *
 * <p>The boot partition depends on the {@link Firmware}: for {@link Firmware#EFI}, {@code efi}
 * (ESP, FAT labelled {@code COS_GRUB}) with {@code EFI/BOOT/BOOTX64.EFI}, for an arm64 image
 * {@code EFI/BOOT/BOOTAA64.EFI} (see below); for {@link Firmware#BIOS} (amd64 images only), {@code bios} (a 1 MiB BIOS boot partition) with GRUB's i386-pc core
 * image, and GRUB's {@code boot.img} in the protective MBR pointing at it, as
 * {@code grub-install --target=i386-pc} leaves a disk. Either GRUB finds {@code COS_RECOVERY} and
 * runs its {@code /etc/cos/grub.cfg}, which reads the grubenv and boots the recovery system.
 *
 * <p>For a Raspberry Pi image ({@code KAIROS_MODEL} {@code rpi3} or {@code rpi4} in
 * {@code /etc/kairos-release}, arm64) the ESP also carries what the board's boot ROM and firmware
 * read, as AuroraBoot copies them for {@code rpi*} models, taken from the image's own packages:
 * the firmware of {@code raspi-firmware} ({@code bootcode.bin}, {@code start*.elf},
 * {@code fixup*.dat}), the kernel's {@code bcm*.dtb}, {@code u-boot-rpi}'s {@code u-boot.bin} and
 * a {@code config.txt} that makes the firmware start u-boot, which boots
 * {@code EFI/BOOT/BOOTAA64.EFI}. A missing one fails before any work, naming the package. For
 * {@code rpi3} the MBR is hybrid (the ESP as a FAT32 entry, then the protective one), as the
 * Pi 3's boot ROM reads MBR partitions only.
 *
 * <p>The same disk goes to the clouds in their import formats ({@link Format}): an Azure fixed VHD
 * (the disk, its size a multiple of 1 MiB, and a 512-byte VHD footer) and a GCE image
 * ({@code disk.raw}, its size a multiple of 1 GiB, in a gzip tar).
 *
 * <pre>{@code
 * build.output(RawDisk.to(Path.of("out/kairos.raw")));                        // EFI
 * build.output(RawDisk.to(Path.of("out/kairos-bios.raw")).bios());
 * build.output(RawDisk.to(Path.of("out/kairos.vhd")).format(RawDisk.Format.VHD));
 * build.output(RawDisk.to(Path.of("out/kairos.tar.gz")).format(RawDisk.Format.GCE));
 * }</pre>
 *
 * <p>The ext2 images are made by the host's {@code mke2fs -d}, their times pinned to the source
 * date. The ESP holds the image's signed shim and GRUB when it has them (see {@link EfiLoader}),
 * so the EFI disk boots with Secure Boot on; otherwise, and for BIOS, GRUB is made by the host's
 * {@code grub-mkimage}, unsigned. The same rootfs and source date give the same bytes, in every
 * format. The default cloud-config, when the options carry none, is user {@code kairos}/{@code kairos}
 * in group admin. Immutable: every method returns a changed copy.
 */
public final class RawDisk implements ArtifactTarget {
  /** The firmware the disk boots with. */
  public enum Firmware {
    /** UEFI: an ESP with GRUB for the image's EFI architecture, x86_64 or arm64 ({@code disk.efi}). */
    EFI,
    /** Legacy BIOS: GRUB's MBR code and an i386-pc core in a BIOS boot partition ({@code disk.bios}). */
    BIOS
  }

  /** The file the disk is written as. */
  public enum Format {
    /** The disk image itself, byte for byte (sparse where it is empty). */
    RAW,
    /**
     * An Azure fixed VHD: the disk, its size rounded up to a multiple of 1 MiB as Azure requires,
     * followed by the 512-byte VHD footer (disk type fixed, timestamp the source date, unique id
     * derived from the disk's content). {@code qemu-img} reads it as format {@code vpc}.
     */
    VHD,
    /**
     * A GCE image: the disk as {@code disk.raw}, its size rounded up to a multiple of 1 GiB as
     * Compute Engine requires, alone in a gzip-compressed tar (GNU format), as
     * {@code gcloud compute images create --source-uri} imports it.
     */
    GCE
  }

  private static final long MIB = 1 << 20;
  private static final long ESP_MIB = 64;
  private static final long BIOS_BOOT_MIB = 1;
  /** Where the first partition starts, so where the BIOS core image is. */
  private static final long FIRST_LBA = 2048;
  /** GRUB's first step: find the recovery partition and run the image's boot menu from it. */
  private static final String CHAIN = "search --no-floppy --label --set=root COS_RECOVERY\n"
      + "set prefix=($root)/grub2\n"
      + "configfile ($root)/etc/cos/grub.cfg\n";
  private static final long OEM_MIB = 64;
  /** The first-boot user when the options carry no cloud-config. */
  private static final String DEFAULT_CLOUD_CONFIG = "#cloud-config\n"
      + "stages:\n"
      + "  initramfs:\n"
      + "    - name: \"Default user\"\n"
      + "      users:\n"
      + "        kairos:\n"
      + "          passwd: kairos\n"
      + "          groups:\n"
      + "            - admin\n";

  private final Path disk;
  private final BootMediaOptions options;
  private final Firmware firmware;
  private final Format format;

  private RawDisk(Path disk, BootMediaOptions options, Firmware firmware, Format format) {
    this.disk = disk;
    this.options = options;
    this.firmware = firmware;
    this.format = format;
  }

  /** The EFI raw disk, to be written to {@code file}, with the default options. */
  public static RawDisk to(Path file) {
    return new RawDisk(Objects.requireNonNull(file, "file"), BootMediaOptions.DEFAULTS, Firmware.EFI, Format.RAW);
  }

  /** With these options (work directory, source date, EFI loader, tool timeout, cloud-config). */
  public RawDisk options(BootMediaOptions o) {
    return new RawDisk(disk, Objects.requireNonNull(o, "options"), firmware, format);
  }

  /** For this firmware (default {@link Firmware#EFI}). */
  public RawDisk firmware(Firmware f) {
    return new RawDisk(disk, options, Objects.requireNonNull(f, "firmware"), format);
  }

  /** For legacy BIOS: {@code firmware(Firmware.BIOS)}. */
  public RawDisk bios() {
    return firmware(Firmware.BIOS);
  }

  /** As this file format (default {@link Format#RAW}). */
  public RawDisk format(Format f) {
    return new RawDisk(disk, options, firmware, Objects.requireNonNull(f, "format"));
  }

  /** Where the disk goes. */
  public Path path() {
    return disk;
  }

  /** The firmware it boots with. */
  public Firmware firmware() {
    return firmware;
  }

  /** The file format. */
  public Format format() {
    return format;
  }

  @Override
  public String description() {
    return switch (format) {
      case RAW -> "raw disk (" + firmware + ") " + disk;
      case VHD -> "Azure VHD (" + firmware + ") " + disk;
      case GCE -> "GCE image (" + firmware + ") " + disk;
    };
  }

  /**
   * Builds the partition images in the work area and writes the disk in its format.
   *
   * @throws KairosException if the root has no {@code /boot} with a kernel and an initrd, or a host tool fails
   * @throws UnsupportedTargetException if a BIOS disk is asked for an image that is not amd64, or a
   *     Raspberry Pi model's image is not arm64
   * @throws KairosException also when a Raspberry Pi model's image lacks its firmware, device tree or u-boot
   * @throws IllegalArgumentException if the root is not on the host file system (mke2fs reads it)
   */
  @Override
  public Artifact write(BuiltImage image, EventListener events) throws IOException {
    RootFs rootfs = image.rootFs();
    if (rootfs.root().getFileSystem() != FileSystems.getDefault()) {
      throw new IllegalArgumentException("the raw disk needs a rootfs on the host file system, got " + rootfs.root().toUri());
    }
    // A root without a kernel would make a disk that cannot boot: refused before any work, as the ISO does.
    KernelFiles.find(rootfs);
    String modelId = KairosRelease.read(rootfs).getOrDefault(KairosRelease.MODEL, "generic");
    // a model this library does not know (a downstream board) gets the generic disk
    Model model = Model.ids().contains(modelId) ? Model.of(modelId) : Model.GENERIC;
    RpiBootFiles rpi = null;
    if (firmware == Firmware.EFI) {
      EfiBootFiles.signedLoader(rootfs, options.efiLoader(), SignedEfiLoader.Media.DISK);
      if (model.isRaspberryPi()) {
        if (EfiArch.of(rootfs) != EfiArch.AA64) {
          throw new UnsupportedTargetException("architecture for model " + model,
              EfiArch.of(rootfs).architecture().id(), List.of("arm64"));
        }
        // Found before any work, so a missing package is named at once.
        rpi = RpiBootFiles.find(rootfs, model);
      }
    } else if (EfiArch.of(rootfs) != EfiArch.X64) {
      throw new UnsupportedTargetException("firmware for an " + EfiArch.of(rootfs).architecture() + " image",
          "bios", List.of("efi"));
    }
    String step = switch (format) {
      case RAW -> "raw-disk";
      case VHD -> "vhd";
      case GCE -> "gce";
    };
    RpiBootFiles board = rpi;
    return TargetRun.step(events, step, description(), () -> {
      SourceDate date = options.sourceDateFor(image);
      try (WorkArea area = WorkArea.of(options.workDirectory(), disk)) {
        GptDisk gpt = layout(rootfs, board, date, area);
        switch (format) {
          case RAW -> gpt.writeTo(disk);
          case VHD -> CloudImages.writeVhd(gpt, disk, date);
          case GCE -> CloudImages.writeGce(gpt, disk, area.dir(), date);
        }
      }
      return Artifact.ofFile(switch (format) {
        case RAW -> ArtifactKind.RAW_DISK;
        case VHD -> ArtifactKind.VHD;
        case GCE -> ArtifactKind.GCE_IMAGE;
      }, disk);
    });
  }

  /** The disk's partitions (a Raspberry Pi's boot files on the ESP when {@code rpi} is given), their images made in the work area; the GCE format rounds the size up to 1 GiB. */
  private GptDisk layout(RootFs rootfs, RpiBootFiles rpi, SourceDate date, WorkArea area) throws IOException {
    Path work = area.dir();
    Ext2Images ext2 = new Ext2Images(options.toolTimeout());
    GrubImages grub = new GrubImages(options.toolTimeout());
    GrubConfigs configs = GrubConfigs.builder().build();

    GptDisk.Builder gpt = GptDisk.builder();
    if (firmware == Firmware.EFI) {
      EfiBootFiles efi = EfiBootFiles.of(rootfs, options.efiLoader(), SignedEfiLoader.Media.DISK, CHAIN,
          () -> grub.efiBinary(work, CHAIN, GrubImages.DISK, rootfs));
      FatImage.Builder fat = efi.addTo(FatImage.builder().label("COS_GRUB").sourceDate(date).size(ESP_MIB * MIB)
          .hiddenSectors(FIRST_LBA));
      if (rpi != null) {
        rpi.addTo(rootfs, fat);
      }
      FatImage esp = fat.build();
      gpt.add(GptDisk.partition("efi").type(GptType.ESP).guid(label("COS_GRUB")).attributes(1)
          .startLba(FIRST_LBA).size(ESP_MIB * MIB).content(esp));
      if (rpi != null && rpi.needsMbrEntry()) {
        gpt.hybridMbr("efi", 0x0C);
      }
    } else {
      byte[] core = BiosBootCode.core(Files.readAllBytes(grub.biosCore(work, CHAIN, GrubImages.DISK)), FIRST_LBA);
      if (core.length > BIOS_BOOT_MIB * MIB) {
        throw new KairosException("GRUB's core image (" + core.length + " bytes) does not fit the "
            + BIOS_BOOT_MIB + " MiB BIOS boot partition");
      }
      gpt.bootCode(BiosBootCode.mbrCode(grub.biosBootSector(), FIRST_LBA));
      // Bits 0 (platform required) and 2 (legacy BIOS bootable), as AuroraBoot sets them.
      gpt.add(GptDisk.partition("bios").type(GptType.BIOS_BOOT).guid(label("COS_GRUB")).attributes(0b101)
          .startLba(FIRST_LBA).size(BIOS_BOOT_MIB * MIB).content(PartitionContent.ofBytes(core)));
    }

    Path oemDir = area.fresh("oem");
    Files.write(oemDir.resolve("grubenv"), GrubEnv.of(Map.of("next_entry", "recovery")).toBytes());
    Files.writeString(oemDir.resolve("90_custom.yaml"), options.cloudConfig().orElse(DEFAULT_CLOUD_CONFIG));
    long recoveryImageMiB = rootfsMiB(rootfs) + 200;
    long recoveryMiB = 2 * recoveryImageMiB + 150;
    Files.writeString(oemDir.resolve("01_reset.yaml"), resetConfig(recoveryMiB * 3 + 100));
    Path oem = ext2.make(oemDir, work.resolve("oem.img"), "COS_OEM", OEM_MIB, label("COS_OEM"), date);

    Path recoveryDir = area.fresh("recovery");
    Files.createDirectories(recoveryDir.resolve("cOS"));
    ext2.make(rootfs.root(), recoveryDir.resolve("cOS/recovery.img"), "COS_SYSTEM", recoveryImageMiB, label("COS_SYSTEM"),
        date);
    Files.createDirectories(recoveryDir.resolve("etc/cos"));
    ImagePath cosGrub = ImagePath.of("/etc/cos/grub.cfg");
    Files.writeString(recoveryDir.resolve("etc/cos/grub.cfg"),
        rootfs.isRegularFile(cosGrub) ? rootfs.readString(cosGrub) : configs.installedMenu());
    if (firmware == Firmware.BIOS) {
      // grub2-install's boot directory in AuroraBoot: the same chain where GRUB's prefix points.
      Files.writeString(Files.createDirectories(recoveryDir.resolve("grub2")).resolve("grub.cfg"), CHAIN);
    }
    Path recovery = ext2.make(recoveryDir, work.resolve("recovery.img"), "COS_RECOVERY", recoveryMiB, label("COS_RECOVERY"),
        date);

    gpt.add(GptDisk.partition("oem").type(GptType.LINUX_DATA).guid(label("COS_OEM"))
            .size(OEM_MIB * MIB).content(PartitionContent.ofFile(oem)))
        .add(GptDisk.partition("recovery").type(GptType.LINUX_DATA).guid(label("COS_RECOVERY"))
            .size(recoveryMiB * MIB).content(PartitionContent.ofFile(recovery)));
    GptDisk natural = gpt.build();
    long rounded = CloudImages.roundedSize(format == Format.GCE ? CloudImages.GCE_ALIGNMENT : MIB, natural.size());
    return rounded == natural.size() ? natural : gpt.size(rounded).build();
  }

  private static java.util.UUID label(String label) {
    return Guids.v5(Guids.URL_NAMESPACE, label);
  }

  /** The rootfs size in MiB (regular file contents, rounded up). */
  private static long rootfsMiB(RootFs rootfs) throws IOException {
    long[] bytes = {0};
    rootfs.walk(ImagePath.ROOT, e -> {
      if (e.type() == FileType.REGULAR && e.hardlinkOf().isEmpty()) {
        bytes[0] += e.metadata().size();
      }
    });
    return (bytes[0] + MIB - 1) / MIB;
  }

  /** The first-boot reset: add COS_STATE and COS_PERSISTENT to the recovery disk, then reset from recovery. */
  private static String resetConfig(long stateMiB) {
    return "name: \"Expand the disk and reset on first boot\"\n"
        + "stages:\n"
        + "  rootfs.before:\n"
        + "    - name: \"Add the state and persistent partitions\"\n"
        + "      if: '[ -f \"/run/cos/recovery_mode\" ]'\n"
        + "      layout:\n"
        + "        device:\n"
        + "          label: COS_RECOVERY\n"
        + "        add_partitions:\n"
        + "          - fsLabel: COS_STATE\n"
        + "            pLabel: state\n"
        + "            size: " + stateMiB + "\n"
        + "            filesystem: ext2\n"
        + "          - fsLabel: COS_PERSISTENT\n"
        + "            pLabel: persistent\n"
        + "            size: 0\n"
        + "            filesystem: ext2\n"
        + "  network:\n"
        + "    - name: \"Reset into the installed layout\"\n"
        + "      if: '[ -f \"/run/cos/recovery_mode\" ] && [ ! -e \"/oem/.autoreset.skip\" ]'\n"
        + "      commands:\n"
        + "        - kairos-agent --debug reset --unattended --reboot\n"
        + "  after-reset:\n"
        + "    - name: \"Forget the first-boot reset\"\n"
        + "      commands:\n"
        + "        - rm -f /oem/01_reset.yaml\n";
  }
}
