package dev.kairos.factory.boot.api.uki;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kairos.factory.boot.api.gpt.GptDisk;
import dev.kairos.factory.boot.api.gpt.GptType;
import dev.kairos.factory.boot.api.initrd.Initrd;
import dev.kairos.factory.boot.api.initrd.InitrdCompression;
import dev.kairos.factory.boot.api.secureboot.Pem;
import dev.kairos.factory.boot.internal.fat.FatImage;
import dev.kairos.factory.boot.it.BusyboxInitrd;
import dev.kairos.factory.boot.it.DebianArm64Files;
import dev.kairos.factory.boot.it.DebianKernel;
import dev.kairos.factory.boot.it.Exec;
import dev.kairos.factory.boot.it.QemuBoot;
import dev.kairos.factory.core.api.KairosException;
import dev.kairos.factory.core.api.SourceDate;
import dev.kairos.factory.core.api.distro.Architecture;
import dev.kairos.factory.core.api.event.EventListener;
import dev.kairos.factory.core.api.fs.ImagePath;
import dev.kairos.factory.core.api.fs.RootFs;
import dev.kairos.factory.core.api.image.BuiltImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The signed UKI of an arm64 image: a tiny arm64 root (Debian's static busybox for arm64 as its
 * {@code /init}, Debian's arm64 kernel, and systemd-boot-efi's {@code linuxaa64.efi.stub} in the
 * image, as a Trusted Boot image has it) written by {@link SignedUki} with no stub named, so the
 * stub is the arm64 one chosen from the image's architecture. binutils for arm64 read the sections
 * back (no {@code .uname} on arm64, each at the stub's SectionAlignment), {@code sbverify} checks
 * the signature, two writes are byte-identical, and the UKI boots under {@code qemu-system-aarch64
 * -machine virt -cpu cortex-a72} with AAVMF (TCG) as {@code EFI/BOOT/BOOTAA64.EFI} of a GPT disk
 * we wrote, to a marker on the PL011. The arm64 files come from Debian's mirror (cached), so no
 * arm64 root, no emulated chroot is needed.
 */
class Arm64UkiBootIT {
  static final String MARKER = "KAIROS_ARM64_UKI_OK";
  static final String CMDLINE = "console=ttyAMA0 panic=-1 rdinit=/init";
  static final SourceDate DATE = SourceDate.of(Instant.parse("2025-01-01T00:00:00Z"));

  @TempDir
  static Path dir;
  static Path kernel;
  static String release;
  static Path uki;
  static long writeMillis;

  @BeforeAll
  static void build() throws Exception {
    Exec.assumeTool("openssl");
    long t0 = System.nanoTime();
    kernel = DebianArm64Files.kernel();
    release = kernel.getFileName().toString().substring("vmlinuz-".length());
    RootFs root = BusyboxInitrd.tree(MARKER, DebianArm64Files.busybox());
    root.write(ImagePath.of("/boot/vmlinuz-" + release), Files.readAllBytes(kernel), 0644);
    root.createSymlink(ImagePath.of("/boot/vmlinuz"), "vmlinuz-" + release);
    root.write(ImagePath.of(Uki.stubPath(Architecture.ARM64)), Files.readAllBytes(DebianArm64Files.stub()), 0644);
    assertThat(Architecture.of(root)).contains(Architecture.ARM64);
    Exec.sh(dir, "openssl req -new -x509 -newkey rsa:2048 -nodes -sha256 -days 30 -subj /CN=arm64-uki/ "
        + "-keyout db.key -out db.pem 2>/dev/null").ok();
    long t1 = System.nanoTime();
    SignedUki target = Uki.signed(Pem.readPrivateKey(dir.resolve("db.key"), null), Pem.readCertificate(dir.resolve("db.pem")))
        .cmdline(CMDLINE);
    uki = dir.resolve("norole.efi");
    target.to(uki).write(BuiltImage.of(root, DATE), EventListener.NONE);
    writeMillis = (System.nanoTime() - t1) / 1_000_000;
    // the same image again, elsewhere: reproducible
    target.to(dir.resolve("again.efi")).write(BuiltImage.of(root, DATE), EventListener.NONE);
    System.out.printf("Arm64UkiBootIT: arm64 files %.1f s, signed UKI %d ms, %d bytes%n", (t1 - t0) / 1e9, writeMillis,
        Files.size(uki));
  }

  @Test
  void sectionsAreArm64sWithoutUnameAtTheStubsAlignmentAndTheSignatureVerifies() throws Exception {
    Exec.assumeTool("sbverify");
    Exec.assumeTool("aarch64-linux-gnu-objdump");
    assertThat(Files.mismatch(uki, dir.resolve("again.efi"))).as("two writes of the same image").isEqualTo(-1);
    assertThat(Exec.sh(dir, "sbverify --cert db.pem norole.efi").ok().output()).contains("Signature verification OK");

    String headers = Exec.sh(dir, "aarch64-linux-gnu-objdump -h -p norole.efi").ok().output();
    assertThat(headers).contains("file format pei-aarch64-little");
    Matcher align = Pattern.compile("SectionAlignment\\s+([0-9a-f]+)").matcher(headers);
    assertThat(align.find()).as(headers).isTrue();
    long alignment = Long.parseLong(align.group(1), 16);
    assertThat(alignment).isEqualTo(0x1000); // Debian's arm64 stub

    List<String> stubSections = sections(Exec.sh(dir, "aarch64-linux-gnu-objdump -h " + DebianArm64Files.stub()).ok().output(),
        alignment, false);
    List<String> expected = new ArrayList<>(stubSections);
    expected.addAll(List.of(".osrel", ".cmdline", ".initrd", ".linux"));
    assertThat(sections(headers, alignment, true)).isEqualTo(expected).doesNotContain(".uname");

    Exec.sh(dir, "aarch64-linux-gnu-objcopy -O binary --only-section=.cmdline norole.efi cmdline.bin"
        + " && aarch64-linux-gnu-objcopy -O binary --only-section=.linux norole.efi linux.bin").ok();
    assertThat(Files.readString(dir.resolve("cmdline.bin"))).isEqualTo(CMDLINE);
    // objcopy gives the section at its virtual size (the kernel's SizeOfImage): the kernel, then zeros
    byte[] linux = Files.readAllBytes(dir.resolve("linux.bin"));
    byte[] image = Files.readAllBytes(kernel);
    assertThat(Arrays.copyOf(linux, image.length)).as(".linux is the kernel").isEqualTo(image);
    assertThat(linux.length).isGreaterThan(image.length);
  }

  /** The section names of an objdump -h listing, checking that each added one's VMA is a multiple of {@code alignment}. */
  private static List<String> sections(String listing, long alignment, boolean checkAdded) {
    Matcher m = Pattern.compile("^\\s*\\d+\\s+(\\.\\S+)\\s+([0-9a-f]+)\\s+([0-9a-f]+)", Pattern.MULTILINE).matcher(listing);
    List<String> names = new ArrayList<>();
    while (m.find()) {
      names.add(m.group(1));
      if (checkAdded && List.of(".osrel", ".cmdline", ".initrd", ".linux").contains(m.group(1))) {
        assertThat(Long.parseUnsignedLong(m.group(3), 16) % alignment).as(m.group(1) + " VMA").isZero();
      }
    }
    return names;
  }

  @Test
  void bootsUnderAavmfFromOurDisk() throws Exception {
    assumeTrue(QemuBoot.availableAarch64(), "qemu-system-aarch64 or AAVMF missing");
    FatImage esp = FatImage.builder().label("COS_GRUB").file("/EFI/BOOT/BOOTAA64.EFI", uki).hiddenSectors(2048).build();
    Path raw = dir.resolve("uki.raw");
    GptDisk.builder().add(GptDisk.partition("efi").type(GptType.ESP).size(esp.size()).content(esp)).build().writeTo(raw);
    QemuBoot.Result r = QemuBoot.builder(dir.resolve("qemu")).aarch64(true).disk(raw).marker(MARKER)
        .timeout(Duration.ofMinutes(8)).build().run();
    System.out.println("Arm64UkiBootIT boot: " + r);
    assertThat(r.outcome()).as(r + "\n" + r.log()).isEqualTo(QemuBoot.Outcome.MARKER);
    assertThat(r.log()).contains("Kernel command line: " + CMDLINE).contains(MARKER + " " + release);
  }

  @Test
  void anAmd64KernelBehindTheArm64StubIsRefused() throws Exception {
    Path initrd = dir.resolve("small.zst");
    Initrd.builder(BusyboxInitrd.tree(MARKER, DebianArm64Files.busybox())).compression(InitrdCompression.ZSTD)
        .build().writeTo(initrd);
    assertThatThrownBy(() -> Uki.builder().stub(DebianArm64Files.stub()).kernel(DebianKernel.vmlinuz()).initrd(initrd)
        .cmdline(CMDLINE).osRelease("ID=test\n").build())
        .isInstanceOf(KairosException.class).hasMessageContaining("is for arm64 but the kernel")
        .hasMessageContaining("is for amd64").hasMessageContaining("linuxx64.efi.stub");
  }
}
