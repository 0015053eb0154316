package dev.kairos.factory.oci.internal.util;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/** Bounded pools of daemon threads, so that an embedding program can always exit. */
public final class Pools {
  private static final ExecutorService SHARED = daemon("kairos-oci-io", 4);
  private static final int CPUS = Math.max(1, Runtime.getRuntime().availableProcessors());
  private static final ExecutorService CPU = daemon("kairos-oci-cpu", CPUS);

  private Pools() {}

  /**
   * A pool of daemon threads shared by all registry clients, on which the JDK HTTP client runs
   * its own tasks: one pool for the process rather than one per client (a client is made per
   * pull and per push).
   */
  public static ExecutorService shared() {
    return SHARED;
  }

  /** A pool with one daemon thread per processor, shared by the layer compressors. */
  public static ExecutorService cpu() {
    return CPU;
  }

  /** How many threads {@link #cpu()} runs. */
  public static int cpuThreads() {
    return CPUS;
  }

  public static ExecutorService daemon(String name, int threads) {
    AtomicInteger n = new AtomicInteger();
    return Executors.newFixedThreadPool(threads, r -> {
      Thread t = new Thread(r, name + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
  }
}
