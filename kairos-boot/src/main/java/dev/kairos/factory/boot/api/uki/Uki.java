package dev.kairos.factory.boot.api.uki;

import dev.kairos.factory.boot.internal.iso.EfiArch;
import dev.kairos.factory.boot.internal.pe.PeAssembler;
import dev.kairos.factory.core.api.KairosException;
import dev.kairos.factory.core.api.UnsupportedTargetException;
import dev.kairos.factory.core.api.distro.Architecture;
import dev.kairos.factory.core.api.io.AtomicFile;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A Unified Kernel Image: systemd's EFI stub with the kernel, initrd, cmdline, os-release and
 * friends appended as PE sections, laid out as ukify does it: every section at the next multiple
 * of the stub's own SectionAlignment (not a fixed 512 bytes, which breaks firmware that enforces
 * memory protection on 4 KiB stubs), SizeOfImage and the checksum fixed. Section contents are
 * streamed from files; a UKI of a multi-GB initrd does not need a multi-GB heap.
 *
 * <pre>{@code
 * Uki uki = Uki.builder()
 *     .stub(Path.of("/usr/lib/systemd/boot/efi/linuxx64.efi.stub"))
 *     .kernel(Path.of("rootfs/boot/vmlinuz"))
 *     .initrd(Path.of("initrd.zst"))
 *     .cmdline(UkiCmdlines.DEFAULT)
 *     .osRelease(Files.readString(Path.of("rootfs/etc/os-release")))
 *     .build();
 * uki.writeTo(Path.of("norole.efi"));
 * Authenticode.sign(Path.of("norole.efi"), Path.of("norole.signed.efi"), dbKey, dbCert);
 * }</pre>
 */
public final class Uki {
  /** Debian's stub, from the systemd-boot-efi package. */
  public static final Path DEBIAN_STUB = Path.of("/usr/lib/systemd/boot/efi/linuxx64.efi.stub");
  /** Where systemd-boot-efi installs its stubs, on the host and in an image. */
  public static final String STUB_DIRECTORY = "/usr/lib/systemd/boot/efi";

  /**
   * One section of a written UKI: name, virtual address and size, and where it lies in the file.
   *
   * @param name the PE section name, e.g. {@code .linux}
   * @param virtualAddress where the section is loaded, relative to the image base
   * @param virtualSize the size of the section's content in bytes
   * @param fileOffset where the section's content starts in the file
   */
  public record SectionInfo(String name, long virtualAddress, long virtualSize, long fileOffset) {
  }

  private final Path stub;
  private final Path kernel;
  private final List<Path> initrds;
  private final String cmdline;
  private final String osRelease;
  private final String uname;
  private final Path splash;
  private final Map<String, byte[]> extra;

  private Uki(Builder b, String uname) {
    this.stub = b.stub;
    this.kernel = b.kernel;
    this.initrds = List.copyOf(b.initrds);
    this.cmdline = b.cmdline;
    this.osRelease = b.osRelease;
    this.uname = uname;
    this.splash = b.splash;
    this.extra = new LinkedHashMap<>(b.extra);
  }

  /**
   * Where systemd-boot-efi puts the stub for {@code arch}: {@code linuxx64.efi.stub} for amd64
   * ({@link #DEBIAN_STUB}), {@code linuxaa64.efi.stub} for arm64, under {@link #STUB_DIRECTORY}.
   *
   * @throws UnsupportedTargetException if we make no EFI binaries for {@code arch}
   */
  public static String stubPath(Architecture arch) throws UnsupportedTargetException {
    return STUB_DIRECTORY + "/" + EfiArch.of(arch).systemdStub();
  }

  /** Starts a UKI on {@link #DEBIAN_STUB}; kernel, cmdline and os-release must be given. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * The signed UKI of a built image, as a target, signed with {@code db.key} and {@code db.pem} of
   * {@code keysDirectory} (as {@code genkey} writes them): {@code build.output(Uki.signed(keys).to(path))}.
   */
  public static SignedUki signed(Path keysDirectory) {
    return SignedUki.withKeysIn(keysDirectory);
  }

  /** The signed UKI of a built image, as a target, signed with {@code key} and {@code cert}. */
  public static SignedUki signed(java.security.PrivateKey key, java.security.cert.X509Certificate cert) {
    return SignedUki.withKey(key, cert);
  }

  /** The kernel release put into {@code .uname}, if any. */
  public Optional<String> uname() {
    return Optional.ofNullable(uname);
  }

