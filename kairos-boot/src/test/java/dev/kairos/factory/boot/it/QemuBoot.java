package dev.kairos.factory.boot.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * Boots a disk, an ISO, a kernel or the network under QEMU (OVMF or SeaBIOS; for arm64,
 * {@code qemu-system-aarch64 -machine virt -cpu cortex-a72} with AAVMF) with software emulation
 * (TCG), watching the serial log:
 * QEMU is stopped as soon as the marker appears, or a failure line ({@code Kernel panic},
 * {@code Access Denied}, ...), or the hard timeout expires. Reusable by other modules' boot tests
 * through the kairos-boot test jar.
 *
 * <pre>{@code
 * QemuBoot.Result r = QemuBoot.builder(workDir).disk(Path.of("disk.raw"))
 *     .marker("KAIROS_BOOT_OK").timeout(Duration.ofMinutes(5)).build().run();
 * assertThat(r.outcome()).as(r.log()).isEqualTo(QemuBoot.Outcome.MARKER);
 * }</pre>
 */
public final class QemuBoot {
  /** How a boot ended. */
  public enum Outcome {
    /** The marker appeared on the serial console. */
    MARKER,
    /** A failure line appeared (see {@link Result#matched()}). */
    FAILURE,
    /** QEMU ran out of time. */
    TIMEOUT,
    /** QEMU exited by itself (power-off or error) without marker or failure line. */
    EXITED
  }

  /** The outcome, the matched line, the seconds from start to the outcome and the whole serial log. */
  public record Result(Outcome outcome, String matched, double seconds, String log) {
    @Override
    public String toString() {
      return outcome + (matched == null ? "" : " [" + matched + "]") + " after " + String.format("%.1f", seconds) + " s";
    }
  }

  public static final Path OVMF_CODE = Path.of("/usr/share/OVMF/OVMF_CODE_4M.fd");
  public static final Path OVMF_VARS = Path.of("/usr/share/OVMF/OVMF_VARS_4M.fd");
  public static final Path OVMF_CODE_SECBOOT = Path.of("/usr/share/OVMF/OVMF_CODE_4M.secboot.fd");
  /** OVMF variables with Debian's snakeoil key enrolled as PK, KEK and db. */
  public static final Path OVMF_VARS_SNAKEOIL = Path.of("/usr/share/OVMF/OVMF_VARS_4M.snakeoil.fd");
  /** OVMF variables with Microsoft's KEK and db enrolled (the UEFI CA that signs distributions' shims). */
  public static final Path OVMF_VARS_MICROSOFT = Path.of("/usr/share/OVMF/OVMF_VARS_4M.ms.fd");
  /** The snakeoil db key (PKCS#8, encrypted with {@link #SNAKEOIL_PASSPHRASE}) and certificate. */
  public static final Path SNAKEOIL_KEY = Path.of("/usr/share/ovmf/PkKek-1-snakeoil.key");
  public static final Path SNAKEOIL_CERT = Path.of("/usr/share/ovmf/PkKek-1-snakeoil.pem");
  public static final String SNAKEOIL_PASSPHRASE = "snakeoil";
  /** The arm64 UEFI firmware (Debian's qemu-efi-aarch64) and its variable store template. */
  public static final Path AAVMF_CODE = Path.of("/usr/share/AAVMF/AAVMF_CODE.fd");
  public static final Path AAVMF_VARS = Path.of("/usr/share/AAVMF/AAVMF_VARS.fd");

  /** Lines that end a boot as failed. */
  public static final List<String> DEFAULT_FAILURES = List.of("Kernel panic", "Access Denied",
      "Security Violation", "security violation", "Shell> ", "No bootable option");

  private final Path workDir;
  private final Path disk;
  private final String diskFormat;
  private final Path cdrom;
  private final boolean secureBoot;
  private final Path secureBootVars;
  private final boolean seabios;
  private final String marker;
  private final List<String> failures;
  private final Duration timeout;
  private final int memoryMiB;
  private final Path kernel;
  private final Path initrd;
  private final String append;
  private final boolean userNetwork;
  private final String pxeBootfile;
  private final boolean aarch64;

  private QemuBoot(Builder b) {
    this.workDir = b.workDir;
    this.disk = b.disk;
    this.diskFormat = b.diskFormat;
    this.cdrom = b.cdrom;
    this.secureBoot = b.secureBoot;
    this.secureBootVars = b.secureBootVars;
    this.seabios = b.seabios;
    this.marker = b.marker;
    this.failures = List.copyOf(b.failures);
    this.timeout = b.timeout;
    this.memoryMiB = b.memoryMiB;
    this.kernel = b.kernel;
    this.initrd = b.initrd;
    this.append = b.append;
    this.userNetwork = b.userNetwork;
    this.pxeBootfile = b.pxeBootfile;
    this.aarch64 = b.aarch64;
  }

