package dev.kairos.factory.distros.internal;

import dev.kairos.factory.core.api.distro.Model;
import dev.kairos.factory.core.api.distro.PackageManager;
import dev.kairos.factory.core.api.fs.ImagePath;
import dev.kairos.factory.core.api.run.Command;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** A {@link PackageManager} made of a command table and the distro's repository and blocker choices. */
final class TablePackageManager implements PackageManager {
  private final PackageManagerSpec spec;
  private final Function<Model, List<Command>> repositories;
  private final List<TemporaryFile> blockers;
  private final List<TemporaryFile> shims;

  TablePackageManager(PackageManagerSpec spec, Function<Model, List<Command>> repositories, List<TemporaryFile> blockers,
      List<TemporaryFile> shims) {
    this.spec = spec;
    this.repositories = repositories;
    this.blockers = List.copyOf(blockers);
    this.shims = List.copyOf(shims);
  }

  @Override
  public String name() {
    return spec.name();
  }

  @Override
  public Map<String, String> environment() {
    return spec.env();
  }

  @Override
  public Command refresh() {
    return command(spec.refresh());
  }

  @Override
  public Command upgrade() {
    return command(spec.upgrade());
  }

  @Override
  public Command install(List<String> packages) {
    return command(withPackages(spec.install(), packages));
  }

  @Override
  public Command remove(List<String> packages) {
    return command(withPackages(spec.remove(), packages));
  }

  /**
   * apt only: {@code apt-get update} into the directory {@link #RESOLVE_INDEXES_ENV} names (apt
   * asks the mirror whether each Release file changed, and fetches nothing more when none did), then
   * {@code apt-get -s} of the upgrade and the install against those indexes, so the image's own
   * lists and caches stay as they are.
   */
  @Override
  public java.util.Optional<Resolution> resolve(List<String> packages) {
    if (!spec.name().equals("apt-get")) {
      return java.util.Optional.empty();
    }
    String opts = "-o Dir::State::Lists=\"$l\" -o Dir::Cache::pkgcache= -o Dir::Cache::srcpkgcache="
        + " -o APT::Sandbox::User=root -o Debug::NoLocking=1";
    String head = "set -e\nl=${" + RESOLVE_INDEXES_ENV + ":?names no directory for the indexes}\n";
    String update = head + "mkdir -p \"$l/partial\"\napt-get " + opts + " -qq update >/dev/null\n";
    StringBuilder simulate = new StringBuilder(head).append(simulated(spec.upgrade(), opts)).append('\n');
    if (!packages.isEmpty()) {
      simulate.append(simulated(withPackages(spec.install(), packages), opts)).append('\n');
    }
    return java.util.Optional.of(new Resolution(Command.builder("/bin/sh", "-c", update).env(spec.env()).build(),
        Command.builder("/bin/sh", "-c", simulate.toString()).env(spec.env()).build()));
  }

  /**
   * apt: an index is vouched for by its repository's {@code InRelease} or {@code Release} (apt
   * names a repository's files by one prefix, {@code HOST_PATH_dists_SUITE_}, and uses no index whose
   * SHA-256 differs from the one the Release file names).
   */
  @Override
  public boolean indexVouchedFor(String name, java.util.Set<String> names) {
    if (!spec.name().equals("apt-get") || isRelease(name)) {
      return false;
    }
    for (String n : names) {
      if (isRelease(n) && !n.endsWith(".gpg")) {
        String prefix = n.substring(0, n.length() - (n.endsWith("InRelease") ? "InRelease" : "Release").length());
        if (!prefix.isEmpty() && name.startsWith(prefix)) {
          return true;
        }
      }
    }
    return false;
  }

  private static boolean isRelease(String name) {
    return name.endsWith("InRelease") || name.endsWith("Release") || name.endsWith("Release.gpg");
  }

  /**
   * apt only: {@code command} with {@code --print-uris -qq}, which makes apt print each package
   * file it would download ({@code 'URI' FILE SIZE HASH}) and do nothing else. An install's
   * listing names the weakest hash of the index (MD5Sum) where {@code apt-get download}'s names
   * the strongest, so {@code Acquire::ForceHash} asks for SHA-256, which Debian's and Ubuntu's
   * indexes carry (a file without one is printed without a hash and left to apt).
   */
  @Override
  public java.util.Optional<Command> listDownloads(Command command) {
    List<String> argv = command.argv();
    if (!spec.name().equals("apt-get") || !argv.get(0).equals("apt-get")) {
      return java.util.Optional.empty();
    }
    List<String> listing = new ArrayList<>(List.of("apt-get", "--print-uris", "-qq", "-o", "Acquire::ForceHash=SHA256"));
    listing.addAll(argv.subList(1, argv.size()));
    Command.Builder b = Command.builder(listing.toArray(new String[0])).env(command.env());
    return java.util.Optional.of(b.timeout(command.timeout()).build());
  }

  /** apt's archives, where it looks for a package file before downloading it. */
  static final ImagePath APT_ARCHIVES = ImagePath.of("/var/cache/apt/archives");

  @Override
  public List<Download> downloads(String text) {
    if (!spec.name().equals("apt-get")) {
      return List.of();
    }
    List<Download> out = new ArrayList<>();
    for (AptLocking.PrintedFile f : AptLocking.PrintedFile.parse(text)) {
      // a plain file name (apt's NAME_VERSION_ARCH.deb), so that no line can name a path elsewhere
      if (f.file().matches("[A-Za-z0-9][A-Za-z0-9.+~%_:-]*\\.deb")) {
        out.add(new Download(f.uri(), APT_ARCHIVES.resolve(f.file()), f.size(), f.algorithm(), f.hex()));
      }
    }
    return out;
  }

  /** {@code argv} as a dry run with {@code opts}, each word quoted for sh. */
  private static String simulated(List<String> argv, String opts) {
    StringBuilder b = new StringBuilder(argv.get(0)).append(' ').append(opts).append(" -s");
    for (String a : argv.subList(1, argv.size())) {
      b.append(' ').append(AptLocking.shellQuote(a));
    }
    return b.toString();
  }

  @Override
  public List<Command> clean() {
    return spec.clean().stream().map(this::command).toList();
  }

  @Override
  public List<ImagePath> logs() {
    return spec.logs();
  }

  @Override
  public List<Command> addRepositories(Model model) {
    return repositories.apply(model);
  }

  @Override
  public java.util.Optional<Locking> locking() {
    return spec.name().equals("apt-get") ? java.util.Optional.of(new AptLocking()) : java.util.Optional.empty();
  }

  @Override
  public List<TemporaryFile> serviceStartBlockers() {
    return blockers;
  }

  @Override
  public List<TemporaryFile> installShims() {
    return shims;
  }

  Command command(List<String> argv) {
    return Command.builder(argv.toArray(new String[0])).env(spec.env()).build();
  }

  private static List<String> withPackages(List<String> prefix, List<String> packages) {
    if (packages.isEmpty()) {
      throw new IllegalArgumentException("no packages given");
    }
    List<String> argv = new ArrayList<>(prefix);
    for (String p : packages) {
      if (p == null || p.isBlank() || p.startsWith("-") || p.chars().anyMatch(Character::isWhitespace)) {
        throw new IllegalArgumentException("bad package name: '" + p + "' in " + packages);
      }
      argv.add(p);
    }
    return argv;
  }

  @Override
  public String toString() {
    return spec.name();
  }
}
