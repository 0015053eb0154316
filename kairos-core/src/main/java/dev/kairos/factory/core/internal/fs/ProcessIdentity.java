package dev.kairos.factory.core.internal.fs;

/** Who this JVM runs as, asked once. */
public final class ProcessIdentity {
  private static final long UID = probe();

  private ProcessIdentity() {}

  /** Whether this process runs as uid 0. */
  public static boolean isRoot() {
    return UID == 0;
  }

  /** The uid of this process, or -1 if the platform cannot tell. */
  public static long uid() {
    return UID;
  }

  private static long probe() {
    try {
      return new com.sun.security.auth.module.UnixSystem().getUid();
    } catch (RuntimeException | LinkageError e) {
      return -1;
    }
  }
}
