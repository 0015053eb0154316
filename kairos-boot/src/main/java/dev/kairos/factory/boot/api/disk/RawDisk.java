package dev.kairos.factory.boot.api.disk;

import dev.kairos.factory.boot.api.fat.FatImage;
import dev.kairos.factory.boot.api.gpt.GptDisk;
import dev.kairos.factory.boot.api.gpt.GptType;
import dev.kairos.factory.boot.api.gpt.Guids;
import dev.kairos.factory.boot.api.gpt.PartitionContent;
import dev.kairos.factory.boot.api.grub.EfiLoader;
import dev.kairos.factory.boot.api.grub.GrubConfigs;
import dev.kairos.factory.boot.api.grub.GrubEnv;
import dev.kairos.factory.boot.internal.disk.BiosBootCode;
import dev.kairos.factory.boot.internal.disk.Ext2Images;
import dev.kairos.factory.boot.internal.host.ToolTimeout;
import dev.kairos.factory.boot.internal.iso.EfiBootFiles;
import dev.kairos.factory.boot.internal.iso.GrubImages;
import dev.kairos.factory.boot.internal.iso.SignedEfiLoader;
import dev.kairos.factory.core.api.InvalidInputException;
import dev.kairos.factory.core.api.KairosException;
import dev.kairos.factory.core.api.SourceDate;
import dev.kairos.factory.core.api.fs.FileType;
import dev.kairos.factory.core.api.fs.ImagePath;
import dev.kairos.factory.core.api.fs.RootFs;
import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * AuroraBoot's recovery-first raw disk ({@code disk.efi} or {@code disk.bios}), written without
 * loop devices or mounts: a GPT with a boot partition, {@code oem} (ext2 {@code COS_OEM}: a
 * grubenv with {@code next_entry=recovery}, the cloud-config as {@code 90_custom.yaml} and
 * {@code 01_reset.yaml}, which grows the disk and resets into the installed layout on first boot)
 * and {@code recovery} (ext2 {@code COS_RECOVERY} with {@code /cOS/recovery.img}, an ext2
 * {@code COS_SYSTEM} image of the rootfs, and the rootfs's {@code /etc/cos/grub.cfg}). Partition
 * GUIDs are UUIDv5(URL, label) and the disk GUID that of {@code KAIROS_DISK}, as in Kairos.
 *
 * <p>The boot partition depends on the {@link Firmware}: for {@link Firmware#EFI}, {@code efi}
 * (ESP, FAT labelled {@code COS_GRUB}) with {@code EFI/BOOT/BOOTX64.EFI} (see below); for
 * {@link Firmware#BIOS}, {@code bios} (a 1 MiB BIOS boot partition) with GRUB's i386-pc core
 * image, and GRUB's {@code boot.img} in the protective MBR pointing at it, as
 * {@code grub-install --target=i386-pc} leaves a disk. Either GRUB finds {@code COS_RECOVERY} and
 * runs its {@code /etc/cos/grub.cfg}, which reads the grubenv and boots the recovery system.
 *
 * <pre>{@code
 * RawDisk.builder(RootFs.at(Path.of("rootfs")))
 *     .firmware(RawDisk.Firmware.BIOS)
 *     .workDirectory(Path.of("/var/tmp/disk-work"))
 *     .build()
 *     .writeTo(Path.of("kairos.raw"));
 * }</pre>
 *
 * <p>The ext2 images are made by the host's {@code mke2fs -d}, their times pinned to the source
 * date. The ESP holds the image's signed shim and GRUB when it has them (see {@link EfiLoader}),
 * so the EFI disk boots with Secure Boot on; otherwise, and for BIOS, GRUB is made by the host's
 * {@code grub-mkimage}, unsigned. The same rootfs and source date give the same bytes.
 */
public final class RawDisk {
  /** The firmware the disk boots with. */
  public enum Firmware {
    /** UEFI: an ESP with GRUB for x86_64 EFI ({@code disk.efi}). */
    EFI,
    /** Legacy BIOS: GRUB's MBR code and an i386-pc core in a BIOS boot partition ({@code disk.bios}). */
    BIOS
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

  private final Builder b;

  private RawDisk(Builder b) {
    this.b = b;
  }

  public static Builder builder(RootFs rootfs) {
    return new Builder(rootfs);
  }

  /** Builds the partition images in the work directory and writes the disk. */
  public void writeTo(Path disk) throws IOException {
    if (b.rootfs.root().getFileSystem() != FileSystems.getDefault()) {
      throw new IllegalArgumentException("the raw disk needs a rootfs on the host file system, got " + b.rootfs.root().toUri());
    }
    Path work = Files.createDirectories(b.workDirectory);
    Ext2Images ext2 = new Ext2Images(b.toolTimeout);
    GrubImages grub = new GrubImages(b.toolTimeout);
    GrubConfigs configs = GrubConfigs.builder().build();

    GptDisk.Builder gpt = GptDisk.builder();
    if (b.firmware == Firmware.EFI) {
      EfiBootFiles efi = EfiBootFiles.of(b.rootfs, b.efiLoader, SignedEfiLoader.Media.DISK, CHAIN,
          () -> grub.efiBinary(work, CHAIN, GrubImages.DISK));
      FatImage esp = efi.addTo(FatImage.builder().label("COS_GRUB").sourceDate(b.sourceDate).size(ESP_MIB * MIB)
          .hiddenSectors(FIRST_LBA)).build();
      gpt.add(GptDisk.partition("efi").type(GptType.ESP).guid(label("COS_GRUB")).attributes(1)
          .startLba(FIRST_LBA).size(ESP_MIB * MIB).content(esp));
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

    Path oemDir = fresh(work.resolve("oem"));
    Files.write(oemDir.resolve("grubenv"), GrubEnv.of(Map.of("next_entry", "recovery")).toBytes());
    Files.writeString(oemDir.resolve("90_custom.yaml"), b.cloudConfig);
    long recoveryImageMiB = rootfsMiB() + 200;
    long recoveryMiB = 2 * recoveryImageMiB + 150;
    Files.writeString(oemDir.resolve("01_reset.yaml"), resetConfig(recoveryMiB * 3 + 100));
    Path oem = ext2.make(oemDir, work.resolve("oem.img"), "COS_OEM", OEM_MIB, label("COS_OEM"), b.sourceDate);

    Path recoveryDir = fresh(work.resolve("recovery"));
    Files.createDirectories(recoveryDir.resolve("cOS"));
    ext2.make(b.rootfs.root(), recoveryDir.resolve("cOS/recovery.img"), "COS_SYSTEM", recoveryImageMiB, label("COS_SYSTEM"),
        b.sourceDate);
    Files.createDirectories(recoveryDir.resolve("etc/cos"));
    ImagePath cosGrub = ImagePath.of("/etc/cos/grub.cfg");
    Files.writeString(recoveryDir.resolve("etc/cos/grub.cfg"),
        b.rootfs.isRegularFile(cosGrub) ? b.rootfs.readString(cosGrub) : configs.installedMenu());
    if (b.firmware == Firmware.BIOS) {
      // grub2-install's boot directory in AuroraBoot: the same chain where GRUB's prefix points.
      Files.writeString(Files.createDirectories(recoveryDir.resolve("grub2")).resolve("grub.cfg"), CHAIN);
    }
    Path recovery = ext2.make(recoveryDir, work.resolve("recovery.img"), "COS_RECOVERY", recoveryMiB, label("COS_RECOVERY"),
        b.sourceDate);

    gpt.add(GptDisk.partition("oem").type(GptType.LINUX_DATA).guid(label("COS_OEM"))
            .size(OEM_MIB * MIB).content(PartitionContent.ofFile(oem)))
        .add(GptDisk.partition("recovery").type(GptType.LINUX_DATA).guid(label("COS_RECOVERY"))
            .size(recoveryMiB * MIB).content(PartitionContent.ofFile(recovery)))
        .build().writeTo(disk);
  }

  private static java.util.UUID label(String label) {
    return Guids.v5(Guids.URL_NAMESPACE, label);
  }

  private static Path fresh(Path dir) throws IOException {
    if (Files.exists(dir)) {
      try (var s = Files.walk(dir)) {
        for (Path p : (Iterable<Path>) s.sorted(java.util.Comparator.reverseOrder())::iterator) {
          Files.delete(p);
        }
      }
    }
    return Files.createDirectories(dir);
  }

  /** The rootfs size in MiB (regular file contents, rounded up). */
  private long rootfsMiB() throws IOException {
    long[] bytes = {0};
    b.rootfs.walk(ImagePath.ROOT, e -> {
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

  /** What goes on the disk. */
  public static final class Builder {
    private final RootFs rootfs;
    private Path workDirectory;
    private String cloudConfig = "#cloud-config\n"
        + "stages:\n"
        + "  initramfs:\n"
        + "    - name: \"Default user\"\n"
        + "      users:\n"
        + "        kairos:\n"
        + "          passwd: kairos\n"
        + "          groups:\n"
        + "            - admin\n";
    private SourceDate sourceDate = SourceDate.of(Instant.EPOCH);
    private Firmware firmware = Firmware.EFI;
    private Duration toolTimeout = Duration.ofMinutes(10);
    private EfiLoader efiLoader = EfiLoader.AUTO;

    private Builder(RootFs rootfs) {
      this.rootfs = Objects.requireNonNull(rootfs, "rootfs");
    }

    /** A host directory for the partition images; required. */
    public Builder workDirectory(Path dir) {
      this.workDirectory = Objects.requireNonNull(dir, "dir");
      return this;
    }

    /** The user's cloud-config ({@code 90_custom.yaml}); default: user {@code kairos}/{@code kairos} in group admin. */
    public Builder cloudConfig(String yaml) throws InvalidInputException {
      if (yaml == null || !yaml.startsWith("#cloud-config")) {
        throw new InvalidInputException("cloud-config", "must start with '#cloud-config'");
      }
      this.cloudConfig = yaml;
      return this;
    }

    /** The firmware the disk boots with (default {@link Firmware#EFI}). */
    public Builder firmware(Firmware firmware) {
      this.firmware = Objects.requireNonNull(firmware, "firmware");
      return this;
    }

    public Builder sourceDate(SourceDate date) {
      this.sourceDate = Objects.requireNonNull(date, "date");
      return this;
    }

    /**
     * What the EFI disk's ESP boots: by default the image's signed shim and GRUB when it has them
     * (the disk then boots with Secure Boot on), else GRUB made on the host. Ignored for BIOS.
     */
    public Builder efiLoader(EfiLoader loader) {
      this.efiLoader = Objects.requireNonNull(loader, "loader");
      return this;
    }

    /** The time limit of each host tool run. */
    public Builder toolTimeout(Duration timeout) {
      this.toolTimeout = ToolTimeout.requirePositive(timeout);
      return this;
    }

    public RawDisk build() {
      if (workDirectory == null) {
        throw new IllegalArgumentException("a work directory is required (partition images go there)");
      }
      return new RawDisk(this);
    }
  }
}
