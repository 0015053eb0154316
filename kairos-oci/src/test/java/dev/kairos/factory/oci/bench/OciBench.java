package dev.kairos.factory.oci.bench;

import dev.kairos.factory.core.api.fs.RootFs;
import dev.kairos.factory.core.it.DebianFixture;
import dev.kairos.factory.oci.api.OciSource;
import dev.kairos.factory.oci.api.OciTarget;
import dev.kairos.factory.oci.testing.LocalRegistry;
import dev.kairos.factory.oci.testsupport.TestImages;
import dev.kairos.factory.oci.testsupport.Tools;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * Benchmark, not a test: on a debootstrapped Debian with a kernel, times our pull + unpack against
 * {@code skopeo copy} + {@code umoci unpack}, and our pack + push against {@code umoci repack} +
 * {@code skopeo copy}, side by side in one run through one local registry, and prints the ratios,
 * the CPU seconds each side burnt, and our peak heap. On a shared machine the wall times swing
 * with the load; the CPU times much less. Run with {@code kairos-oci/bench/oci-bench.sh WORKDIR}
 * as root.
 */
public final class OciBench {
  private static final Duration T = Duration.ofMinutes(20);

  private OciBench() {}

  public static void main(String[] args) throws Exception {
    Path work = Path.of(args.length > 0 ? args[0] : "/var/tmp/kairos-oci-bench").toAbsolutePath();
    // A root tarball (.tar.zst) to time instead of the Debian-with-kernel fixture, e.g. a kairosified root.
    Path tarball = args.length > 1 ? Path.of(args[1]) : DebianFixture.withKernelTarball();
    Tools.run(T, "rm", "-rf", work.toString());
    Files.createDirectories(work);
    Path tree = work.resolve("tree");
    DebianFixture.extract(tarball, tree);
    long[] stats = treeStats(tree);
    System.out.printf("tree: %,d bytes in %,d entries%n", stats[0], stats[1]);

    long ticks = Long.parseLong(Tools.run(T, "getconf", "CLK_TCK").strip());
    try (LocalRegistry registry = LocalRegistry.start(work.resolve("registry"))) {
      String base = registry.address() + "/bench/debian:v1";
      // The image both sides pull, written by the tools (untimed).
      Path ref = work.resolve("ref-layout");
      Tools.run(T, "umoci", "init", "--layout", ref.toString());
      Tools.run(T, "umoci", "new", "--image", ref + ":v1");
      Tools.run(T, "umoci", "unpack", "--image", ref + ":v1", work.resolve("ref-bundle").toString());
      Tools.run(T, "cp", "-a", tree + "/.", work.resolve("ref-bundle/rootfs").toString());
      Tools.run(T, "umoci", "repack", "--image", ref + ":v1", work.resolve("ref-bundle").toString());
      Tools.run(T, "skopeo", "copy", "--dest-tls-verify=false", "oci:" + ref + ":v1", "docker://" + base);
      // The reference bundle stays until the end: see settle().
      settle();

      // Pull + unpack.
      resetPeaks();
      long t0 = System.nanoTime();
      double c0 = ownCpu();
      RootFs pulled = OciSource.pull(base).materialize(work.resolve("ours-pulled"), e -> { });
      double ourPull = secs(t0);
      double ourPullCpu = ownCpu() - c0;
      long heapPull = peakHeap();
      t0 = System.nanoTime();
      c0 = toolCpu(ticks);
      Tools.run(T, "skopeo", "copy", "--src-tls-verify=false", "docker://" + base, "oci:" + work.resolve("sk") + ":v1");
      Tools.run(T, "umoci", "unpack", "--image", work.resolve("sk") + ":v1", work.resolve("umoci-bundle").toString());
      double toolPull = secs(t0);
      double toolPullCpu = toolCpu(ticks) - c0;

      // Pack + push of the whole tree as one layer.
      resetPeaks();
      t0 = System.nanoTime();
      c0 = ownCpu();
      OciTarget.registry(registry.address() + "/bench/ours:v1").withLayers(OciTarget.Layers.SQUASHED)
          .write(TestImages.built(pulled, Optional.empty()), e -> { });
      double ourPush = secs(t0);
      double ourPushCpu = ownCpu() - c0;
      long heapPush = peakHeap();
      Path l2 = work.resolve("repack-layout");
      Tools.run(T, "umoci", "init", "--layout", l2.toString());
      Tools.run(T, "umoci", "new", "--image", l2 + ":v1");
      Tools.run(T, "umoci", "unpack", "--image", l2 + ":v1", work.resolve("repack-bundle").toString());
      Tools.run(T, "cp", "-a", tree + "/.", work.resolve("repack-bundle/rootfs").toString());
      t0 = System.nanoTime();
      c0 = toolCpu(ticks);
      Tools.run(T, "umoci", "repack", "--image", l2 + ":v1", work.resolve("repack-bundle").toString());
      Tools.run(T, "skopeo", "copy", "--dest-tls-verify=false", "oci:" + l2 + ":v1",
          "docker://" + registry.address() + "/bench/tools:v1");
      double toolPush = secs(t0);
      double toolPushCpu = toolCpu(ticks) - c0;

      System.out.printf("pull+unpack: ours %.2f s, skopeo copy + umoci unpack %.2f s, ratio ours/tools %.2f%n",
          ourPull, toolPull, ourPull / toolPull);
      System.out.printf("pack+push:   ours %.2f s, umoci repack + skopeo copy %.2f s, ratio ours/tools %.2f%n",
          ourPush, toolPush, ourPush / toolPush);
      System.out.printf("cpu (user + system): pull+unpack ours %.2f s, tools %.2f s, ratio %.2f;"
          + " pack+push ours %.2f s, tools %.2f s, ratio %.2f%n", ourPullCpu, toolPullCpu, ourPullCpu / toolPullCpu,
          ourPushCpu, toolPushCpu, ourPushCpu / toolPushCpu);
      System.out.printf("peak heap: pull %,d MiB, pack+push %,d MiB (max heap %,d MiB)%n",
          heapPull >> 20, heapPush >> 20, Runtime.getRuntime().maxMemory() >> 20);
    }
    Tools.run(T, "rm", "-rf", work.toString());
  }

