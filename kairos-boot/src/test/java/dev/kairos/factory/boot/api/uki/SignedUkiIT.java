package dev.kairos.factory.boot.api.uki;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kairos.factory.boot.it.Exec;
import dev.kairos.factory.core.api.KairosException;
import dev.kairos.factory.core.api.SourceDate;
import dev.kairos.factory.core.api.event.EventListener;
import dev.kairos.factory.core.api.fs.ImagePath;
import dev.kairos.factory.core.api.fs.RootFs;
import dev.kairos.factory.core.api.image.Artifact;
import dev.kairos.factory.core.api.image.ArtifactKind;
import dev.kairos.factory.core.api.image.BuiltImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The signed UKI target (what {@code build --uki} and {@code build-uki} write): sbverify accepts it, objdump sees the root as its initrd. */
class SignedUkiIT {
  @TempDir
  Path dir;

  @BeforeEach
  void tools() throws Exception {
    Exec.assumeTool("objdump");
    Exec.assumeTool("sbverify");
    Exec.assumeTool("openssl");
    org.junit.jupiter.api.Assumptions.assumeTrue(Files.isRegularFile(Uki.DEBIAN_STUB), "no systemd stub");
    Files.createDirectories(dir.resolve("keys"));
    Exec.sh(dir.resolve("keys"), "openssl req -new -x509 -newkey rsa:2048 -nodes -sha256 -days 30 -subj /CN=test-db/"
        + " -keyout db.key -out db.pem 2>/dev/null").ok();
  }

  private BuiltImage image() throws Exception {
    RootFs root = RootFs.at(Files.createDirectories(dir.resolve("root")));
    byte[] kernel = new byte[200_003];
    new Random(3).nextBytes(kernel);
    root.write(ImagePath.of("/boot/vmlinuz"), kernel);
    root.writeString(ImagePath.of("/etc/os-release"), "ID=debian\nVERSION_ID=\"12\"\n");
    return BuiltImage.of(root, SourceDate.of(Instant.parse("2025-01-01T00:00:00Z")));
  }

  @Test
  void writesASignedUkiOfTheWholeRootAndNothingElse() throws Exception {
    BuiltImage image = image();
    Path out = Files.createDirectories(dir.resolve("out")).resolve("norole.efi");
    Artifact a = Uki.signed(dir.resolve("keys")).cmdline(UkiCmdlines.extended("rd.debug")).to(out)
        .write(image, EventListener.NONE);

    assertThat(a.kind()).isEqualTo(ArtifactKind.UKI);
    assertThat(a.size()).isEqualTo(Files.size(out));
    assertThat(a.digest()).contains(Artifact.sha256(out));
    assertThat(Exec.sh(dir, "sbverify --cert keys/db.pem " + out).ok().output()).contains("Signature verification OK");
    assertThat(Exec.sh(dir, "objdump -h " + out).ok().output()).contains(".initrd").contains(".linux").contains(".cmdline");
    assertThat(new String(Files.readAllBytes(out), java.nio.charset.StandardCharsets.ISO_8859_1)).contains("rd.debug");
    // Its own work area (no work directory given) and the temporary file are gone.
    try (Stream<Path> s = Files.list(dir.resolve("out"))) {
      assertThat(s).containsExactly(out);
    }

    Path again = dir.resolve("out/again.efi");
    Uki.signed(dir.resolve("keys")).cmdline(UkiCmdlines.extended("rd.debug")).to(again).write(image, EventListener.NONE);
    assertThat(Files.mismatch(out, again)).as("same root, date and key: same bytes").isEqualTo(-1L);
  }

  @Test
  void refusesAMissingOutputAndAnImageWithoutAKernel() throws Exception {
    BuiltImage image = image();
    assertThatThrownBy(() -> Uki.signed(dir.resolve("keys")).write(image, EventListener.NONE))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("to(path)");
    image.rootFs().delete(ImagePath.of("/boot/vmlinuz"));
    Path out = dir.resolve("x.efi");
    assertThatThrownBy(() -> Uki.signed(dir.resolve("keys")).to(out).write(image, EventListener.NONE))
        .isInstanceOf(KairosException.class).hasMessageContaining("/boot/vmlinuz");
    assertThat(out).doesNotExist();
  }
}
