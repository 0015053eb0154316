package dev.kairos.factory.boot.bench;

import dev.kairos.factory.boot.api.initrd.Initrd;
import dev.kairos.factory.boot.api.initrd.InitrdCompression;
import dev.kairos.factory.boot.api.secureboot.Authenticode;
import dev.kairos.factory.boot.api.secureboot.Pem;
import dev.kairos.factory.boot.api.uki.Uki;
import dev.kairos.factory.boot.api.uki.UkiCmdlines;
import dev.kairos.factory.boot.internal.fat.FatImage;
import dev.kairos.factory.boot.internal.fat.FatType;
import dev.kairos.factory.boot.it.Exec;
import dev.kairos.factory.core.api.SourceDate;
import dev.kairos.factory.core.api.fs.RootFs;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;

/**
 * Side-by-side benchmark (not a test): our initrd, UKI build+sign and ESP image against the
 * tools a user would otherwise run, on the same inputs, in one run. Prints times, ratios, output
 * sizes and our peak heap per phase. Arguments: a root file system tree, a kernel, a work dir.
 */
public final class BootBench {
  private BootBench() {
  }

  interface Step {
    void run() throws Exception;
  }

  /** Best of {@code n} runs in seconds; the heap peak of our side is recorded across them. */
  static double best(int n, Step s) throws Exception {
    double best = Double.MAX_VALUE;
    for (int i = 0; i < n; i++) {
      long t = System.nanoTime();
      s.run();
      best = Math.min(best, (System.nanoTime() - t) / 1e9);
    }
    return best;
  }

  static void resetPeak() {
    System.gc();
    for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
      p.resetPeakUsage();
    }
  }

  static long peakHeapMiB() {
    long sum = 0;
    for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
      if (p.getType() == MemoryType.HEAP) {
        sum += p.getPeakUsage().getUsed();
      }
    }
    return sum >> 20;
  }

  static void report(String what, double ours, double theirs, Path oursOut, Path theirsOut, long heap)
      throws Exception {
    System.out.printf("%-22s ours %7.2f s  tool %7.2f s  ratio ours/tool %5.2f  size ours %,d  tool %,d  peak heap %d MiB%n",
        what, ours, theirs, ours / theirs, Files.size(oursOut), Files.size(theirsOut), heap);
  }

  static String sha(Path p) throws Exception {
    MessageDigest md = MessageDigest.getInstance("SHA-256");
    try (var in = Files.newInputStream(p)) {
      byte[] b = new byte[1 << 16];
      int n;
      while ((n = in.read(b)) > 0) {
        md.update(b, 0, n);
      }
    }
    return HexFormat.of().formatHex(md.digest()).substring(0, 16);
  }

  public static void main(String[] args) throws Exception {
    Path tree = Path.of(args[0]).toAbsolutePath();
    Path kernel = Path.of(args[1]).toAbsolutePath();
    Path work = Path.of(args[2]).toAbsolutePath();
    Files.createDirectories(work);
    int runs = 2;
    System.out.println("heap max " + (Runtime.getRuntime().maxMemory() >> 20) + " MiB, tree " + tree);

    // 1. initrd: newc + zstd level 3, on every core on both sides (zstd -T0 is what a user would type).
    RootFs root = RootFs.at(tree);
    Path ours = work.resolve("initrd.ours.zst");
    Path tool = work.resolve("initrd.tool.zst");
    resetPeak();
    double o = best(runs, () -> Initrd.builder(root).compression(InitrdCompression.ZSTD).level(3)
        .sourceDate(SourceDate.of(Instant.EPOCH)).build().writeTo(ours));
    long heap = peakHeapMiB();
    String firstSha = sha(ours);
    Initrd.builder(root).compression(InitrdCompression.ZSTD).level(3).sourceDate(SourceDate.of(Instant.EPOCH))
        .build().writeTo(ours);
    System.out.println("initrd reproducible: " + firstSha.equals(sha(ours)));
    double t = best(runs, () -> Exec.sh(tree, "find . | LC_ALL=C sort | cpio -o -H newc --quiet | zstd -3 -T0 -q -f -o "
        + tool).ok());
    report("initrd (cpio+zstd)", o, t, ours, tool, heap);

    // 2. UKI build + sign vs objcopy + sbsign.
    Exec.sh(work, "openssl req -new -x509 -newkey rsa:2048 -nodes -sha256 -days 30 -subj /CN=bench/ "
        + "-keyout db.key -out db.pem 2>/dev/null").ok();
    var key = Pem.readPrivateKey(work.resolve("db.key"), null);
    var cert = Pem.readCertificate(work.resolve("db.pem"));
    Files.writeString(work.resolve("cmdline"), UkiCmdlines.DEFAULT);
    Files.writeString(work.resolve("osrel"), "ID=debian\n");
    Path uki = work.resolve("uki.ours.efi");
    resetPeak();
    o = best(runs, () -> {
      Uki.builder().kernel(kernel).initrd(ours).cmdline(UkiCmdlines.DEFAULT).osRelease("ID=debian\n").build()
          .writeTo(work.resolve("uki.unsigned.efi"));
      Authenticode.sign(work.resolve("uki.unsigned.efi"), uki, key, cert);
    });
    heap = peakHeapMiB();
    // objcopy with the VMAs placed as the e2e recipe does (4 KiB aligned after the stub's end).
    long osrel = 0x20000;
    long cmd = osrel + 0x1000;
    long linux = cmd + 0x1000;
    long initrdVma = linux + ((Files.size(kernel) + 0xFFF) & ~0xFFFL);
    String objcopy = "objcopy --add-section .osrel=osrel --change-section-vma .osrel=0x" + Long.toHexString(osrel)
        + " --add-section .cmdline=cmdline --change-section-vma .cmdline=0x" + Long.toHexString(cmd)
        + " --add-section .linux=" + kernel + " --change-section-vma .linux=0x" + Long.toHexString(linux)
        + " --add-section .initrd=" + ours + " --change-section-vma .initrd=0x" + Long.toHexString(initrdVma)
        + " " + Uki.DEBIAN_STUB + " uki.tool.unsigned.efi"
        + " && sbsign --key db.key --cert db.pem --output uki.tool.efi uki.tool.unsigned.efi 2>/dev/null";
    t = best(runs, () -> Exec.sh(work, objcopy).ok());
    report("UKI build+sign", o, t, uki, work.resolve("uki.tool.efi"), heap);

    // 3. ESP: a 256 MiB FAT32 image holding the UKI as BOOTX64.EFI.
    Path esp = work.resolve("esp.ours.img");
    resetPeak();
    o = best(runs, () -> FatImage.builder().label("ESP").type(FatType.FAT32).size(256L << 20)
        .file("/EFI/BOOT/BOOTX64.EFI", uki).build().writeTo(esp));
    heap = peakHeapMiB();
    t = best(runs, () -> Exec.sh(work, "rm -f esp.tool.img && mkfs.vfat -F 32 -n ESP -C esp.tool.img 262144 >/dev/null"
        + " && mmd -i esp.tool.img ::/EFI ::/EFI/BOOT && mcopy -i esp.tool.img uki.ours.efi ::/EFI/BOOT/BOOTX64.EFI").ok());
    report("ESP (FAT32 256 MiB)", o, t, esp, work.resolve("esp.tool.img"), heap);
    List.of("uki.unsigned.efi").forEach(f -> work.resolve(f).toFile().delete());
  }
}
