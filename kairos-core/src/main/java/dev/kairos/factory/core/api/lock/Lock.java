package dev.kairos.factory.core.api.lock;

import dev.kairos.factory.core.api.io.AtomicFile;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * What one image build installed, so that another day can install exactly the same: the base,
 * every package in the image with the SHA-256 of its package file, the framework and provider
 * sources, the source date, the Kairos version and the options that shape the image. Every
 * {@code build} records one; {@code build --lock} replays it.
 *
 * <h2>The text format, version 2</h2>
 * UTF-8, one entry a line, fields separated by one space. Lines starting with {@code #} and blank
 * lines are comments. The first entry is {@code kairos-lock 2}. Then, in this order and each group
 * sorted (so two locks diff line by line):
 * <pre>
 * kairos-lock 2
 * kairos-version v0.9.0
 * source-date 1700000000
 * base KEY VALUE                       the base: source, and e.g. suite, mirror, variant, digest
 * source KEY VALUE                     framework and provider sources, e.g. framework oci:...@sha256:...
 * option KEY VALUE                     the options that shape the image: arch, model, fips, ...
 * base-package NAME ARCH VERSION SIZE SHA256 REPOSITORY   every package the base held before the build
 * package NAME ARCH VERSION SIZE SHA256 REPOSITORY   every package in the built image
 * </pre>
 * Version 1 differs only in its {@code base-package} entries, which hold {@code NAME ARCH VERSION}
 * alone; this library reads both (a version 1 base package has no size, hash or repository), and
 * writes version 2.
 * A field holding white space or {@code %} is percent-encoded ({@code %20}, {@code %25}); an
 * unknown size, hash or repository is {@code -}. Keys are unique within their group; a package is
 * unique by name and architecture. A reader refuses a higher format version, an unknown entry, a
 * duplicate and a bad field, naming the line.
 *
 * <pre>{@code
 * Lock lock = Lock.builder()
 *     .kairosVersion("v0.9.0").sourceDate(1700000000L)
 *     .base("source", "debootstrap:bookworm")
 *     .option("model", "generic")
 *     .basePackage(LockedPackage.of("bash", "amd64", "5.2.15-2+b13", 1502116, "cd34...", "http://deb.debian.org/debian"))
 *     .pkg(LockedPackage.of("curl", "amd64", "7.88.1-10+deb12u15", 315692, "ab12...", "http://deb.debian.org/debian"))
 *     .build();
 * lock.write(Path.of("out/kairos.lock"));
 * Lock again = Lock.read(Path.of("out/kairos.lock"));   // equals lock
 * Lock.Diff d = Lock.diff(again, Lock.read(Path.of("next/kairos.lock")));
 * d.changed().forEach(c -> System.out.println(c.before() + " -> " + c.after().version()));
 * }</pre>
 */
public final class Lock {
  /** The format version this library writes and the highest it reads. */
  public static final int FORMAT_VERSION = 2;
  /** The file name a build writes beside its outputs. */
  public static final String FILE_NAME = "kairos.lock";
  private static final String MAGIC = "kairos-lock";
  private static final String UNKNOWN = "-";

  private final String kairosVersion;
  private final long sourceDate;
  private final SortedMap<String, String> base;
  private final SortedMap<String, String> sources;
  private final SortedMap<String, String> options;
  private final SortedMap<String, LockedPackage> basePackages;
  private final SortedMap<String, LockedPackage> packages;

  private Lock(Builder b) {
    this.kairosVersion = b.kairosVersion;
    this.sourceDate = b.sourceDate;
    this.base = Collections.unmodifiableSortedMap(new TreeMap<>(b.base));
    this.sources = Collections.unmodifiableSortedMap(new TreeMap<>(b.sources));
    this.options = Collections.unmodifiableSortedMap(new TreeMap<>(b.options));
    this.basePackages = Collections.unmodifiableSortedMap(new TreeMap<>(b.basePackages));
    this.packages = Collections.unmodifiableSortedMap(new TreeMap<>(b.packages));
  }

  /** An empty builder. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding everything of this lock. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.kairosVersion = kairosVersion;
    b.sourceDate = sourceDate;
    b.base.putAll(base);
    b.sources.putAll(sources);
    b.options.putAll(options);
    b.basePackages.putAll(basePackages);
    b.packages.putAll(packages);
    return b;
  }

  /** The Kairos version the image was built as. */
  public String kairosVersion() {
    return kairosVersion;
  }

  /** The source date, in seconds since the epoch. */
  public long sourceDate() {
    return sourceDate;
  }

  /** The base: {@code source} and what identifies it further (suite, mirror, variant, digest). */
  public SortedMap<String, String> base() {
    return base;
  }

  /** Framework and provider sources, by name. */
  public SortedMap<String, String> sources() {
    return sources;
  }

  /** The options that shape the image, by name. */
  public SortedMap<String, String> options() {
    return options;
  }

  /** The base's own packages, by {@link LockedPackage#key()}. */
  public SortedMap<String, LockedPackage> basePackages() {
    return basePackages;
  }

  /** Every package in the built image, by {@link LockedPackage#key()}. */
  public SortedMap<String, LockedPackage> packages() {
    return packages;
  }

  /** The package named {@code name} (any architecture), if the image holds one. */
  public Optional<LockedPackage> pkg(String name) {
    return packages.values().stream().filter(p -> p.name().equals(name)).findFirst();
  }

  /** This lock in the text format (see the class comment). */
  public String format() {
    StringBuilder b = new StringBuilder();
    b.append("# Kairos Factory package lock. Replay with: kairos-factory build --lock FILE ...\n");
    b.append(MAGIC).append(' ').append(FORMAT_VERSION).append('\n');
    b.append("kairos-version ").append(enc(kairosVersion)).append('\n');
    b.append("source-date ").append(sourceDate).append('\n');
    base.forEach((k, v) -> b.append("base ").append(enc(k)).append(' ').append(enc(v)).append('\n'));
    sources.forEach((k, v) -> b.append("source ").append(enc(k)).append(' ').append(enc(v)).append('\n'));
    options.forEach((k, v) -> b.append("option ").append(enc(k)).append(' ').append(enc(v)).append('\n'));
    basePackages.values().forEach(p -> line(b, "base-package", p));
    packages.values().forEach(p -> line(b, "package", p));
    return b.toString();
  }

  private static void line(StringBuilder b, String entry, LockedPackage p) {
    b.append(entry).append(' ').append(p.name()).append(' ').append(p.arch()).append(' ').append(enc(p.version())).append(' ')
        .append(p.size() < 0 ? UNKNOWN : Long.toString(p.size())).append(' ').append(p.sha256().orElse(UNKNOWN))
        .append(' ').append(p.repository().map(Lock::enc).orElse(UNKNOWN)).append('\n');
  }

  /** Writes {@link #format()} to {@code file} atomically. */
  public void write(Path file) throws IOException {
    byte[] text = format().getBytes(StandardCharsets.UTF_8);
    AtomicFile.write(file, t -> Files.write(t, text));
  }

  /**
   * Reads a lock file.
   *
   * @throws LockFormatException naming the file and line of the first bad entry
   */
  public static Lock read(Path file) throws IOException {
    return parse(file.toString(), Files.readString(file, StandardCharsets.UTF_8));
  }

  /**
   * Parses lock text.
   *
   * @param source where the text came from, named in errors
   * @throws LockFormatException naming {@code source} and the line of the first bad entry
   */
  public static Lock parse(String source, String text) throws LockFormatException {
    Builder b = builder();
    boolean header = false;
    boolean version = false;
    boolean date = false;
    int format = 0;
    String[] lines = text.split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      int n = i + 1;
      String line = lines[i].endsWith("\r") ? lines[i].substring(0, lines[i].length() - 1) : lines[i];
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      String[] f = line.split(" ", -1);
      if (!header) {
        if (f.length != 2 || !f[0].equals(MAGIC)) {
          throw new LockFormatException(source, n, "not a lock file: the first entry must be '" + MAGIC + " "
              + FORMAT_VERSION + "', got '" + line + "'");
        }
        int v;
        try {
          v = Integer.parseInt(f[1]);
        } catch (NumberFormatException e) {
          throw new LockFormatException(source, n, "format version must be a number, got '" + f[1] + "'");
        }
        if (v < 1 || v > FORMAT_VERSION) {
          throw new LockFormatException(source, n, "format version " + v + " is not supported (this library reads 1 to "
              + FORMAT_VERSION + ")");
        }
        header = true;
        format = v;
        continue;
      }
      try {
        switch (f[0]) {
          case "kairos-version" -> {
            fields(f, 2, line);
            if (version) {
              throw new IllegalArgumentException("a second kairos-version");
            }
            b.kairosVersion(dec(f[1]));
            version = true;
          }
          case "source-date" -> {
            fields(f, 2, line);
            if (date) {
              throw new IllegalArgumentException("a second source-date");
            }
            try {
              b.sourceDate(Long.parseLong(f[1]));
            } catch (NumberFormatException e) {
              throw new IllegalArgumentException("source-date must be seconds since the epoch, got '" + f[1] + "'");
            }
            date = true;
          }
          case "base" -> put(b.base, f, line, "base");
          case "source" -> put(b.sources, f, line, "source");
          case "option" -> put(b.options, f, line, "option");
          case "base-package" -> {
            if (format == 1) {
              fields(f, 4, line);
              unique(b.basePackages, LockedPackage.installed(f[1], f[2], dec(f[3])), "base-package");
            } else {
              unique(b.basePackages, pkg(f, line), "base-package");
            }
          }
          case "package" -> unique(b.packages, pkg(f, line), "package");
          default -> throw new IllegalArgumentException("unknown entry '" + f[0] + "'");
        }
      } catch (IllegalArgumentException e) {
        throw new LockFormatException(source, n, e.getMessage());
      }
    }
    if (!header) {
      throw new LockFormatException(source, lines.length, "empty: no '" + MAGIC + " " + FORMAT_VERSION + "' entry");
    }
    if (!version || !date) {
      throw new LockFormatException(source, lines.length, "missing " + (version ? "source-date" : "kairos-version"));
    }
    return b.build();
  }

  /** {@code ENTRY NAME ARCH VERSION SIZE SHA256 REPOSITORY}. */
  private static LockedPackage pkg(String[] f, String line) {
    fields(f, 7, line);
    long size;
    try {
      size = f[4].equals(UNKNOWN) ? -1 : Long.parseLong(f[4]);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("size must be a number or '-', got '" + f[4] + "'");
    }
    return new LockedPackage(f[1], f[2], dec(f[3]), size, known(f[5]), known(f[6]).map(Lock::dec));
  }

  private static void fields(String[] f, int count, String line) {
    if (f.length != count) {
      throw new IllegalArgumentException(f[0] + " takes " + (count - 1) + " fields separated by one space, got '" + line + "'");
    }
    for (String s : f) {
      if (s.isEmpty()) {
        throw new IllegalArgumentException("an empty field (two spaces?) in '" + line + "'");
      }
    }
  }

  private static void put(Map<String, String> m, String[] f, String line, String what) {
    fields(f, 3, line);
    String k = dec(f[1]);
    if (m.putIfAbsent(k, dec(f[2])) != null) {
      throw new IllegalArgumentException("a second " + what + " '" + k + "'");
    }
  }

  private static void unique(Map<String, LockedPackage> m, LockedPackage p, String what) {
    if (m.putIfAbsent(p.key(), p) != null) {
      throw new IllegalArgumentException("a second " + what + " " + p.key());
    }
  }

  private static Optional<String> known(String s) {
    return s.equals(UNKNOWN) ? Optional.empty() : Optional.of(s);
  }

  private static String enc(String s) {
    StringBuilder b = new StringBuilder();
    for (char c : s.toCharArray()) {
      if (c == '%' || Character.isWhitespace(c) || c < 0x20) {
        b.append(String.format("%%%02X", (int) c));
      } else {
        b.append(c);
      }
    }
    return b.toString();
  }

  private static String dec(String s) {
    try {
      return s.indexOf('%') < 0 ? s : URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("bad percent-encoding in '" + s + "'");
    }
  }

  /**
   * What changed from {@code before} to {@code after}, by package (name and architecture).
   */
  public static Diff diff(Lock before, Lock after) {
    List<LockedPackage> added = new ArrayList<>();
    List<LockedPackage> removed = new ArrayList<>();
    List<Change> changed = new ArrayList<>();
    for (LockedPackage a : after.packages.values()) {
      LockedPackage b = before.packages.get(a.key());
      if (b == null) {
        added.add(a);
      } else if (!b.version().equals(a.version()) || !b.sha256().equals(a.sha256())) {
        changed.add(new Change(b, a));
      }
    }
    for (LockedPackage b : before.packages.values()) {
      if (!after.packages.containsKey(b.key())) {
        removed.add(b);
      }
    }
    return new Diff(added, removed, changed);
  }

  /**
   * The packages added, removed and changed between two locks, each sorted.
   *
   * @param added in the second lock only
   * @param removed in the first lock only
   * @param changed in both, with another version or package file
   */
  public record Diff(List<LockedPackage> added, List<LockedPackage> removed, List<Change> changed) {
    /** Copies the lists. */
    public Diff {
      added = List.copyOf(added);
      removed = List.copyOf(removed);
      changed = List.copyOf(changed);
    }

    /** Whether nothing changed. */
    public boolean isEmpty() {
      return added.isEmpty() && removed.isEmpty() && changed.isEmpty();
    }

    /** One line a package: {@code + name:arch=version}, {@code - ...}, {@code ~ name:arch old -> new}. */
    @Override
    public String toString() {
      StringBuilder b = new StringBuilder();
      added.forEach(p -> b.append("+ ").append(p).append('\n'));
      removed.forEach(p -> b.append("- ").append(p).append('\n'));
      changed.forEach(c -> b.append("~ ").append(c).append('\n'));
      return b.toString();
    }
  }

  /**
   * A package in both locks that differs.
   *
   * @param before as the first lock holds it
   * @param after as the second lock holds it
   */
  public record Change(LockedPackage before, LockedPackage after) {
    /** Checks both are given. */
    public Change {
      Objects.requireNonNull(before, "before");
      Objects.requireNonNull(after, "after");
    }

    /** {@code name:arch old -> new} (with "(file changed)" when only the hash differs). */
    @Override
    public String toString() {
      return before.key() + " " + before.version() + " -> " + after.version()
          + (before.version().equals(after.version()) ? " (package file changed)" : "");
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Lock l && l.format().equals(format());
  }

  @Override
  public int hashCode() {
    return format().hashCode();
  }

  @Override
  public String toString() {
    return format();
  }

  /** Collects the parts of a {@link Lock}; {@link #build()} copies them. */
  public static final class Builder {
    private String kairosVersion;
    private long sourceDate = -1;
    private final Map<String, String> base = new TreeMap<>();
    private final Map<String, String> sources = new TreeMap<>();
    private final Map<String, String> options = new TreeMap<>();
    private final Map<String, LockedPackage> basePackages = new TreeMap<>();
    private final Map<String, LockedPackage> packages = new TreeMap<>();

    private Builder() {}

    /** The Kairos version, e.g. {@code v0.9.0}. */
    public Builder kairosVersion(String v) {
      if (v == null || v.isBlank()) {
        throw new IllegalArgumentException("kairos version must not be blank, got '" + v + "'");
      }
      this.kairosVersion = v;
      return this;
    }

    /** The source date in seconds since the epoch (0 or more). */
    public Builder sourceDate(long epochSeconds) {
      if (epochSeconds < 0) {
        throw new IllegalArgumentException("source date must be 0 or more, got " + epochSeconds);
      }
      this.sourceDate = epochSeconds;
      return this;
    }

    /** One fact of the base, e.g. {@code ("source", "debootstrap:bookworm")}. */
    public Builder base(String key, String value) {
      base.put(key(key), value(key, value));
      return this;
    }

    /** A framework or provider source, e.g. {@code ("framework", "oci-layout:fw@sha256:...")}. */
    public Builder source(String key, String value) {
      sources.put(key(key), value(key, value));
      return this;
    }

    /** An option that shapes the image, e.g. {@code ("model", "generic")}. */
    public Builder option(String key, String value) {
      options.put(key(key), value(key, value));
      return this;
    }

    /**
     * A package of the base, with its file's size, SHA-256 and repository where known (a replay
     * of a bootstrapped base fetches and checks exactly these files).
     */
    public Builder basePackage(LockedPackage p) {
      basePackages.put(Objects.requireNonNull(p, "package").key(), p);
      return this;
    }

    /** A package of the built image; one of the same name and architecture is replaced. */
    public Builder pkg(LockedPackage p) {
      packages.put(Objects.requireNonNull(p, "package").key(), p);
      return this;
    }

    /** Every package of {@code ps}, as {@link #pkg}. */
    public Builder packages(Collection<LockedPackage> ps) {
      ps.forEach(this::pkg);
      return this;
    }

    /** Every base package of {@code ps}, as {@link #basePackage}. */
    public Builder basePackages(Collection<LockedPackage> ps) {
      ps.forEach(this::basePackage);
      return this;
    }

    /** Drops every package of the built image (e.g. before a re-resolution). */
    public Builder clearPackages() {
      packages.clear();
      return this;
    }

    /**
     * The lock.
     *
     * @throws IllegalArgumentException when the Kairos version or source date is missing
     */
    public Lock build() {
      if (kairosVersion == null || sourceDate < 0) {
        throw new IllegalArgumentException("a lock needs a kairos version and a source date");
      }
      return new Lock(this);
    }

    private static String key(String k) {
      if (k == null || !k.matches("[A-Za-z0-9._:/-]+")) {
        throw new IllegalArgumentException("a key is letters, digits and . _ : / -, got '" + k + "'");
      }
      return k;
    }

    private static String value(String k, String v) {
      if (v == null || v.isEmpty()) {
        throw new IllegalArgumentException(k + ": value must not be empty");
      }
      return v;
    }
  }
}
