package dev.kairos.factory.boot.api.netboot;

import dev.kairos.factory.boot.api.BootMediaOptions;
import dev.kairos.factory.boot.internal.io.TargetRun;
import dev.kairos.factory.boot.internal.iso.KernelFiles;
import dev.kairos.factory.core.api.distro.Architecture;
import dev.kairos.factory.core.api.event.EventListener;
import dev.kairos.factory.core.api.fs.ImagePath;
import dev.kairos.factory.core.api.fs.RootFs;
import dev.kairos.factory.core.api.image.Artifact;
import dev.kairos.factory.core.api.image.ArtifactKind;
import dev.kairos.factory.core.api.image.ArtifactTarget;
import dev.kairos.factory.core.api.image.BuiltImage;
import dev.kairos.factory.core.api.io.AtomicFile;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The files that network-boot a Kairos image (AuroraBoot's {@code netboot} output), as an
 * {@link ArtifactTarget}: the kernel, the initrd and the rootfs squashfs (the same bytes the live
 * ISO carries when written with the same options), the kernel command line, and an iPXE script
 * that fetches all three over HTTP, and {@code <prefix>.sha256}, their {@code sha256sum} listing
 * ({@code sha256sum -c} checks the set). The command line's serial console follows the image's
 * architecture ({@code ttyAMA0} for arm64, see {@link #cmdline(Architecture)}). Each file is written beside its final name and renamed into
 * place, so a server reading the directory never sees a partial file; other files in the
 * directory are left alone.
 *
 * <pre>{@code
 * Artifact set = build.output(NetbootSet.to(Path.of("out/netboot"))
 *     .baseUrl("http://192.168.1.10:8080")
 *     .configUrl("http://192.168.1.10:8080/config.yaml"));
 * // out/netboot/kairos-kernel, kairos-initrd, kairos.squashfs, kairos.ipxe, kairos.cmdline, kairos.sha256
 * }</pre>
 *
 * <p>Of the {@link BootMediaOptions} it uses the source date and the squashfs writer. Immutable:
 * every method returns a changed copy; a bad value is an {@link IllegalArgumentException}.
 */
public final class NetbootSet implements ArtifactTarget {
  /** The consoles of the command line unless {@link #console} says otherwise: AuroraBoot's. */
  public static final String DEFAULT_CONSOLE = "console=tty1 console=ttyS0 console=tty0";
  /**
   * The consoles for an arm64 image: AuroraBoot's with the serial port of arm64 machines, a PL011
   * ({@code ttyAMA0}), instead of the PC's {@code ttyS0}, which they do not have.
   */
  public static final String ARM64_CONSOLE = "console=tty1 console=ttyAMA0 console=tty0";

  private final Path dir;
  private final BootMediaOptions options;
  private final String prefix;
  private final String baseUrl;
  private final Optional<String> configUrl;
  /** Null: {@link #DEFAULT_CONSOLE}, or {@link #ARM64_CONSOLE} for an arm64 image. */
  private final String console;
  private final String extraCmdline;

  private NetbootSet(Path dir, BootMediaOptions options, String prefix, String baseUrl, Optional<String> configUrl,
      String console, String extraCmdline) {
    this.dir = dir;
    this.options = options;
    this.prefix = prefix;
    this.baseUrl = baseUrl;
    this.configUrl = configUrl;
    this.console = console;
    this.extraCmdline = extraCmdline;
  }

  /** The set, to be written into {@code dir} (created if missing), served from {@code http://127.0.0.1:8090}. */
  public static NetbootSet to(Path dir) {
    return new NetbootSet(Objects.requireNonNull(dir, "dir"), BootMediaOptions.DEFAULTS, "kairos",
        "http://127.0.0.1:8090", Optional.empty(), null, "");
  }


  /**
   * Where the files go.
   *
   * @param kernel the kernel, {@code <prefix>-kernel}
   * @param initrd the initrd, {@code <prefix>-initrd}
   * @param squashfs the root file system, {@code <prefix>.squashfs}
   * @param ipxeScript the iPXE script that boots the set, {@code <prefix>.ipxe}
   * @param cmdlineFile the kernel command line, {@code <prefix>.cmdline}
   */
  public record Files(Path kernel, Path initrd, Path squashfs, Path ipxeScript, Path cmdlineFile) {
    /** The five paths, kernel first. */
    public List<Path> all() {
      return List.of(kernel, initrd, squashfs, ipxeScript, cmdlineFile);
    }
  }

  /** With these options (of which the source date and the squashfs writer apply). */
  public NetbootSet options(BootMediaOptions o) {
    return new NetbootSet(dir, Objects.requireNonNull(o, "options"), prefix, baseUrl, configUrl, console, extraCmdline);
  }

  /** With this file name prefix (default {@code kairos}): letters, digits, dot, dash, underscore. */
  public NetbootSet prefix(String p) {
    if (p == null || !p.matches("[A-Za-z0-9._-]+")) {
      throw new IllegalArgumentException("a netboot prefix is letters, digits, '.', '-' and '_', got '" + p + "'");
    }
    return new NetbootSet(dir, options, p, baseUrl, configUrl, console, extraCmdline);
  }

  /** Served from this HTTP(S) URL (a trailing slash is dropped). */
  public NetbootSet baseUrl(String url) {
    return new NetbootSet(dir, options, prefix, url(url, "base URL").replaceAll("/+$", ""), configUrl, console,
        extraCmdline);
  }

  /** With the URL of the cloud-config the node reads at boot ({@code config_url=}). */
  public NetbootSet configUrl(String url) {
    return new NetbootSet(dir, options, prefix, baseUrl, Optional.of(url(url, "config URL")), console, extraCmdline);
  }

  /**
   * With these console arguments (default {@link #DEFAULT_CONSOLE}, for an arm64 image
   * {@link #ARM64_CONSOLE}).
   */
  public NetbootSet console(String args) {
    return new NetbootSet(dir, options, prefix, baseUrl, configUrl, words(args, "console"), extraCmdline);
  }

  /** With {@code args} appended to the command line, e.g. {@code install-mode}. */
  public NetbootSet extraCmdline(String args) {
    return new NetbootSet(dir, options, prefix, baseUrl, configUrl, console, words(args, "extra cmdline"));
  }

  /** The directory the files go to. */
  public Path path() {
    return dir;
  }

  /** The paths of the five files in the directory. */
  public Files files() {
    return new Files(dir.resolve(prefix + "-kernel"), dir.resolve(prefix + "-initrd"), dir.resolve(prefix + ".squashfs"),
        dir.resolve(prefix + ".ipxe"), dir.resolve(prefix + ".cmdline"));
  }

  /**
   * The kernel command line of an amd64 image: dracut's live root fetched over HTTP, network up by
   * DHCP, Kairos' netboot mode, and the cloud-config URL when one is set.
   */
  public String cmdline() {
    return cmdline(Architecture.AMD64);
  }

  /** The kernel command line of an image of {@code arch}: {@link #cmdline()} with that architecture's consoles. */
  public String cmdline(Architecture arch) {
    String consoles = console != null ? console : arch == Architecture.ARM64 ? ARM64_CONSOLE : DEFAULT_CONSOLE;
    StringBuilder c = new StringBuilder("rd.live.overlay.overlayfs rd.neednet=1 ip=dhcp rd.cos.disable root=live:")
        .append(baseUrl).append('/').append(prefix).append(".squashfs netboot nodepair.enable");
    configUrl.ifPresent(u -> c.append(" config_url=").append(u));
    c.append(' ').append(consoles);
    if (!extraCmdline.isEmpty()) {
      c.append(' ').append(extraCmdline);
    }
    return c.toString();
  }

  /** The iPXE script of an amd64 image: kernel and initrd from the base URL, with {@link #cmdline()}. */
  public String ipxeScript() {
    return ipxeScript(Architecture.AMD64);
  }

  /** The iPXE script of an image of {@code arch}, with {@link #cmdline(Architecture)}. */
  public String ipxeScript(Architecture arch) {
    return "#!ipxe\n"
        + "dhcp\n"
        + "kernel " + baseUrl + "/" + prefix + "-kernel initrd=" + prefix + "-initrd " + cmdline(arch) + "\n"
        + "initrd " + baseUrl + "/" + prefix + "-initrd\n"
        + "boot\n";
  }

  @Override
  public String description() {
    return "netboot set " + dir;
  }

  /**
   * Writes the five files and their listing, each atomically, replacing older ones of the same
   * names. The artifact's size is the sum of the five; its digest that of the listing file.
   */
  @Override
  public Artifact write(BuiltImage image, EventListener events) throws IOException {
    return TargetRun.step(events, "netboot", description(), () -> {
      RootFs rootfs = image.rootFs();
      // the consoles differ by architecture; the kernel is copied as is: arm64's Image (or a
      // gzip'd one) is what QEMU, GRUB and iPXE's EFI loader start, as the live ISO's /boot/kernel
      Architecture arch = Architecture.of(rootfs).orElse(Architecture.AMD64);
      KernelFiles kf = KernelFiles.find(rootfs);
      Files f = files();
      copy(rootfs, kf.kernel(), f.kernel());
      copy(rootfs, kf.initrd(), f.initrd());
      AtomicFile.write(f.squashfs(), tmp -> options.squashfsFor(options.sourceDateFor(image)).write(rootfs, tmp));
      AtomicFile.write(f.ipxeScript(), tmp -> java.nio.file.Files.writeString(tmp, ipxeScript(arch), StandardCharsets.UTF_8));
      AtomicFile.write(f.cmdlineFile(), tmp -> java.nio.file.Files.writeString(tmp, cmdline(arch) + "\n", StandardCharsets.UTF_8));
      return artifact(f);
    });
  }

  /** The artifact of the five files (not of anything else the directory holds). */
  private Artifact artifact(Files f) throws IOException {
    StringBuilder listing = new StringBuilder();
    long size = 0;
    for (Path p : f.all().stream().sorted().toList()) {
      size += java.nio.file.Files.size(p);
      listing.append(Artifact.sha256(p).substring("sha256:".length())).append("  ").append(p.getFileName()).append('\n');
    }
    Path sums = dir.resolve(prefix + ".sha256");
    AtomicFile.write(sums, tmp -> java.nio.file.Files.writeString(tmp, listing, StandardCharsets.UTF_8));
    return new Artifact(ArtifactKind.NETBOOT, dir.toString(), size, Optional.of(Artifact.sha256(sums)));
  }

  private static void copy(RootFs root, ImagePath from, Path to) throws IOException {
    AtomicFile.write(to, tmp -> {
      try (InputStream in = root.newInputStream(from)) {
        java.nio.file.Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
      }
    });
  }

  private static String url(String url, String what) {
    if (url == null || !url.matches("https?://[^\\s\"]+")) {
      throw new IllegalArgumentException("the " + what + " must be an http(s) URL without spaces, got '" + url + "'");
    }
    return url;
  }

  private static String words(String s, String what) {
    String w = Objects.requireNonNull(s, what).replace('\n', ' ').strip();
    if (w.contains("\"")) {
      throw new IllegalArgumentException("the " + what + " cannot contain '\"': '" + s + "'");
    }
    return w;
  }
}
