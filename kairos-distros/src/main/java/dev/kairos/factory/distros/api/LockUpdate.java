package dev.kairos.factory.distros.api;

import dev.kairos.factory.core.api.KairosException;
import dev.kairos.factory.core.api.event.EventListener;
import dev.kairos.factory.core.api.lock.Lock;
import dev.kairos.factory.distros.internal.HostApt;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * Re-resolves a {@link Lock} against a mirror: every package (as {@code apt-get dist-upgrade}
 * would), or only the named ones and what they need (as {@code apt-get install NAME...} would on
 * an image holding exactly the locked packages). Packages resolved anew get the version the
 * mirror offers now, with their files' size, SHA-256 and repository; every other package keeps
 * its locked version and file. The resolution is apt's own: the host's apt runs in a directory of
 * its own inside the work directory (its sources, lists and a dpkg status made from the lock;
 * nothing of the host's apt state is read or changed, nothing is installed). Today apt locks
 * (Debian, Ubuntu); it needs the host's apt (Debian package {@code apt}).
 *
 * <p>The mirror is what {@link #mirror} names, else the lock's base when it was bootstrapped
 * ({@code debootstrap:SUITE:URL}, component {@code main}). Where a mirror's index carries only
 * SHA-512 (no SHA-256), the package file is downloaded, checked by apt against the index, and
 * hashed here, since the lock keeps SHA-256.
 *
 * <pre>{@code
 * Lock before = Lock.read(Path.of("kairos.lock"));
 * Lock after = LockUpdate.of(before)
 *     .mirror("http://deb.debian.org/debian bookworm main")
 *     .mirror("http://deb.debian.org/debian-security bookworm-security main")
 *     .packages(List.of("openssl"))
 *     .run(workDir);
 * after.write(Path.of("kairos.lock"));
 * System.out.print(Lock.diff(before, after));   // ~ openssl:amd64 3.0.15-1~deb12u1 -> 3.0.17-1~deb12u2 ...
 * }</pre>
 */
public final class LockUpdate {
  private final Lock lock;
  private final List<String> mirrors;
  private final Set<String> packages;
  private final Duration timeout;
  private final EventListener events;

  private LockUpdate(Lock lock, List<String> mirrors, Set<String> packages, Duration timeout, EventListener events) {
    this.lock = lock;
    this.mirrors = List.copyOf(mirrors);
    this.packages = Set.copyOf(packages);
    this.timeout = timeout;
    this.events = events;
  }

  /** An update of {@code lock}: every package, against the lock's base mirror, until set otherwise. */
  public static LockUpdate of(Lock lock) {
    return new LockUpdate(Objects.requireNonNull(lock, "lock"), List.of(), Set.of(), Duration.ofMinutes(30),
        EventListener.NONE);
  }

  /**
   * Adds a mirror to resolve against: {@code URL SUITE COMPONENT...} (a Debian-style archive, e.g.
   * {@code http://deb.debian.org/debian bookworm main}) or a flat repository's {@code URL} (as
   * {@code dpkg-scanpackages} makes one). {@code file:} and loopback mirrors are trusted unsigned;
   * any other must be signed by a key the host trusts ({@code /etc/apt/trusted.gpg.d}).
   *
   * @throws IllegalArgumentException when it is not an http, https or file URL with a suite and at
   *     least one component, or a URL alone
   */
  public LockUpdate mirror(String mirror) {
    List<String> m = new ArrayList<>(mirrors);
    m.add(HostApt.checkMirror(mirror));
    return new LockUpdate(lock, m, packages, timeout, events);
  }

  /**
   * Re-resolves only these packages (and what they need; a name the lock lacks is added); empty,
   * the default, re-resolves every package.
   *
   * @throws IllegalArgumentException when a name is not a Debian package name
   */
  public LockUpdate packages(Collection<String> names) {
    Set<String> s = new TreeSet<>();
    for (String n : names) {
      if (n == null || !n.matches("[a-z0-9][a-z0-9.+-]+")) {
        throw new IllegalArgumentException("not a package name: '" + n + "'");
      }
      s.add(n);
    }
    return new LockUpdate(lock, mirrors, s, timeout, events);
  }

  /** How long each apt run may take (default 30 minutes). */
  public LockUpdate timeout(Duration timeout) {
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout must be positive, got " + timeout);
    }
    return new LockUpdate(lock, mirrors, packages, timeout, events);
  }

  /** Where apt's output goes, as command output events. */
  public LockUpdate events(EventListener events) {
    return new LockUpdate(lock, mirrors, packages, timeout, Objects.requireNonNull(events, "events"));
  }

  /**
   * Resolves and returns the updated lock (the lock given is not changed, nothing is written but
   * apt's files under {@code workDirectory}).
   *
   * @param workDirectory an empty or missing directory for apt's own files, owned by the caller
   * @throws KairosException when no mirror is known, or apt cannot read a mirror or resolve a
   *     package (a {@link dev.kairos.factory.core.api.CommandFailedException} with apt's output)
   */
  public Lock run(Path workDirectory) throws IOException {
    List<String> m = mirrors.isEmpty() ? HostApt.baseMirror(lock).map(List::of).orElseThrow(() ->
        new KairosException("the lock names no mirror to resolve against (its base is "
            + lock.base().getOrDefault("source", "not recorded") + "): give one, e.g. 'http://deb.debian.org/debian"
            + " bookworm main'")) : mirrors;
    return HostApt.update(lock, m, packages, workDirectory, timeout, events);
  }
}