  /**
   * Flushes the disk and waits a minute, so that the pull does not start right after a mass
   * deletion (the work directory of the run before, removed at the start): when ext4 allocates an inode it skips those
   * freed in the last minute (longer while their inode table is unwritten), and that scan made
   * creating thirteen thousand files cost 10 s of system time instead of 1 in one run and not
   * in the next. Nothing is deleted after this until all is timed, so both sides meet the same
   * file system.
   */
  private static void settle() throws Exception {
    Tools.run(T, "sync");
    Thread.sleep(65_000);
  }

  private static double secs(long t0) {
    return (System.nanoTime() - t0) / 1e9;
  }

  /** CPU seconds this JVM has used, all threads. */
  private static double ownCpu() {
    return ManagementFactory.getPlatformMXBean(com.sun.management.OperatingSystemMXBean.class).getProcessCpuTime() / 1e9;
  }

  /**
   * CPU seconds of this JVM's children that have ended (the tools; the registry still runs, and
   * what it burns serving either side is counted on neither): cutime + cstime of /proc/self/stat.
   */
  private static double toolCpu(long ticksPerSecond) throws java.io.IOException {
    String stat = Files.readString(Path.of("/proc/self/stat"));
    // After "pid (comm) ": state is field 3 of the line, so cutime (16) and cstime (17) are at 13 and 14.
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return (Long.parseLong(f[13]) + Long.parseLong(f[14])) / (double) ticksPerSecond;
  }

  private static void resetPeaks() {
    System.gc();
    ManagementFactory.getMemoryPoolMXBeans().forEach(MemoryPoolMXBean::resetPeakUsage);
  }

  private static long peakHeap() {
    return ManagementFactory.getMemoryPoolMXBeans().stream().filter(p -> p.getType() == MemoryType.HEAP)
        .mapToLong(p -> p.getPeakUsage().getUsed()).sum();
  }

  private static long[] treeStats(Path tree) throws Exception {
    AtomicLong bytes = new AtomicLong();
    AtomicLong entries = new AtomicLong();
    try (Stream<Path> s = Files.walk(tree)) {
      s.forEach(p -> {
        entries.incrementAndGet();
        if (Files.isRegularFile(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
          try {
            bytes.addAndGet(Files.size(p));
          } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
          }
        }
      });
    }
    return new long[] {bytes.get(), entries.get()};
  }
}
