package dev.kairos.factory.boot.api.netboot;

import dev.kairos.factory.boot.api.squashfs.SquashfsCompression;
import dev.kairos.factory.boot.api.squashfs.SquashfsOptions;
import dev.kairos.factory.boot.api.squashfs.SquashfsWriter;
import dev.kairos.factory.boot.internal.iso.KernelFiles;
import dev.kairos.factory.core.api.SourceDate;
import dev.kairos.factory.core.api.fs.RootFs;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * The files that network-boot a Kairos image (AuroraBoot's {@code netboot} output): the kernel,
 * the initrd and the rootfs squashfs (the same bytes the live ISO carries when built with the same
 * options), the kernel command line, and an iPXE script that fetches all three over HTTP.
 *
 * <pre>{@code
 * NetbootSet.Files f = NetbootSet.builder(RootFs.at(Path.of("rootfs")))
 *     .baseUrl("http://192.168.1.10:8080")
 *     .configUrl("http://192.168.1.10:8080/config.yaml")
 *     .build()
 *     .writeTo(Path.of("out/netboot"));
 * // out/netboot/kairos-kernel, kairos-initrd, kairos.squashfs, kairos.ipxe, kairos.cmdline
 * }</pre>
 */
public final class NetbootSet {
  private final Builder b;

  private NetbootSet(Builder b) {
    this.b = b;
  }

  public static Builder builder(RootFs rootfs) {
    return new Builder(rootfs);
  }

  /** Where the files went. */
  public record Files(Path kernel, Path initrd, Path squashfs, Path ipxeScript, Path cmdlineFile, String cmdline) {}

  /**
   * The kernel command line: dracut's live root fetched over HTTP, network up by DHCP, Kairos'
   * netboot mode, and the cloud-config URL when one is set.
   */
  public String cmdline() {
    StringBuilder c = new StringBuilder("rd.live.overlay.overlayfs rd.neednet=1 ip=dhcp rd.cos.disable root=live:")
        .append(b.baseUrl).append('/').append(b.prefix).append(".squashfs netboot nodepair.enable");
    b.configUrl.ifPresent(u -> c.append(" config_url=").append(u));
    c.append(' ').append(b.console);
    if (!b.extraCmdline.isEmpty()) {
      c.append(' ').append(b.extraCmdline);
    }
    return c.toString();
  }

  /** The iPXE script: kernel and initrd from the base URL, with {@link #cmdline()}. */
  public String ipxeScript() {
    return "#!ipxe\n"
        + "dhcp\n"
        + "kernel " + b.baseUrl + "/" + b.prefix + "-kernel initrd=" + b.prefix + "-initrd " + cmdline() + "\n"
        + "initrd " + b.baseUrl + "/" + b.prefix + "-initrd\n"
        + "boot\n";
  }

  /** Writes the five files into {@code dir} (created if missing), replacing older ones. */
  public Files writeTo(Path dir) throws IOException {
    java.nio.file.Files.createDirectories(dir);
    KernelFiles kf = KernelFiles.find(b.rootfs);
    Path kernel = dir.resolve(b.prefix + "-kernel");
    Path initrd = dir.resolve(b.prefix + "-initrd");
    copy(b.rootfs, kf.kernel(), kernel);
    copy(b.rootfs, kf.initrd(), initrd);
    Path squashfs = dir.resolve(b.prefix + ".squashfs");
    b.squashfs.write(b.rootfs, squashfs);
    Path ipxe = dir.resolve(b.prefix + ".ipxe");
    java.nio.file.Files.writeString(ipxe, ipxeScript(), StandardCharsets.UTF_8);
    Path cmd = dir.resolve(b.prefix + ".cmdline");
    java.nio.file.Files.writeString(cmd, cmdline() + "\n", StandardCharsets.UTF_8);
    return new Files(kernel, initrd, squashfs, ipxe, cmd, cmdline());
  }

  private static void copy(RootFs root, dev.kairos.factory.core.api.fs.ImagePath from, Path to) throws IOException {
    try (InputStream in = root.newInputStream(from)) {
      java.nio.file.Files.copy(in, to, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  /** What goes into the set. */
  public static final class Builder {
    private final RootFs rootfs;
    private String prefix = "kairos";
    private String baseUrl = "http://127.0.0.1:8090";
    private Optional<String> configUrl = Optional.empty();
    private String console = "console=tty1 console=ttyS0 console=tty0";
    private String extraCmdline = "";
    private SourceDate sourceDate = SourceDate.of(Instant.EPOCH);
    private SquashfsWriter squashfs;

    private Builder(RootFs rootfs) {
      this.rootfs = Objects.requireNonNull(rootfs, "rootfs");
    }

    /** The file name prefix (default {@code kairos}): letters, digits, dot, dash, underscore. */
    public Builder prefix(String prefix) {
      if (prefix == null || !prefix.matches("[A-Za-z0-9._-]+")) {
        throw new IllegalArgumentException("a netboot prefix is letters, digits, '.', '-' and '_', got '" + prefix + "'");
      }
      this.prefix = prefix;
      return this;
    }

    /** The HTTP(S) URL the files are served from, without a trailing slash. */
    public Builder baseUrl(String url) {
      this.baseUrl = url(url, "base URL").replaceAll("/+$", "");
      return this;
    }

    /** The URL of the cloud-config the node reads at boot ({@code config_url=}). */
    public Builder configUrl(String url) {
      this.configUrl = Optional.of(url(url, "config URL"));
      return this;
    }

    /** The console arguments (default {@code console=tty1 console=ttyS0 console=tty0}). */
    public Builder console(String console) {
      this.console = words(console, "console");
      return this;
    }

    /** Appended to the command line, e.g. {@code install-mode}. */
    public Builder extraCmdline(String args) {
      this.extraCmdline = words(args, "extra cmdline");
      return this;
    }

    public Builder sourceDate(SourceDate date) {
      this.sourceDate = Objects.requireNonNull(date, "date");
      return this;
    }

    /** How the rootfs becomes the squashfs; default the Java writer, zstd level 3, 1 MiB blocks. */
    public Builder squashfs(SquashfsWriter writer) {
      this.squashfs = Objects.requireNonNull(writer, "writer");
      return this;
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

    public NetbootSet build() {
      if (squashfs == null) {
        squashfs = SquashfsWriter.inJava(SquashfsOptions.builder().compression(SquashfsCompression.ZSTD)
            .sourceDate(sourceDate).build());
      }
      return new NetbootSet(this);
    }
  }
}
