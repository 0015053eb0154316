package dev.kairos.factory.core.api.validate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kairos.factory.core.api.InvalidInputException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Initramfs files made by the real tools (GNU cpio, then gzip, xz, zstd, lzma or bzip2), laid out
 * as dracut lays them: an uncompressed early-microcode archive, then the compressed main one.
 */
class InitrdListingTest {
  @TempDir
  Path dir;

  @ParameterizedTest
  @ValueSource(strings = {"gzip", "xz", "zstd", "lzma", "bzip2"})
  void earlyMicrocodeThenCompressedMain(String compressor) throws Exception {
    byte[] early = cpio("early", List.of("kernel/x86/microcode/GenuineIntel.bin"));
    byte[] main = cpio("main", List.of("usr/bin/immucore", "usr/bin/kairos-agent",
        "lib/modules/6.1.0/kernel/drivers/usb/host/xhci-pci-renesas.ko.xz"));
    byte[] compressed = run(main, compressor, "-c");

    InitrdListing.Listing l = InitrdListing.read(new ByteArrayInputStream(concat(early, compressed)), "/boot/initrd");

    assertThat(l.parts()).containsExactly("cpio", compressor, "cpio");
    assertThat(l.names()).contains("kernel/x86/microcode/GenuineIntel.bin", "usr/bin/immucore", "usr/bin/kairos-agent");
    assertThat(l.mentions("xhci-pci-renesas")).isTrue();
    assertThat(l.mentions("dracut")).isFalse();
  }

  @ParameterizedTest
  @ValueSource(strings = {"plain", "two-plain"})
  void uncompressedArchivesOneAfterAnother(String layout) throws Exception {
    byte[] one = cpio("one", List.of("etc/a"));
    byte[] data = layout.equals("plain") ? one : concat(one, new byte[512], cpio("two", List.of("usr/bin/immucore")));

    InitrdListing.Listing l = InitrdListing.read(new ByteArrayInputStream(data), "/boot/initrd");

    assertThat(l.names()).contains("etc/a");
    assertThat(l.mentions("immucore")).isEqualTo(layout.equals("two-plain"));
  }

  @org.junit.jupiter.api.Test
  void somethingElseIsNamed() {
    byte[] junk = "#!/bin/sh\necho not an initrd\n".getBytes(StandardCharsets.US_ASCII);
    assertThatThrownBy(() -> InitrdListing.read(new ByteArrayInputStream(junk), "/boot/initrd"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("/boot/initrd").hasMessageContaining("starts with 2321");
  }

  @org.junit.jupiter.api.Test
  void compressedNonCpioIsNamed() throws Exception {
    byte[] xz = run("plain text\n".getBytes(StandardCharsets.US_ASCII), "xz", "-c");
    assertThatThrownBy(() -> InitrdListing.read(new ByteArrayInputStream(xz), "/boot/initrd"))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("not a newc cpio archive");
  }

  /** A newc archive made by GNU cpio of empty files at {@code paths}, under a fresh directory. */
  private byte[] cpio(String name, List<String> paths) throws Exception {
    Path tree = Files.createDirectory(dir.resolve(name));
    StringBuilder list = new StringBuilder();
    for (String p : paths) {
      Files.createDirectories(tree.resolve(p).getParent());
      Files.writeString(tree.resolve(p), p);
      list.append(p).append('\n');
    }
    ProcessBuilder pb = new ProcessBuilder("cpio", "--quiet", "-o", "-H", "newc").directory(tree.toFile());
    return run(pb, list.toString().getBytes(StandardCharsets.UTF_8));
  }

  private static byte[] run(byte[] input, String... argv) throws Exception {
    return run(new ProcessBuilder(argv), input);
  }

  private static byte[] run(ProcessBuilder pb, byte[] input) throws Exception {
    Process p = pb.redirectError(ProcessBuilder.Redirect.INHERIT).start();
    Thread feeder = new Thread(() -> {
      try (var out = p.getOutputStream()) {
        out.write(input);
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    });
    feeder.start();
    byte[] out = p.getInputStream().readAllBytes();
    feeder.join();
    assertThat(p.waitFor()).as(String.join(" ", pb.command())).isZero();
    return out;
  }

  private static byte[] concat(byte[]... parts) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      b.write(p);
    }
    return b.toByteArray();
  }
}
