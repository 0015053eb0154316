package dev.kairos.factory.distros.internal;

import dev.kairos.factory.core.api.distro.PackageManager;
import dev.kairos.factory.core.api.distro.PackageManager.TemporaryFile;
import dev.kairos.factory.core.api.fs.ImagePath;
import dev.kairos.factory.core.api.lock.Lock;
import dev.kairos.factory.core.api.lock.LockMismatchException;
import dev.kairos.factory.core.api.lock.LockedPackage;
import dev.kairos.factory.core.api.run.Command;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Locks for apt: the installed set from {@code dpkg-query}, the package files' sizes, SHA-256 and
 * repositories from {@code apt-get download --print-uris} (apt's own index, no download), and a
 * replay held by apt preferences (priority 1001 on each locked version, so apt resolves
 * dependencies to the locked set and may go back to an older version) and checked by a
 * {@code DPkg::Pre-Install-Pkgs} hook, which apt runs with every package file it is about to hand
 * to dpkg: a file whose SHA-256 the lock does not hold stops apt before dpkg unpacks anything,
 * wherever apt found it (the build cache, the mirror, the lock mirror).
 *
 * <p>apt prints the strongest hash a repository's index carries: SHA-256 for Debian's archive,
 * SHA-512 for a repository whose index also or only carries that (apt-ftparchive's default). The
 * lock keeps SHA-256 of every package file, so for those the file itself is hashed (see
 * {@link #listFiles}); the replay's check hashes the file apt hands to dpkg, whatever the index holds.
 */
final class AptLocking implements PackageManager.Locking {
  static final ImagePath PREFERENCES = ImagePath.of("/etc/apt/preferences.d/kairos-lock.pref");
  static final ImagePath HOOK_CONF = ImagePath.of("/etc/apt/apt.conf.d/99kairos-lock");
  static final ImagePath HOOK = ImagePath.of("/etc/apt/kairos-lock.verify");
  static final ImagePath MANIFEST = ImagePath.of("/etc/apt/kairos-lock.sha256");
  static final ImagePath MIRROR = ImagePath.of("/etc/apt/sources.list.d/kairos-lock-mirror.list");
  static final ImagePath MISMATCH = ImagePath.of("/etc/apt/kairos-lock.mismatch");

  // Reads the file names apt passes (one a line), hashes each, and records every file whose hash
  // the manifest (HASH NAME PIN) lacks, with the hash the lock holds for that package name.
  private static final String VERIFY = """
      #!/bin/sh
      # kairos-factory lock replay: every package file apt is about to unpack must have a SHA-256 the lock holds.
      m=%s
      out=%s
      rc=0
      while read -r f; do
        case "$f" in *.deb) ;; *) continue ;; esac
        h=$(sha256sum "$f" | cut -d' ' -f1)
        if awk -v h="$h" '$1 == h { found = 1 } END { exit !found }' "$m"; then continue; fi
        b=$(basename "$f"); n=${b%%%%_*}
        e=$(awk -v n="$n" '$2 == n { print $1; exit }' "$m")
        echo "$n ${e:--} $h $f" >> "$out"
        rc=1
      done
      exit $rc
      """;

  /** apt's lists, which {@code apt-get download --print-uris} reads. */
  @Override
  public Optional<ImagePath> indexes() {
    return Optional.of(ImagePath.of("/var/lib/apt/lists"));
  }

  @Override
  public Command listInstalled(ImagePath out) {
    return Command.shell("dpkg-query -W -f '${db:Status-Abbrev}\\t${Package}\\t${Architecture}\\t${Version}\\n' > " + out);
  }

  @Override
  public List<LockedPackage> parseInstalled(String text) {
    List<LockedPackage> out = new ArrayList<>();
    for (String line : text.split("\n")) {
      String[] f = line.split("\t");
      // "ii " is installed; half-installed or config-files-only packages are not part of the image's set
      if (f.length == 4 && f[0].startsWith("ii")) {
        out.add(LockedPackage.installed(f[1], f[2], f[3]));
      }
    }
    return out;
  }

  /**
   * One {@code apt-get download --print-uris} a package; where the index carries no SHA-256 (apt
   * prints the strongest hash the index has, SHA-512 where it has both or only that), the package
   * file's own SHA-256 is printed instead: from apt's archive cache, where the install just left
   * it, else downloaded (apt checks it against the index's hash) into a scratch directory.
   */
  @Override
  public Command listFiles(List<LockedPackage> packages, ImagePath out) {
    StringBuilder pins = new StringBuilder();
    for (LockedPackage p : packages) {
      pins.append(' ').append(shellQuote(p.toString()));
    }
    // All packages in one call first: apt loads its cache once (a call a package took minutes for
    // an image's few hundred). When that call fails (apt prints nothing at all for a call naming a
    // version no repository offers: a package that came with the base) or names a file by another
    // hash than SHA-256 (an index with SHA-512), one package a call: such a package is locked
    // without a file hash, and a SHA-512 file is hashed here.
    return Command.shell("{ apt-get download --print-uris" + pins + " > " + out + " 2>/dev/null && ! grep -qv ' SHA256:' "
        + out + "; } || for p in" + pins + "; do " + PRINT_FILE + "; done > " + out + "; true");
  }

  // $p is NAME:ARCH=VERSION; prints 'URI' FILE SIZE SHA256:HEX, or nothing.
  private static final String PRINT_FILE = "l=$(apt-get download --print-uris \"$p\" 2>/dev/null);"
      + " case \"$l\" in '') ;; *' SHA256:'*) echo \"$l\" ;; *) set -- $l; f=/var/cache/apt/archives/$2; d=;"
      + " if [ ! -f \"$f\" ]; then d=$(mktemp -d)"
      + " && (cd \"$d\" && apt-get -q download \"$p\" >/dev/null 2>&1); f=$d/$2; fi;"
      + " if [ -f \"$f\" ]; then echo \"$1 $2 $3 SHA256:$(sha256sum \"$f\" | cut -d' ' -f1)\"; fi;"
      + " if [ -n \"$d\" ]; then rm -rf \"$d\"; fi ;; esac";

  @Override
  public List<LockedPackage> withFiles(List<LockedPackage> packages, String text) {
    return withPrintedFiles(packages, text);
  }

  /**
   * {@code packages} with size, SHA-256 and repository where {@code text} (lines of
   * {@code apt-get download --print-uris}: {@code 'URI' FILE SIZE ALGO:HEX}) names their files.
   * A line with another hash than SHA-256 (SHA-512) gives the size and repository but no hash.
   */
  static List<LockedPackage> withPrintedFiles(List<LockedPackage> packages, String text) {
    Map<String, PrintedFile> byFile = new HashMap<>();
    for (PrintedFile f : PrintedFile.parse(text)) {
      byFile.put(f.file(), f);
    }
    List<LockedPackage> out = new ArrayList<>();
    for (LockedPackage p : packages) {
      PrintedFile f = byFile.get(fileName(p));
      if (f == null) {
        out.add(p);
        continue;
      }
      String uri = f.uri();
      int pool = uri.indexOf("/pool/");
      String repo = pool > 0 ? uri.substring(0, pool) : uri.substring(0, Math.max(uri.lastIndexOf('/'), 0));
      Optional<String> sha256 = f.algorithm().equals("SHA256") ? Optional.of(f.hex()) : Optional.empty();
      out.add(new LockedPackage(p.name(), p.arch(), p.version(), f.size(), sha256,
          Optional.of(repo.isEmpty() ? uri : repo)));
    }
    return out;
  }

  /**
   * One line of {@code apt-get --print-uris}: {@code 'URI' FILE SIZE ALGO:HEX}, the hash the
   * strongest the index carries ({@code SHA256}, {@code SHA512}, ...), its hex in lower case.
   */
  record PrintedFile(String uri, String file, long size, String algorithm, String hex) {
    /** The lines of {@code text} in that form; any other line (apt's messages) is skipped. */
    static List<PrintedFile> parse(String text) {
      List<PrintedFile> out = new ArrayList<>();
      for (String line : text.split("\n")) {
        String[] f = line.trim().split(" ");
        if (f.length == 4 && f[0].length() > 2 && f[0].startsWith("'") && f[0].endsWith("'")
            && f[2].matches("[0-9]{1,18}") && f[3].matches("[A-Za-z0-9]+:[0-9A-Fa-f]+")) {
          int colon = f[3].indexOf(':');
          out.add(new PrintedFile(f[0].substring(1, f[0].length() - 1), f[1], Long.parseLong(f[2]),
              f[3].substring(0, colon), f[3].substring(colon + 1).toLowerCase(java.util.Locale.ROOT)));
        }
      }
      return out;
    }
  }

  /** The file name apt gives a package in its archives: the epoch's colon is {@code %3a}. */
  static String fileName(LockedPackage p) {
    return p.name() + "_" + p.version().replace(":", "%3a") + "_" + p.arch() + ".deb";
  }

  @Override
  public List<TemporaryFile> replayFiles(Lock lock, Optional<String> mirror) {
    Map<String, LockedPackage> byName = new LinkedHashMap<>();
    lock.packages().values().forEach(p -> byName.putIfAbsent(p.name(), p));
    StringBuilder pref = new StringBuilder("# kairos-factory lock replay: only the locked versions\n");
    for (LockedPackage p : byName.values()) {
      pref.append("\nPackage: ").append(p.name()).append("\nPin: version ").append(p.version())
          .append("\nPin-Priority: 1001\n");
    }
    StringBuilder manifest = new StringBuilder();
    for (LockedPackage p : lock.packages().values()) {
      p.sha256().ifPresent(h -> manifest.append(h).append(' ').append(p.name()).append(' ').append(p).append('\n'));
    }
    List<TemporaryFile> files = new ArrayList<>();
    files.add(new TemporaryFile(PREFERENCES, pref.toString(), 0644));
    files.add(new TemporaryFile(MANIFEST, manifest.toString(), 0644));
    files.add(new TemporaryFile(HOOK, String.format(VERIFY, MANIFEST, MISMATCH), 0755));
    files.add(new TemporaryFile(HOOK_CONF, "DPkg::Pre-Install-Pkgs { \"/bin/sh " + HOOK + "\"; };\n", 0644));
    mirror.ifPresent(m -> files.add(new TemporaryFile(MIRROR, "deb [trusted=yes] " + (m.contains(" ") ? m : m + " ./")
        + "\n", 0644)));
    return files;
  }

  @Override
  public ImagePath mismatchFile() {
    return MISMATCH;
  }

  @Override
  public LockMismatchException mismatch(String text, String where) {
    String[] f = text.strip().split("\n")[0].split(" ", 4);
    String file = f.length > 3 ? f[3] : "?";
    String expected = f.length > 1 && !f[1].equals("-") ? "SHA-256 " + f[1] : "no package of this name";
    String found = f.length > 2 ? "SHA-256 " + f[2] + " in " + file : "?";
    return new LockMismatchException(f[0], expected, found, where);
  }

  /** {@code s} in single quotes for sh, a single quote inside written as {@code '\''}. */
  static String shellQuote(String s) {
    return "'" + s.replace("'", "'\\''") + "'";
  }
}
