package dev.kairos.factory.oci.bench;

import dev.kairos.factory.core.api.fs.RootFs;
import dev.kairos.factory.oci.internal.layer.LayerUnpacker;
import java.io.BufferedInputStream;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Benchmark, not a test: applies one layer tar to a new directory with {@link LayerUnpacker} alone
 * (no registry, no digest, no inflating) and prints the wall time, the process's CPU and that of
 * the thread that makes the files, split into user and system time. Run under {@code strace -f -c}
 * it counts the system calls an entry costs. Run with {@code kairos-oci/bench/tools/unpack-only.sh
 * LAYER.tar DEST} as root.
 */
public final class UnpackBench {
  private UnpackBench() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 2) {
      throw new IllegalArgumentException("usage: UnpackBench LAYER.tar DEST (DEST must not exist)");
    }
    Path dest = Files.createDirectory(Path.of(args[1]));
    RootFs root = RootFs.at(dest);
    com.sun.management.OperatingSystemMXBean os =
        ManagementFactory.getPlatformMXBean(com.sun.management.OperatingSystemMXBean.class);
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    long t0 = System.nanoTime();
    long cpu0 = os.getProcessCpuTime();
    long main0 = threads.getCurrentThreadCpuTime();
    long user0 = threads.getCurrentThreadUserTime();
    try (InputStream in = new BufferedInputStream(Files.newInputStream(Path.of(args[0])), 1 << 20)) {
      new LayerUnpacker(root).apply(in, args[0]);
    }
    double main = (threads.getCurrentThreadCpuTime() - main0) / 1e9;
    double user = (threads.getCurrentThreadUserTime() - user0) / 1e9;
    System.out.printf("unpack: wall %.2f s, cpu %.2f s, the writing thread %.2f s (user %.2f, system %.2f)%n",
        (System.nanoTime() - t0) / 1e9, (os.getProcessCpuTime() - cpu0) / 1e9, main, user, main - user);
  }
}