  /**
   * Writes the UKI to {@code out} (atomically replaced, see {@link AtomicFile}) and returns its appended sections, in the file order
   * {@code .osrel .cmdline .uname .splash <extra> .initrd .linux}; the kernel goes last so that
   * its virtual size (the kernel's own SizeOfImage) may exceed its file size.
   */
  public List<SectionInfo> writeTo(Path out) throws IOException {
    List<PeAssembler.Section> add = new ArrayList<>();
    add.add(bytes(".osrel", osRelease.getBytes(StandardCharsets.UTF_8)));
    add.add(bytes(".cmdline", cmdline.getBytes(StandardCharsets.UTF_8)));
    if (uname != null) {
      add.add(bytes(".uname", uname.getBytes(StandardCharsets.UTF_8)));
    }
    if (splash != null) {
      add.add(new PeAssembler.Section(".splash", Files.size(splash), 0, false, () -> Files.newInputStream(splash)));
    }
    extra.forEach((name, content) -> add.add(bytes(name, content)));
    if (!initrds.isEmpty()) {
      add.add(initrdSection());
    }
    add.add(new PeAssembler.Section(".linux", Files.size(kernel), kernelImageSize(kernel), true,
        () -> Files.newInputStream(kernel)));
    PeAssembler pe = new PeAssembler(Files.readAllBytes(stub));
    List<SectionInfo> out2 = new ArrayList<>();
    List<PeAssembler.Placed> placed = new ArrayList<>();
    AtomicFile.write(out, tmp -> placed.addAll(pe.write(add, tmp)));
    for (PeAssembler.Placed p : placed) {
      out2.add(new SectionInfo(p.name(), p.virtualAddress(), p.virtualSize(), p.fileOffset()));
    }
    return Collections.unmodifiableList(out2);
  }

  private static PeAssembler.Section bytes(String name, byte[] content) {
    return new PeAssembler.Section(name, content.length, 0, false, () -> new ByteArrayInputStream(content));
  }

  /** Several initrds are concatenated, each padded to 4 bytes, as the kernel accepts. */
  private PeAssembler.Section initrdSection() throws IOException {
    long total = 0;
    for (int i = 0; i < initrds.size(); i++) {
      long s = Files.size(initrds.get(i));
      total += i < initrds.size() - 1 ? (s + 3) / 4 * 4 : s;
    }
    return new PeAssembler.Section(".initrd", total, 0, false, () -> {
      List<InputStream> parts = new ArrayList<>();
      for (int i = 0; i < initrds.size(); i++) {
        Path p = initrds.get(i);
        parts.add(Files.newInputStream(p));
        long s = Files.size(p);
        if (i < initrds.size() - 1 && s % 4 != 0) {
          parts.add(new ByteArrayInputStream(new byte[(int) (4 - s % 4)]));
        }
      }
      return new SequenceInputStream(Collections.enumeration(parts));
    });
  }

  /** The SizeOfImage of a PE kernel (the memory it needs), or 0 when the kernel is not PE. */
  private static long kernelImageSize(Path kernel) throws IOException {
    ByteBuffer b = peHeader(kernel);
    return b == null ? 0 : Integer.toUnsignedLong(b.getInt(b.getInt(0x3C) + 24 + 56));
  }

  /**
   * The PE machine type of an EFI binary or kernel ({@code 0x8664} x86-64, {@code 0xAA64} arm64),
   * or 0 when the file is not PE. Both an x86 bzImage and an arm64 {@code Image} are PE files.
   */
  public static int peMachine(Path file) throws IOException {
    ByteBuffer b = peHeader(file);
    return b == null ? 0 : Short.toUnsignedInt(b.getShort(b.getInt(0x3C) + 4));
  }

