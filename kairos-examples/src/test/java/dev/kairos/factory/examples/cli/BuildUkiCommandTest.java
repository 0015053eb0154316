package dev.kairos.factory.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kairos.factory.boot.api.uki.Uki;
import dev.kairos.factory.core.api.distro.Architecture;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code build-uki} on a Debian root with kernels installed but no {@code /boot/vmlinuz} yet, and
 * {@code build-uki} and {@code netboot} on an arm64 root, which choose the arm64 stub and serial
 * console by themselves.
 */
class BuildUkiCommandTest {
  @TempDir Path tmp;

  /** An arm64 Debian root (its /bin/sh an aarch64 ELF) with a kernel and an initrd in /boot. */
  private Path arm64Root() throws Exception {
    Path root = InitOptionsTest.debianRoot(tmp.resolve("arm64"), InitOptionsTest.EM_AARCH64);
    Files.createDirectories(root.resolve("boot"));
    Files.writeString(root.resolve("boot/vmlinuz-6.1.0-28-arm64"), "the arm64 kernel" + " ".repeat(64));
    Files.createSymbolicLink(root.resolve("boot/vmlinuz"), Path.of("vmlinuz-6.1.0-28-arm64"));
    Files.writeString(root.resolve("boot/initrd.img-6.1.0-28-arm64"), "the initrd");
    return root;
  }

  @Test
  void onAnArm64RootTheArm64StubIsTakenAndWithoutOneTheErrorNamesIt() throws Exception {
    assumeTrue(Files.isRegularFile(Uki.DEBIAN_STUB), "no systemd stub");
    assumeTrue(!Files.exists(Path.of(Uki.stubPath(Architecture.ARM64))), "the host has the arm64 stub itself");
    Path root = arm64Root();
    Path keys = tmp.resolve("keys");
    assertThat(CliRunner.run("genkey", "acme", "-o", keys.toString()).exit()).isZero();
    Path uki = tmp.resolve("out/arm64.efi");
    String[] args = {"build-uki", "--root", root.toString(), "-o", uki.toString(), "--keys", keys.toString(),
        "--work", tmp.resolve("work").toString()};

    CliRunner none = CliRunner.run(args);
    assertThat(none.exit()).as(none.err()).isNotZero();
    assertThat(none.err()).contains("no systemd EFI stub for arm64", "/usr/lib/systemd/boot/efi/linuxaa64.efi.stub",
        "systemd-boot-efi:arm64");
    assertThat(uki).doesNotExist();

    // The image's own stub (as systemd-boot-efi installs it). A stand-in: the amd64 stub marked as
    // an arm64 binary, which is all the choice reads; the real one boots in Arm64UkiBootIT.
    byte[] stub = Files.readAllBytes(Uki.DEBIAN_STUB);
    ByteBuffer b = ByteBuffer.wrap(stub).order(ByteOrder.LITTLE_ENDIAN);
    b.putShort(b.getInt(0x3C) + 4, (short) 0xAA64);
    Path inImage = root.resolve("usr/lib/systemd/boot/efi/linuxaa64.efi.stub");
    Files.createDirectories(inImage.getParent());
    Files.write(inImage, stub);
    Files.write(root.resolve("usr/lib/systemd/boot/efi/linuxx64.efi.stub"), Files.readAllBytes(Uki.DEBIAN_STUB));

    CliRunner r = CliRunner.run(args);
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.err()).contains("build-uki: EFI stub " + inImage);
    assertThat(Uki.peMachine(uki)).isEqualTo(0xAA64);
    // no .uname on arm64 (the stand-in's kernel is no bzImage either way; the real one is in Arm64UkiBootIT)
    assertThat(sectionNames(uki)).endsWith(".osrel", ".cmdline", ".initrd", ".linux").doesNotContain(".uname");

