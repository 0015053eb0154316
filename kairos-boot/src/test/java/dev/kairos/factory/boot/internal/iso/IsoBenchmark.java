package dev.kairos.factory.boot.internal.iso;

import dev.kairos.factory.boot.api.BootMediaOptions;
import dev.kairos.factory.boot.api.iso.LiveIso;
import dev.kairos.factory.boot.internal.host.HostCommand;
import dev.kairos.factory.core.api.SourceDate;
import dev.kairos.factory.core.api.event.EventListener;
import dev.kairos.factory.core.api.fs.RootFs;
import dev.kairos.factory.core.api.image.BuiltImage;
import dev.kairos.factory.core.it.DebianFixture;
import dev.kairos.factory.core.it.Scratch;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Not a test: builds the live ISO of the cached Debian fixture (kernel, systemd, dracut; about
 * 600 MiB) once with this library and once with {@code mksquashfs} + {@code xorriso} (the same
 * GRUB images, the same zstd level and block size, AuroraBoot's xorriso arguments), and prints
 * both times, the ratio, the sizes and this JVM's peak heap. Run as root with the test class path:
 * {@code java -cp <test classpath> dev.kairos.factory.boot.internal.iso.IsoBenchmark}.
 */
public final class IsoBenchmark {
  private IsoBenchmark() {}

  public static void main(String[] args) throws Exception {
    Path scratch = Scratch.create("iso-bench");
    try {
      RootFs root = DebianFixture.extract(DebianFixture.withKernelTarball(), scratch.resolve("rootfs"));
      Files.createDirectories(root.root().resolve("boot"));
      Files.writeString(root.root().resolve("boot/initrd.img-bench"), "initrd placeholder\n");
      for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
        p.resetPeakUsage();
      }
      long t0 = System.nanoTime();
      Path ours = scratch.resolve("ours.iso");
      LiveIso.to(ours).options(BootMediaOptions.builder().workDirectory(scratch.resolve("w-ours")).build())
          .write(BuiltImage.of(root, SourceDate.of(java.time.Instant.EPOCH)), EventListener.NONE);
      double oursS = (System.nanoTime() - t0) / 1e9;
      long heap = ManagementFactory.getMemoryPoolMXBeans().stream()
          .filter(p -> p.getType() == MemoryType.HEAP).mapToLong(p -> p.getPeakUsage().getUsed()).sum();

      // the reference: same GRUB files from our staging directory, squashfs and ISO by the tools
      Path stage = Files.createDirectories(scratch.resolve("stage"));
      Duration t = Duration.ofMinutes(20);
      HostCommand.run(List.of("sh", "-c", "cd " + stage + " && xorriso -osirrox on -indev " + ours
          + " -extract /boot boot -extract /EFI EFI >/dev/null 2>&1 && chmod -R u+w ."), t);
      long t1 = System.nanoTime();
      HostCommand.run(List.of("mksquashfs", root.root().toString(), stage.resolve("rootfs.squashfs").toString(),
          "-noappend", "-quiet", "-no-progress", "-comp", "zstd", "-Xcompression-level", "3", "-b", "1048576"), t);
      Path theirs = scratch.resolve("theirs.iso");
      HostCommand.run(List.of("xorriso", "-volid", "COS_LIVE", "-joliet", "on", "-padding", "0", "-outdev", theirs.toString(),
          "-map", stage.toString(), "/", "-chmod", "0755", "--",
          "-boot_image", "grub", "bin_path=/boot/eltorito.img",
          "-boot_image", "grub", "grub2_mbr=" + stage.resolve("boot/boot_hybrid.img"),
          "-boot_image", "grub", "grub2_boot_info=on",
          "-boot_image", "any", "partition_offset=16",
          "-boot_image", "any", "cat_path=/boot/boot.catalog", "-boot_image", "any", "cat_hidden=on",
          "-boot_image", "any", "boot_info_table=on", "-boot_image", "any", "platform_id=0x00",
          "-boot_image", "any", "emul_type=no_emulation", "-boot_image", "any", "load_size=2048",
          "-boot_image", "any", "next",
          "-boot_image", "any", "platform_id=0xef", "-boot_image", "any", "emul_type=no_emulation",
          "-append_partition", "2", "0xef", stage.resolve("boot/uefi.img").toString(),
          "-boot_image", "any", "efi_path=--interval:appended_partition_2:all::",
          "-boot_image", "any", "appended_part_as=gpt",
          "-boot_image", "any", "mbr_force_bootable=on"), t);
      double theirsS = (System.nanoTime() - t1) / 1e9;
      System.out.printf("ISO (java squashfs zstd-3 + java ISO, incl. grub-mkimage): %.1f s, %d MiB%n", oursS, Files.size(ours) >> 20);
      System.out.printf("ISO (mksquashfs zstd-3 + xorriso, grub files reused):       %.1f s, %d MiB%n", theirsS, Files.size(theirs) >> 20);
      System.out.printf("ratio ours/theirs: %.2f; peak heap of this JVM: %d MiB; cores: %d%n", oursS / theirsS, heap >> 20,
          Runtime.getRuntime().availableProcessors());
    } finally {
      Scratch.delete(scratch);
    }
  }
}
