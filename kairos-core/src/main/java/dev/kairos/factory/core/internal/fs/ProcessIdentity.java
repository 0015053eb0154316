package dev.kairos.factory.core.internal.fs;

/** Who this JVM runs as, asked once. */
final class ProcessIdentity {
  private static final boolean ROOT = probe();

  private ProcessIdentity() {}

  static boolean isRoot() {
    return ROOT;
  }

  private static boolean probe() {
    try {
      return new com.sun.security.auth.module.UnixSystem().getUid() == 0;
    } catch (RuntimeException | LinkageError e) {
      return false;
    }
  }
}