    // a gzip'd vmlinuz (Ubuntu's arm64 kernels are) goes into .linux decompressed: the stub starts an Image
    byte[] image = ("the uncompressed arm64 Image" + " ".repeat(64)).getBytes(StandardCharsets.US_ASCII);
    Path vmlinuz = root.resolve("boot/vmlinuz-6.1.0-28-arm64");
    try (OutputStream gz = new GZIPOutputStream(Files.newOutputStream(vmlinuz))) {
      gz.write(image);
    }
    CliRunner gzipped = CliRunner.run(args);
    assertThat(gzipped.exit()).as(gzipped.err()).isZero();
    byte[] written = Files.readAllBytes(uki);
    assertThat(indexOf(written, image)).as(".linux holds the decompressed kernel").isPositive();
  }

  private static int indexOf(byte[] hay, byte[] needle) {
    outer:
    for (int i = 0; i <= hay.length - needle.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (hay[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  /** The names in a PE file's section table. */
  private static List<String> sectionNames(Path pe) throws Exception {
    ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(pe)).order(ByteOrder.LITTLE_ENDIAN);
    int coff = b.getInt(0x3C) + 4;
    int count = Short.toUnsignedInt(b.getShort(coff + 2));
    int table = coff + 20 + Short.toUnsignedInt(b.getShort(coff + 16));
    List<String> names = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      byte[] n = Arrays.copyOfRange(b.array(), table + 40 * i, table + 40 * i + 8);
      names.add(new String(n, StandardCharsets.US_ASCII).replace("\0", ""));
    }
    return names;
  }

  @Test
  void netbootOnAnArm64RootPutsTheConsoleOnTheArm64SerialPort() throws Exception {
    Path root = arm64Root();
    Path out = tmp.resolve("netboot");
    CliRunner r = CliRunner.run("netboot", "--root", root.toString(), "-o", out.toString());
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(out.resolve("kairos-kernel")).hasSameBinaryContentAs(root.resolve("boot/vmlinuz-6.1.0-28-arm64"));
    assertThat(out.resolve("kairos.cmdline")).content().contains("console=ttyAMA0").doesNotContain("ttyS0");
    assertThat(out.resolve("kairos.ipxe")).content().contains("console=ttyAMA0").doesNotContain("ttyS0");
  }

  @Test
  void findsTheKernelAsKairosInitDoesAndSaysWhichOne() throws Exception {
    Path root = InitOptionsTest.debianRoot(tmp.resolve("root"), InitOptionsTest.EM_X86_64);
    Files.createDirectories(root.resolve("boot"));
    for (String k : new String[] {"6.1.0-9-amd64", "6.1.0-28-amd64"}) {
      Files.createDirectories(root.resolve("lib/modules/" + k + "/kernel"));
      Files.writeString(root.resolve("boot/vmlinuz-" + k), "the kernel " + k + " ".repeat(64));
    }
    Path keys = tmp.resolve("keys");
    assertThat(CliRunner.run("genkey", "acme", "-o", keys.toString()).exit()).isZero();
    Path uki = tmp.resolve("out/kairos.efi");

    CliRunner r = CliRunner.run("build-uki", "--root", root.toString(), "-o", uki.toString(), "--keys", keys.toString(),
        "--work", tmp.resolve("work").toString());
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.err()).contains("build-uki: kernel 6.1.0-28-amd64 (/boot/vmlinuz-6.1.0-28-amd64), chosen from /lib/modules");

    // objdump reads the UKI's .linux section back: the newest kernel, byte for byte.
    Process p = new ProcessBuilder("objdump", "-h", uki.toString()).redirectErrorStream(true).start();
    String table = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor()).as(table).isZero();
    Matcher m = Pattern.compile("\\.linux\\s+([0-9a-f]+)\\s+[0-9a-f]+\\s+[0-9a-f]+\\s+([0-9a-f]+)").matcher(table);
    assertThat(m.find()).as(table).isTrue();
    int offset = Integer.parseInt(m.group(2), 16);
    byte[] kernel = Files.readAllBytes(root.resolve("boot/vmlinuz-6.1.0-28-amd64"));
    byte[] file = Files.readAllBytes(uki);
    assertThat(Arrays.copyOfRange(file, offset, offset + kernel.length)).isEqualTo(kernel);
  }
}
