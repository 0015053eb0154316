package dev.kairos.factory.boot.internal.disk;

import dev.kairos.factory.boot.internal.fat.FatImage;
import dev.kairos.factory.core.api.KairosException;
import dev.kairos.factory.core.api.distro.Model;
import dev.kairos.factory.core.api.fs.ImagePath;
import dev.kairos.factory.core.api.fs.RootFs;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What a Raspberry Pi (3 or 4) reads from the FAT boot partition before GRUB, taken from the
 * image's own files, as AuroraBoot copies its u-boot and firmware into the ESP for {@code rpi*}
 * models: the boot ROM reads {@code bootcode.bin} (Pi 3; the Pi 4 has it in EEPROM), which loads
 * the GPU firmware ({@code start.elf}/{@code fixup.dat}, Pi 4: {@code start4.elf}/{@code fixup4.dat}),
 * which reads {@code config.txt}, the board's device tree and the "kernel", here u-boot, which
 * loads {@code EFI/BOOT/BOOTAA64.EFI} as UEFI firmware would.
 *
 * <p>Sources in a Debian image: {@code raspi-firmware} ({@code /usr/lib/raspi-firmware}, all of
 * it, as Debian's own kernel hook copies it), the kernel package's device trees
 * ({@code /usr/lib/linux-image-<kver>/broadcom/bcm*.dtb}, upstream names, hence
 * {@code upstream_kernel=1}), and {@code u-boot-rpi} ({@code /usr/lib/u-boot/rpi_arm64/u-boot.bin},
 * the one build for both boards, as AuroraBoot's u-boot-rpi64; else the board's own).
 */
public final class RpiBootFiles {
  private static final ImagePath FIRMWARE = ImagePath.of("/usr/lib/raspi-firmware");
  private static final ImagePath LIB = ImagePath.of("/usr/lib");

  private final Model model;
  private final ImagePath dtbDir;
  private final ImagePath uboot;

  private RpiBootFiles(Model model, ImagePath dtbDir, ImagePath uboot) {
    this.model = model;
    this.dtbDir = dtbDir;
    this.uboot = uboot;
  }

  /**
   * Finds the files in {@code root} for {@code model}; fails naming the package to install when
   * one the board reads is missing.
   */
  public static RpiBootFiles find(RootFs root, Model model) throws IOException {
    String board = board(model);
    List<String> missing = new ArrayList<>();
    for (String f : firmwareFiles(model)) {
      if (!root.isRegularFile(FIRMWARE.resolve(f))) {
        missing.add(FIRMWARE.resolve(f).toString());
      }
    }
    if (!missing.isEmpty()) {
      throw new KairosException("the " + model + " boot partition needs the Raspberry Pi firmware, missing "
          + missing + ": install the package raspi-firmware (Debian, component non-free-firmware) in the image");
    }
    ImagePath dtbDir = dtbDir(root, model).orElseThrow(() -> new KairosException("the " + model
        + " boot partition needs the board's device tree " + dtb(model) + ", found in no "
        + "/usr/lib/linux-image-*/broadcom: install the kernel package (Debian: linux-image-arm64) in the image"));
    List<ImagePath> ubootCandidates = List.of(ImagePath.of("/usr/lib/u-boot/rpi_arm64/u-boot.bin"),
        ImagePath.of("/usr/lib/u-boot/rpi_" + board + "/u-boot.bin"));
    ImagePath uboot = null;
    for (ImagePath p : ubootCandidates) {
      if (root.isRegularFile(p)) {
        uboot = p;
        break;
      }
    }
    if (uboot == null) {
      throw new KairosException("the " + model + " boot partition needs u-boot, which loads EFI/BOOT/BOOTAA64.EFI, "
          + "found none of " + ubootCandidates + ": install the package u-boot-rpi (Debian) in the image");
    }
    return new RpiBootFiles(model, dtbDir, uboot);
  }

  /**
   * The board's number, {@code 3} or {@code 4}, as u-boot's build directories and
   * {@code config.txt}'s comment name it.
   *
   * @throws IllegalArgumentException for a model that is not a Raspberry Pi
   */
  private static String board(Model model) {
    return switch (model) {
      case RPI3 -> "3";
      case RPI4 -> "4";
      default -> throw notAPi(model);
    };
  }

  /** The GPU firmware files the board cannot start without. */
  static List<String> firmwareFiles(Model model) {
    return switch (model) {
      case RPI3 -> List.of("bootcode.bin", "start.elf", "fixup.dat");
      case RPI4 -> List.of("start4.elf", "fixup4.dat");
      default -> throw notAPi(model);
    };
  }

  /** The board's upstream device tree (the firmware picks it by board revision, e.g. the 3B+ its own). */
  static String dtb(Model model) {
    return switch (model) {
      case RPI3 -> "bcm2837-rpi-3-b.dtb";
      case RPI4 -> "bcm2711-rpi-4-b.dtb";
      default -> throw notAPi(model);
    };
  }

  private static IllegalArgumentException notAPi(Model model) {
    return new IllegalArgumentException("not a Raspberry Pi model: " + model);
  }

  /** The last {@code /usr/lib/linux-image-*}{@code /broadcom} (by name) that holds the model's device tree. */
  private static Optional<ImagePath> dtbDir(RootFs root, Model model) throws IOException {
    if (!root.isDirectory(LIB)) {
      return Optional.empty();
    }
    ImagePath found = null;
    for (String n : root.list(LIB).stream().filter(n -> n.startsWith("linux-image-")).sorted().toList()) {
      ImagePath dir = LIB.resolve(n).resolve("broadcom");
      if (root.isRegularFile(dir.resolve(dtb(model)))) {
        found = dir;
      }
    }
    return Optional.ofNullable(found);
  }

  /**
   * {@code config.txt} for u-boot on the board: 64-bit mode, u-boot as the kernel, the serial
   * console on (u-boot's and Linux's; on a Pi 3 this also fixes the core clock the mini UART runs
   * from), and the upstream device-tree names Debian's kernel ships ({@code upstream_kernel=1}: the
   * firmware picks {@code bcm2837-rpi-3-b.dtb}, {@code -b-plus.dtb} or {@code bcm2711-rpi-4-b.dtb}
   * by the board's revision, so one file serves every revision of the model).
   */
  public static String configTxt(Model model) {
    return "# Raspberry Pi " + board(model) + " (Kairos model " + model + "): the firmware starts u-boot,\n"
        + "# which boots EFI/BOOT/BOOTAA64.EFI; the board's device tree is " + dtb(model) + ".\n"
        + "arm_64bit=1\n"
        + "kernel=u-boot.bin\n"
        + "enable_uart=1\n"
        + "upstream_kernel=1\n";
  }

  /**
   * True when the board's boot ROM reads MBR partitions only, so the disk needs a hybrid MBR that
   * lists the FAT partition (type 0x0C): the Pi 3's ROM does not recognise a GPT's protective entry
   * (nor even MBR type 0xEF); the Pi 4's EEPROM bootloader reads GPT.
   */
  public boolean needsMbrEntry() {
    return model == Model.RPI3;
  }

  /** Puts the files at the root of the boot partition. */
  public FatImage.Builder addTo(RootFs root, FatImage.Builder fat) throws IOException {
    fat.tree(root, FIRMWARE, "/");
    for (String n : root.list(dtbDir).stream().filter(n -> n.startsWith("bcm") && n.endsWith(".dtb")).sorted().toList()) {
      ImagePath p = dtbDir.resolve(n);
      if (root.isRegularFile(p)) {
        fat.file("/" + n, root.readAllBytes(p));
      }
    }
    fat.file("/u-boot.bin", root.readAllBytes(uboot));
    fat.file("/config.txt", configTxt(model).getBytes(StandardCharsets.US_ASCII));
    return fat;
  }
}
