package dev.kairos.factory.oci.internal.util;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/** Bounded pools of daemon threads, so that an embedding program can always exit. */
public final class Pools {
  private static final ExecutorService SHARED = daemon("kairos-oci-io", 4);

  private Pools() {}

  /**
   * A pool of daemon threads shared by all registry clients; oras-java wants one, and its own
   * would be of non-daemon threads that keep a JVM alive.
   */
  public static ExecutorService shared() {
    return SHARED;
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
