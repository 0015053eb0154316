package dev.kairos.factory.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code build-uki} on a Debian root with kernels installed but no {@code /boot/vmlinuz} yet. */
class BuildUkiCommandTest {
  @TempDir Path tmp;

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