  public static Builder builder(Path workDir) {
    return new Builder(workDir);
  }

  /** True when QEMU and the OVMF files this harness needs are installed. */
  public static boolean available(boolean secureBoot) {
    return Files.isExecutable(Path.of("/usr/bin/qemu-system-x86_64"))
        && Files.isRegularFile(secureBoot ? OVMF_CODE_SECBOOT : OVMF_CODE)
        && Files.isRegularFile(secureBoot ? OVMF_VARS_SNAKEOIL : OVMF_VARS);
  }

  /** True when qemu-system-aarch64 and AAVMF are installed. */
  public static boolean availableAarch64() {
    return Files.isExecutable(Path.of("/usr/bin/qemu-system-aarch64"))
        && Files.isRegularFile(AAVMF_CODE) && Files.isRegularFile(AAVMF_VARS);
  }

  /** True when QEMU and OVMF's Secure Boot firmware with Microsoft's keys are installed. */
  public static boolean availableWithMicrosoftKeys() {
    return available(true) && Files.isRegularFile(OVMF_VARS_MICROSOFT);
  }

  /** Boots and watches; QEMU is always stopped when this returns. */
  public Result run() throws IOException, InterruptedException {
    Files.createDirectories(workDir);
    Path vars = workDir.resolve("ovmf-vars.fd");
    Files.copy(aarch64 ? AAVMF_VARS : secureBoot ? secureBootVars : OVMF_VARS, vars, StandardCopyOption.REPLACE_EXISTING);
    Path log = workDir.resolve("serial.log");
    Files.deleteIfExists(log);
    Files.createFile(log);
    List<String> cmd = new ArrayList<>(aarch64
        ? List.of("qemu-system-aarch64", "-machine", "virt", "-cpu", "cortex-a72")
        : List.of("qemu-system-x86_64", "-machine", secureBoot ? "q35,smm=on" : "q35"));
    cmd.addAll(List.of("-accel", "tcg", "-m", String.valueOf(memoryMiB),
        "-serial", "file:" + log, "-display", "none", "-monitor", "none", "-no-reboot"));
    // user networking: the guest is 10.0.2.15 and reaches the host's 127.0.0.1 as 10.0.2.2
    String nic = "user,model=virtio-net-pci" + (pxeBootfile == null ? "" : ",bootfile=" + pxeBootfile);
    cmd.addAll(List.of("-nic", userNetwork ? nic : "none"));
    if (pxeBootfile != null) {
      cmd.addAll(List.of("-boot", "n"));
    }
    if (kernel != null) {
      cmd.addAll(List.of("-kernel", kernel.toString(), "-initrd", initrd.toString(), "-append", append));
    }
    if (secureBoot) {
      cmd.addAll(List.of("-global", "driver=cfi.pflash01,property=secure,value=on"));
    }
    if (!seabios) {
      Path code = aarch64 ? AAVMF_CODE : secureBoot ? OVMF_CODE_SECBOOT : OVMF_CODE;
      cmd.addAll(List.of("-drive", "if=pflash,format=raw,unit=0,readonly=on,file=" + code,
          "-drive", "if=pflash,format=raw,unit=1,file=" + vars));
    }
    if (disk != null) {
      cmd.addAll(List.of("-drive", "file=" + disk + ",format=" + diskFormat + ",if=virtio,snapshot=on"));
    }
    if (cdrom != null && aarch64) {
      // the virt machine has no IDE: the CD drive hangs off a virtio SCSI controller
      cmd.addAll(List.of("-device", "virtio-scsi-pci,id=scsi0",
          "-drive", "if=none,id=cd0,file=" + cdrom + ",format=raw,media=cdrom,readonly=on",
          "-device", "scsi-cd,bus=scsi0.0,drive=cd0"));
    } else if (cdrom != null) {
      cmd.addAll(List.of("-drive", "file=" + cdrom + ",format=raw,media=cdrom,readonly=on"));
    }
    Process qemu = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(workDir.resolve("qemu.out").toFile()).start();
    long start = System.nanoTime();
    try {
      while (true) {
        String text = Files.readString(log, StandardCharsets.ISO_8859_1);
        double secs = (System.nanoTime() - start) / 1e9;
        if (marker != null && text.contains(marker)) {
          return new Result(Outcome.MARKER, marker, secs, text);
        }
        for (String f : failures) {
          if (text.contains(f)) {
            return new Result(Outcome.FAILURE, f, secs, text);
          }
        }
        if (!qemu.isAlive()) {
          return new Result(Outcome.EXITED, "exit " + qemu.exitValue() + ": "
              + Files.readString(workDir.resolve("qemu.out")).strip(), secs, text);
        }
        if (secs > timeout.toSeconds()) {
          return new Result(Outcome.TIMEOUT, null, secs, text);
        }
        Thread.sleep(200);
      }
    } finally {
      qemu.destroy();
      if (!qemu.waitFor(10, TimeUnit.SECONDS)) {
        qemu.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    }
  }

  /** What to boot and how to judge it. */
  public static final class Builder {
    private final Path workDir;
    private Path disk;
    private String diskFormat = "raw";
    private Path cdrom;
    private boolean secureBoot;
    private Path secureBootVars = OVMF_VARS_SNAKEOIL;
    private boolean seabios;
    private String marker;
    private final List<String> failures = new ArrayList<>(DEFAULT_FAILURES);
    private Duration timeout = Duration.ofMinutes(5);
    private int memoryMiB = 1024;
    private Path kernel;
    private Path initrd;
    private String append;
    private boolean userNetwork;
    private String pxeBootfile;
    private boolean aarch64;

    private Builder(Path workDir) {
      this.workDir = Objects.requireNonNull(workDir, "workDir");
    }

    /** A raw disk image on virtio (opened with snapshot=on, so it is never modified). */
    public Builder disk(Path raw) {
      return disk(raw, "raw");
    }

    /** A disk image in a format QEMU reads (e.g. {@code vpc} for a VHD) on virtio, opened with snapshot=on. */
    public Builder disk(Path image, String format) {
      this.disk = image;
      this.diskFormat = format;
      return this;
    }

    /** An ISO on the CD-ROM drive. */
    public Builder cdrom(Path iso) {
      this.cdrom = iso;
      return this;
    }

    /** OVMF's Secure Boot firmware with the snakeoil key enrolled. */
    public Builder secureBoot(boolean on) {
      this.secureBoot = on;
      this.secureBootVars = OVMF_VARS_SNAKEOIL;
      return this;
    }

    /** OVMF's Secure Boot firmware with Microsoft's keys enrolled, as PCs ship. */
    public Builder secureBootWithMicrosoftKeys() {
      this.secureBoot = true;
      this.secureBootVars = OVMF_VARS_MICROSOFT;
      return this;
    }

    /** QEMU's default BIOS firmware (SeaBIOS) instead of OVMF, for legacy boot paths. */
    public Builder seabios(boolean on) {
      this.seabios = on;
      return this;
    }

    public Builder marker(String marker) {
      this.marker = marker;
      return this;
    }

    /** Another line that ends the boot as failed. */
    public Builder failOn(String line) {
      failures.add(line);
      return this;
    }

    public Builder timeout(Duration timeout) {
      this.timeout = timeout;
      return this;
    }

    public Builder memoryMiB(int mib) {
      this.memoryMiB = mib;
      return this;
    }

    /** Direct kernel boot ({@code -kernel -initrd -append}), as a boot loader would start it. */
    public Builder kernel(Path kernel, Path initrd, String append) {
      this.kernel = Objects.requireNonNull(kernel, "kernel");
      this.initrd = Objects.requireNonNull(initrd, "initrd");
      this.append = Objects.requireNonNull(append, "append");
      return this;
    }

    /**
     * A virtio NIC on QEMU's user network (default: no NIC). The guest gets 10.0.2.15 by DHCP
     * and reaches a server the test runs on the host's 127.0.0.1 at 10.0.2.2.
     */
    public Builder userNetwork(boolean on) {
      this.userNetwork = on;
      return this;
    }

    /**
     * Network boot through the NIC's iPXE ROM: QEMU's DHCP offers {@code bootfile} (a URL, e.g.
     * {@code http://10.0.2.2:8000/boot.ipxe}), which iPXE fetches and runs. Implies the user network.
     */
    public Builder pxeBoot(String bootfile) {
      this.pxeBootfile = Objects.requireNonNull(bootfile, "bootfile");
      this.userNetwork = true;
      return this;
    }

    /**
     * An arm64 machine: {@code qemu-system-aarch64 -machine virt -cpu cortex-a72} with AAVMF (no
     * Secure Boot, no SeaBIOS); its serial port is a PL011 ({@code ttyAMA0}).
     */
    public Builder aarch64(boolean on) {
      this.aarch64 = on;
      return this;
    }

    public QemuBoot build() {
      if (aarch64 && (seabios || secureBoot)) {
        throw new IllegalArgumentException("the arm64 machine boots AAVMF without Secure Boot only");
      }
      if (disk == null && cdrom == null && kernel == null && pxeBootfile == null) {
        throw new IllegalArgumentException("nothing to boot: give a disk, a cdrom, a kernel or a PXE boot file");
      }
      if (seabios && secureBoot) {
        throw new IllegalArgumentException("Secure Boot needs OVMF, not SeaBIOS");
      }
      return new QemuBoot(this);
    }
  }
}
