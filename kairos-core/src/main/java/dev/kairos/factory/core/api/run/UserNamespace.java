package dev.kairos.factory.core.api.run;

import dev.kairos.factory.core.api.KairosException;
import dev.kairos.factory.core.internal.fs.ProcessIdentity;
import dev.kairos.factory.core.internal.run.HostTool;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Builds without root: a program of the build (the bootstrap, every command in the image) runs as
 * root of a user namespace in which uid and gid 0 are the user who runs the build and ids 1 to
 * 65536 are the user's subordinate ids ({@code /etc/subuid}, {@code /etc/subgid}), mapped by the
 * setuid helpers {@code newuidmap} and {@code newgidmap} (Debian package {@code uidmap}) through
 * util-linux {@code unshare} (2.38 or later). This is the mapping rootless Podman and Buildah use:
 * what is root's in the image is the user's own on the host (the user can read, change and delete
 * the tree), and every other owner of the image (e.g. group {@code shadow}, 42) is a subordinate
 * id on the host (first subordinate gid + 41), which reads as the image's own owner again inside
 * the namespace.
 *
 * <p>A build can also run whole inside such a namespace (its JVM started under {@link #wrap}):
 * it is then root there ({@link #isRoot()}, not {@link #isInitial()}), sees the image's own
 * owners, and what it starts needs no further wrapping.
 *
 * <pre>{@code
 * if (!UserNamespace.isRoot()) {
 *   List<String> missing = UserNamespace.missing();   // e.g. "no subordinate uid range for kim in /etc/subuid (...)"
 *   List<String> argv = UserNamespace.wrap(List.of("mmdebstrap", "--mode=unshare", ...));
 * }
 * }</pre>
 */
public final class UserNamespace {
  /** Ids mapped besides 0: enough for every system and regular id of a distro, {@code nobody} (65534) included. */
  public static final long MAPPED_IDS = 65536;
  private static final Path SUBUID = Path.of("/etc/subuid");
  private static final Path SUBGID = Path.of("/etc/subgid");

  private UserNamespace() {}

  /** Whether this process runs as uid 0: as root, or as root of a user namespace it was started in. */
  public static boolean isRoot() {
    return ProcessIdentity.isRoot();
  }

  /**
   * Whether this process runs in the host's own user namespace (its uid map is the identity of
   * all ids), not in one made for a build; false too where it cannot be told (no {@code /proc}).
   */
  public static boolean isInitial() {
    try {
      List<String> map = Files.readAllLines(Path.of("/proc/self/uid_map"), StandardCharsets.UTF_8);
      return map.size() == 1 && List.of(map.get(0).strip().split("\\s+")).equals(List.of("0", "0", "4294967295"));
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * What keeps this user from running a build in a user namespace, one sentence each, naming the
   * fix; empty when nothing does.
   */
  public static List<String> missing() {
    List<String> missing = new ArrayList<>();
    String os = System.getProperty("os.name", "");
    if (!os.startsWith("Linux")) {
      return List.of("user namespaces need Linux, this is " + os);
    }
    if ("0".equals(sysctl("kernel/unprivileged_userns_clone"))) {
      missing.add("the kernel does not let normal users make user namespaces: "
          + "sysctl -w kernel.unprivileged_userns_clone=1 (as root)");
    }
    if ("0".equals(sysctl("user/max_user_namespaces"))) {
      missing.add("user namespaces are switched off: sysctl -w user.max_user_namespaces=15000 (as root)");
    }
    if ("1".equals(sysctl("kernel/apparmor_restrict_unprivileged_userns"))) {
      missing.add("AppArmor keeps normal users from making user namespaces: "
          + "sysctl -w kernel.apparmor_restrict_unprivileged_userns=0, or an AppArmor profile for unshare (as root)");
    }
    for (String tool : List.of("newuidmap", "newgidmap")) {
      if (!HostTool.exists(tool)) {
        missing.add(tool + " is missing: install the Debian package uidmap");
      }
    }
    if (!HostTool.exists("unshare")) {
      missing.add("unshare is missing: install the Debian package util-linux (2.38 or later)");
    }
    String user = System.getProperty("user.name", "");
    long uid = ProcessIdentity.uid();
    for (Path file : List.of(SUBUID, SUBGID)) {
      String kind = file == SUBUID ? "uid" : "gid";
      try {
        Optional<long[]> range = range(file, user, uid);
        if (range.isEmpty()) {
          long free = freeStart(file);
          missing.add("no subordinate " + kind + " range for " + user + " in " + file
              + ": usermod --add-sub" + kind + "s " + free + "-" + (free + MAPPED_IDS - 1) + " " + user + " (as root)");
        } else if (range.get()[1] < MAPPED_IDS) {
          missing.add("the subordinate " + kind + " range of " + user + " in " + file + " has " + range.get()[1]
              + " ids, a build needs " + MAPPED_IDS);
        }
      } catch (IOException e) {
        missing.add("cannot read " + file + ": " + e.getMessage());
      }
    }
    return List.copyOf(missing);
  }

  /**
   * {@code argv} run as root of a new user namespace with this user's mapping:
   * {@code unshare --map-user=0 --map-group=0 --map-users=SUBUID,1,65536 --map-groups=SUBGID,1,65536 -- argv}.
   * The namespace lives as long as the program; {@code unshare} execs it, so the program is the
   * process started.
   *
   * @throws KairosException naming everything {@link #missing()} finds, if anything
   */
  public static List<String> wrap(List<String> argv) throws KairosException {
    List<String> missing = missing();
    if (!missing.isEmpty()) {
      throw new KairosException("cannot build without root (uid " + ProcessIdentity.uid() + "): "
          + String.join("; ", missing));
    }
    String user = System.getProperty("user.name", "");
    long uid = ProcessIdentity.uid();
    long[] subuid;
    long[] subgid;
    try {
      subuid = range(SUBUID, user, uid).orElseThrow();
      subgid = range(SUBGID, user, uid).orElseThrow();
    } catch (IOException e) {
      throw new KairosException("cannot read the subordinate id ranges: " + e.getMessage(), e);
    }
    List<String> out = new ArrayList<>(List.of(HostTool.find("unshare"),
        "--map-user=0", "--map-group=0",
        "--map-users=" + subuid[0] + ",1," + MAPPED_IDS,
        "--map-groups=" + subgid[0] + ",1," + MAPPED_IDS,
        "--"));
    out.addAll(argv);
    return List.copyOf(out);
  }

  /** The first {@code start:count} line of {@code file} for {@code user} (by name or uid). */
  static Optional<long[]> range(Path file, String user, long uid) throws IOException {
    if (!Files.isRegularFile(file)) {
      return Optional.empty();
    }
    for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      String[] f = line.strip().split(":");
      if (f.length == 3 && (f[0].equals(user) || f[0].equals(Long.toString(uid)))) {
        try {
          return Optional.of(new long[] {Long.parseLong(f[1]), Long.parseLong(f[2])});
        } catch (NumberFormatException e) {
          // a malformed line: newuidmap skips it too
        }
      }
    }
    return Optional.empty();
  }

  /**
   * Where a new range of {@link #MAPPED_IDS} ids in {@code file} can start without overlapping
   * any range in it (two users sharing ids could reach each other's files): after the end of the
   * last one, and not below 100000 (useradd's {@code SUB_UID_MIN}).
   */
  static long freeStart(Path file) throws IOException {
    long free = 100_000;
    if (!Files.isRegularFile(file)) {
      return free;
    }
    for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      String[] f = line.strip().split(":");
      if (f.length == 3) {
        try {
          free = Math.max(free, Long.parseLong(f[1]) + Long.parseLong(f[2]));
        } catch (NumberFormatException e) {
          // a malformed line: newuidmap skips it too
        }
      }
    }
    return free;
  }

  private static String sysctl(String name) {
    try {
      return Files.readString(Path.of("/proc/sys", name), StandardCharsets.UTF_8).strip();
    } catch (IOException e) {
      return null; // not there: this kernel has no such switch
    }
  }
}
