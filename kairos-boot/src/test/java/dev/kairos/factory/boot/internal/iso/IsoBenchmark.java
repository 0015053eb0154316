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
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Not a test: builds the live ISO of the cached Debian fixture (kernel, systemd, dracut; about
 * 600 MiB) with this library and with {@code mksquashfs} + {@code xorriso} (the same GRUB images,
 * the same zstd level and block size, AuroraBoot's xorriso arguments), {@code ROUNDS} times each
 * (default 3), and prints per round both wall times and CPU seconds (user + system: ours from this
 * JVM, JIT and GC included, plus its children, the {@code grub-mkimage} runs; the tools' from their
 * exit accounting), the ratios, the load average, the sizes and this JVM's peak heap. The first
 * round runs ours first in a cold JVM; later rounds alternate who goes first. Run as root with the
 * test class path: {@code java -cp <test classpath> dev.kairos.factory.boot.internal.iso.IsoBenchmark [ROUNDS]}.
 */
public final class IsoBenchmark {
  private static final Duration T = Duration.ofMinutes(20);

  private IsoBenchmark() {}

  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 3;
    Path scratch = Scratch.create("iso-bench");
    try {
      RootFs root = DebianFixture.extract(DebianFixture.withKernelTarball(), scratch.resolve("rootfs"));
      Files.createDirectories(root.root().resolve("boot"));
      Files.writeString(root.root().resolve("boot/initrd.img-bench"), "initrd placeholder\n");
      // the extraction's writeback would otherwise land on whichever side runs first
      HostCommand.run(List.of("sync"), T);
      Path ours = scratch.resolve("ours.iso");
      Path theirs = scratch.resolve("theirs.iso");
      Path stage = scratch.resolve("stage");
      List<double[]> ratios = new ArrayList<>();
      long heap = 0;
      for (int round = 1; round <= rounds; round++) {
        boolean oursFirst = round % 2 == 1;
        double[] o = null;
        double[] t = null;
        for (int side = 0; side < 2; side++) {
          if ((side == 0) == oursFirst) {
            for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
              p.resetPeakUsage();
            }
            o = timed(() -> LiveIso.to(ours)
                .options(BootMediaOptions.builder().workDirectory(scratch.resolve("w-ours")).build())
                .write(BuiltImage.of(root, SourceDate.of(Instant.EPOCH)), EventListener.NONE), true);
            heap = Math.max(heap, ManagementFactory.getMemoryPoolMXBeans().stream()
                .filter(p -> p.getType() == MemoryType.HEAP).mapToLong(p -> p.getPeakUsage().getUsed()).sum());
            if (!Files.exists(stage)) {
              stage(ours, stage);
            }
          } else {
            Files.deleteIfExists(theirs);
            t = timed(() -> tools(root.root(), stage, theirs), false);
          }
        }
        System.out.printf("round %d (%s first): ours %.1f s wall, %.1f s CPU (load %.1f); theirs %.1f s wall, %.1f s CPU"
            + " (load %.1f); ratio wall %.2f, CPU %.2f%n", round, oursFirst ? "ours" : "theirs", o[0], o[1], o[2],
            t[0], t[1], t[2], o[0] / t[0], o[1] / t[1]);
        ratios.add(new double[] {o[0] / t[0], o[1] / t[1]});
      }
      System.out.printf("sizes: ours %d MiB, theirs %d MiB; peak heap of this JVM: %d MiB; cores: %d%n",
          Files.size(ours) >> 20, Files.size(theirs) >> 20, heap >> 20, Runtime.getRuntime().availableProcessors());
      System.out.printf("median ratio: wall %.2f, CPU %.2f%n", median(ratios, 0), median(ratios, 1));
      System.out.print("our ISO's sha256: " + Files.readString(ours.resolveSibling(ours.getFileName() + ".sha256")));
    } finally {
      Scratch.delete(scratch);
    }
  }

  private interface Body {
    void run() throws Exception;
  }

  /** Wall seconds, CPU seconds and the load average at the start of {@code body}. */
  private static double[] timed(Body body, boolean countThisJvm) throws Exception {
    double load = Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
    double c0 = childCpu() + (countThisJvm ? ownCpu() : 0);
    long t0 = System.nanoTime();
    body.run();
    double wall = (System.nanoTime() - t0) / 1e9;
    return new double[] {wall, childCpu() + (countThisJvm ? ownCpu() : 0) - c0, load};
  }

  /** The GRUB files of our ISO, for the tools' side to use as they are. */
  private static void stage(Path iso, Path stage) throws IOException {
    Files.createDirectories(stage);
    HostCommand.run(List.of("sh", "-c", "cd " + stage + " && xorriso -osirrox on -indev " + iso
        + " -extract /boot boot -extract /EFI EFI >/dev/null 2>&1 && chmod -R u+w ."), T);
  }

  private static void tools(Path rootfs, Path stage, Path iso) throws IOException {
    HostCommand.run(List.of("mksquashfs", rootfs.toString(), stage.resolve("rootfs.squashfs").toString(),
        "-noappend", "-quiet", "-no-progress", "-comp", "zstd", "-Xcompression-level", "3", "-b", "1048576"), T);
    HostCommand.run(List.of("xorriso", "-volid", "COS_LIVE", "-joliet", "on", "-padding", "0", "-outdev", iso.toString(),
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
        "-boot_image", "any", "mbr_force_bootable=on"), T);
  }

  /** CPU seconds this JVM has used, all threads. */
  private static double ownCpu() {
    return ManagementFactory.getPlatformMXBean(com.sun.management.OperatingSystemMXBean.class).getProcessCpuTime() / 1e9;
  }

  /** CPU seconds of this JVM's children that have ended: cutime + cstime of /proc/self/stat, in clock ticks of 1/100 s. */
  private static double childCpu() throws IOException {
    String stat = Files.readString(Path.of("/proc/self/stat"));
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return (Long.parseLong(f[13]) + Long.parseLong(f[14])) / 100.0;
  }

  private static double median(List<double[]> rows, int column) {
    double[] v = rows.stream().mapToDouble(r -> r[column]).sorted().toArray();
    return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  }
}