  /** True when {@code file} is gzip-compressed (as some distributions' arm64 {@code vmlinuz} is). */
  static boolean isGzip(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      return in.read() == 0x1f && in.read() == 0x8b;
    }
  }

  private static String machineName(int machine) {
    return EfiArch.ofPeMachine(machine).map(a -> a.architecture().id())
        .orElse(String.format("PE machine 0x%04x", machine));
  }

  /** The first 4 KiB of a PE file with its optional header's SizeOfImage in it, or null. */
  private static ByteBuffer peHeader(Path file) throws IOException {
    try (FileChannel ch = FileChannel.open(file)) {
      ByteBuffer b = ByteBuffer.allocate(4096).order(ByteOrder.LITTLE_ENDIAN);
      ch.read(b, 0);
      if (b.position() < 0x40 || b.getShort(0) != 0x5A4D) {
        return null;
      }
      int pe = b.getInt(0x3C);
      if (pe < 0 || pe + 24 + 60 > b.position() || b.getInt(pe) != 0x00004550) {
        return null;
      }
      return b;
    }
  }

  /** The kernel release of an x86 bzImage ("6.1.0-28-amd64"), from its setup header. */
  public static Optional<String> kernelRelease(Path bzImage) throws IOException {
    try (FileChannel ch = FileChannel.open(bzImage)) {
      ByteBuffer b = ByteBuffer.allocate(0x10000).order(ByteOrder.LITTLE_ENDIAN);
      ch.read(b, 0);
      int n = b.position();
      if (n < 0x210 || b.getInt(0x202) != 0x53726448) { // "HdrS"
        return Optional.empty();
      }
      int at = 0x200 + Short.toUnsignedInt(b.getShort(0x20E));
      if (at >= n) {
        return Optional.empty();
      }
      int end = at;
      while (end < n && b.get(end) != 0 && b.get(end) != ' ') {
        end++;
      }
      return Optional.of(new String(b.array(), at, end - at, StandardCharsets.US_ASCII));
    }
  }

  /** Collects the parts of a UKI; validates eagerly. */
  public static final class Builder {
    private Path stub = DEBIAN_STUB;
    private Path kernel;
    private final List<Path> initrds = new ArrayList<>();
    private String cmdline;
    private String osRelease;
    private String uname;
    private boolean unameFromKernel = true;
    private Path splash;
    private final Map<String, byte[]> extra = new LinkedHashMap<>();

    private Builder() {
    }

    /** The systemd EFI stub; default {@link #DEBIAN_STUB}. Must not be signed. */
    public Builder stub(Path stub) {
      this.stub = Objects.requireNonNull(stub, "stub");
      return this;
    }

    /** The kernel image ({@code .linux}). Required. */
    public Builder kernel(Path kernel) {
      this.kernel = Objects.requireNonNull(kernel, "kernel");
      return this;
    }

    /** An initrd ({@code .initrd}); several are concatenated in the order given. */
    public Builder initrd(Path initrd) {
      initrds.add(Objects.requireNonNull(initrd, "initrd"));
      return this;
    }

    /** The kernel command line ({@code .cmdline}), stored without a trailing newline. Required. */
    public Builder cmdline(String cmdline) {
      String c = Objects.requireNonNull(cmdline, "cmdline").strip();
      if (c.isEmpty() || c.indexOf('\n') >= 0) {
        throw new IllegalArgumentException("the cmdline must be one non-empty line, got '" + cmdline + "'");
      }
      this.cmdline = c;
      return this;
    }

    /** The image's {@code /etc/os-release}, verbatim ({@code .osrel}). Required. */
    public Builder osRelease(String osRelease) {
      this.osRelease = Objects.requireNonNull(osRelease, "osRelease");
      return this;
    }

    /**
     * The kernel release ({@code .uname}); default read from the kernel's x86 setup header when the
     * stub is an x86-64 one, and none for other stubs (arm64 kernels carry no such header, and
     * ukify leaves {@code .uname} out for them).
     */
    public Builder uname(String uname) {
      this.uname = Objects.requireNonNull(uname, "uname");
      this.unameFromKernel = false;
      return this;
    }

    /** Leaves {@code .uname} out (what arm64 UKIs do). */
    public Builder noUname() {
      this.uname = null;
      this.unameFromKernel = false;
      return this;
    }

    /** A BMP shown while booting ({@code .splash}). */
    public Builder splash(Path bmp) {
      this.splash = Objects.requireNonNull(bmp, "bmp");
      return this;
    }

    /** Any further section, e.g. {@code .pcrpkey} or {@code .pcrsig}; name is '.' plus up to 7 characters. */
    public Builder section(String name, byte[] content) {
      if (name == null || name.length() > 8 || !name.startsWith(".")
          || List.of(".osrel", ".cmdline", ".uname", ".splash", ".initrd", ".linux").contains(name)) {
        throw new IllegalArgumentException("not a free PE section name: '" + name + "'");
      }
      extra.put(name, content.clone());
      return this;
    }

    /**
     * Checks the parts and reads {@code .uname} from the kernel unless given or left out.
     *
     * @throws IllegalArgumentException if the kernel, cmdline or os-release is missing
     * @throws java.nio.file.NoSuchFileException if the stub is not a file
     * @throws KairosException if the kernel is gzip-compressed, or of another architecture than the stub
     * @throws IOException if the kernel cannot be read
     */
    public Uki build() throws IOException {
      if (kernel == null || cmdline == null || osRelease == null) {
        throw new IllegalArgumentException("a UKI needs a kernel, a cmdline and an os-release; missing: "
            + (kernel == null ? "kernel " : "") + (cmdline == null ? "cmdline " : "")
            + (osRelease == null ? "osRelease" : "").trim());
      }
      if (!Files.isRegularFile(stub)) {
        throw new java.nio.file.NoSuchFileException(stub.toString(), null, "EFI stub not found (systemd-boot-efi)");
      }
      int stubMachine = peMachine(stub);
      if (isGzip(kernel)) {
        // systemd-stub starts .linux as an EFI image; a gzip'd Image (Ubuntu's arm64 vmlinuz) is none
        throw new KairosException("the kernel " + kernel + " is gzip-compressed; a UKI needs the uncompressed"
            + " kernel image (gunzip it first; SignedUki does)");
      }
      int kernelMachine = peMachine(kernel);
      // an x86 kernel behind an arm64 stub (or the reverse) would only fail in the firmware
      if (kernelMachine != 0 && kernelMachine != stubMachine) {
        throw new KairosException("the EFI stub " + stub + " is for " + machineName(stubMachine) + " but the kernel "
            + kernel + " is for " + machineName(kernelMachine) + ": use the stub of the kernel's architecture ("
            + EfiArch.ofPeMachine(kernelMachine).map(EfiArch::systemdStub).orElse("none known") + ")");
      }
      String u = unameFromKernel && stubMachine == EfiArch.X64.peMachine() ? kernelRelease(kernel).orElse(null) : uname;
      return new Uki(this, u);
    }
  }
}
