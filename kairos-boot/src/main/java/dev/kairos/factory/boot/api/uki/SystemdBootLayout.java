package dev.kairos.factory.boot.api.uki;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The ESP tree AuroraBoot's {@code build-uki} produces for systemd-boot: the signed boot loader
 * at {@code EFI/BOOT/BOOTX64.EFI}, the UKIs under {@code EFI/kairos/}, an empty
 * {@code EFI/tools/}, {@code loader/loader.conf}, one {@code loader/entries/<name>.conf} per UKI
 * and the key updates under {@code loader/keys/auto/} for enrolment in Setup Mode.
 *
 * <pre>{@code
 * SystemdBootLayout layout = SystemdBootLayout.builder(Path.of("systemd-bootx64.signed.efi"))
 *     .uki("norole", "Kairos", Path.of("norole.signed.efi"))
 *     .keys(Path.of("keys"))                      // PK.auth, KEK.auth, db.auth
 *     .build();
 * build.output(UkiIso.to(Path.of("kairos-uki.iso")).systemdBoot(layout));
 * }</pre>
 */
public final class SystemdBootLayout {
  private final Path bootloader;
  private final Map<String, String> ukis;
  private final Map<String, Path> ukiFiles;
  private final Path keysDir;
  private final SecureBootEnroll enroll;
  private final String version;

  private SystemdBootLayout(Builder b) {
    this.bootloader = b.bootloader;
    this.ukis = new LinkedHashMap<>(b.ukis);
    this.ukiFiles = new LinkedHashMap<>(b.ukiFiles);
    this.keysDir = b.keysDir;
    this.enroll = b.enroll;
    this.version = b.version;
  }

  /**
   * Starts a layout around the signed systemd-boot EFI binary {@code signedBootloader} (copied to
   * {@code EFI/BOOT/BOOTX64.EFI}); no UKIs, no keys, enrolment {@code if-safe}.
   */
  public static Builder builder(Path signedBootloader) {
    return new Builder(signedBootloader);
  }

  /** {@code loader.conf}: exactly the four lines AuroraBoot writes. */
  public String loaderConf() {
    return "timeout 5\nconsole-mode max\neditor no\nsecure-boot-enroll " + enroll.value() + "\n";
  }

  /** The entry of UKI {@code name} ({@code loader/entries/<name>.conf}). */
  public String entry(String name) {
    String title = ukis.get(name);
    if (title == null) {
      throw new IllegalArgumentException("no UKI named '" + name + "', have " + ukis.keySet());
    }
    return "title " + title + "\n"
        + "sort-key " + name + "-0\n"
        + (version == null ? "" : "version " + version + "\n")
        + "uki /EFI/kairos/" + name + ".efi\n"
        + "profile 0\n";
  }

  /** The host files of the ESP by their path in it: the boot loader, the UKIs and, when given, the key updates. */
  public SortedMap<String, Path> files() {
    SortedMap<String, Path> m = new TreeMap<>();
    m.put("/EFI/BOOT/BOOTX64.EFI", bootloader);
    ukiFiles.forEach((name, file) -> m.put("/EFI/kairos/" + name + ".efi", file));
    if (keysDir != null) {
      for (String k : new String[] {"PK", "KEK", "db"}) {
        m.put("/loader/keys/auto/" + k + ".auth", keysDir.resolve(k + ".auth"));
      }
    }
    return Collections.unmodifiableSortedMap(m);
  }

  /** The text files of the ESP by their path in it: {@code loader.conf} and one entry per UKI. */
  public SortedMap<String, String> texts() {
    SortedMap<String, String> m = new TreeMap<>();
    ukis.keySet().forEach(name -> m.put("/loader/entries/" + name + ".conf", entry(name)));
    m.put("/loader/loader.conf", loaderConf());
    return Collections.unmodifiableSortedMap(m);
  }

  /** The empty directories of the ESP ({@code /EFI/tools}). */
  public List<String> directories() {
    return List.of("/EFI/tools");
  }

  /** What goes into the layout. */
  public static final class Builder {
    private final Path bootloader;
    private final Map<String, String> ukis = new LinkedHashMap<>();
    private final Map<String, Path> ukiFiles = new LinkedHashMap<>();
    private Path keysDir;
    private SecureBootEnroll enroll = SecureBootEnroll.IF_SAFE;
    private String version;

    private Builder(Path bootloader) {
      this.bootloader = Objects.requireNonNull(bootloader, "bootloader");
    }

    /** A UKI at {@code EFI/kairos/<name>.efi} with a loader entry titled {@code title}. */
    public Builder uki(String name, String title, Path file) {
      if (name == null || !name.matches("[a-zA-Z0-9._-]+")) {
        throw new IllegalArgumentException("UKI names are [a-zA-Z0-9._-]+, got '" + name + "'");
      }
      if (title == null || title.isBlank() || title.contains("\n")) {
        throw new IllegalArgumentException("an entry title is one non-empty line, got '" + title + "'");
      }
      ukis.put(name, title.strip());
      ukiFiles.put(name, Objects.requireNonNull(file, "file"));
      return this;
    }

    /** The directory holding {@code PK.auth}, {@code KEK.auth} and {@code db.auth} (see {@code SecureBootKeys}). */
    public Builder keys(Path dir) {
      this.keysDir = Objects.requireNonNull(dir, "dir");
      return this;
    }

    /** When systemd-boot enrolls the keys; default {@link SecureBootEnroll#IF_SAFE}. */
    public Builder secureBootEnroll(SecureBootEnroll enroll) {
      this.enroll = Objects.requireNonNull(enroll, "enroll");
      return this;
    }

    /** Adds {@code version <v>} to every entry ({@code --include-version-in-config}). */
    public Builder version(String version) {
      if (version == null || version.isBlank() || version.contains("\n")) {
        throw new IllegalArgumentException("not a version: '" + version + "'");
      }
      this.version = version.strip();
      return this;
    }

    /** The layout; IllegalArgumentException if no UKI was added. */
    public SystemdBootLayout build() {
      if (ukis.isEmpty()) {
        throw new IllegalArgumentException("a systemd-boot layout needs at least one UKI");
      }
      return new SystemdBootLayout(this);
    }
  }

  /** The UKI names, in the order added. */
  public List<String> names() {
    return new ArrayList<>(ukis.keySet());
  }
}
