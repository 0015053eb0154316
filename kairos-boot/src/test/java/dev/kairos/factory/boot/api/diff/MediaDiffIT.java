package dev.kairos.factory.boot.api.diff;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kairos.factory.boot.api.BootMediaOptions;
import dev.kairos.factory.boot.api.disk.RawDisk;
import dev.kairos.factory.boot.api.iso.IsoImage;
import dev.kairos.factory.boot.internal.host.HostCommand;
import dev.kairos.factory.core.api.KairosException;
import dev.kairos.factory.core.api.SourceDate;
import dev.kairos.factory.core.api.diff.DiffReport;
import dev.kairos.factory.core.api.diff.Difference;
import dev.kairos.factory.core.api.event.EventListener;
import dev.kairos.factory.core.api.fs.ImagePath;
import dev.kairos.factory.core.api.fs.RootFs;
import dev.kairos.factory.core.api.image.BuiltImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Raw disks and ISOs made by this module's writers, from inputs that differ in one thing. */
class MediaDiffIT {
  private static final SourceDate DATE = SourceDate.of(Instant.parse("2025-01-01T00:00:00Z"));

  @TempDir Path work;

  private Path disk(String name, String osRelease, SourceDate date) throws Exception {
    RootFs root = RootFs.at(Files.createDirectories(work.resolve(name + "-root")));
    root.writeString(ImagePath.of("/etc/os-release"), osRelease);
    root.writeString(ImagePath.of("/etc/cos/grub.cfg"), "set timeout=10\n");
    root.writeString(ImagePath.of("/boot/vmlinuz"), "kernel");
    root.writeString(ImagePath.of("/boot/initrd"), "initrd");
    Path disk = work.resolve(name + ".raw");
    RawDisk.to(disk).options(BootMediaOptions.builder().workDirectory(work.resolve(name + "-work")).build())
        .write(BuiltImage.of(root, date), EventListener.NONE);
    return disk;
  }

  @Test
  void disksFromRootsDifferingInOneFileDifferOnlyInTheRecoveryPartition() throws Exception {
    assumeTrue(HostCommand.available("mke2fs") && HostCommand.available("grub-mkimage"), "host tools missing");
    Path a = disk("a", "ID=debian\n", DATE);
    Path b = disk("b", "ID=ubuntu\n", DATE);

    DiffReport same = MediaDiff.compare(a, a);
    assertThat(same.identical()).isTrue();
    assertThat(same.kind()).isEqualTo("disk");

    DiffReport r = MediaDiff.compare(a, b);
    assertThat(r.kind()).isEqualTo("disk");
    assertThat(r.differences()).extracting(Difference::where).allMatch(w -> w.startsWith("partition[recovery]"));
    assertThat(r.differences()).extracting(Difference::field).contains("content", "differing-blocks");
    assertThat(r.toString()).contains("partition[recovery]: differing-blocks 0 -> ");

    // Another source date: the times in every file system show, field by field.
    Path c = disk("c", "ID=debian\n", SourceDate.of(Instant.parse("2025-01-02T00:00:00Z")));
    DiffReport dated = MediaDiff.compare(a, c);
    assertThat(dated.differences()).extracting(Difference::toString)
        .contains("partition[oem]/ext2: wtime 1735689600 -> 1735776000",
            "partition[oem]/ext2: mkfs-time 1735689600 -> 1735776000",
            "partition[efi]/fat/EFI: mtime 2025-01-01T00:00:00 -> 2025-01-02T00:00:00")
        .noneMatch(s -> s.startsWith("gpt"));
  }

  @Test
  void isosDifferingInOneFilesContentAndModeSayWhich() throws Exception {
    Path a = iso("a", "echo a\n", 0755);
    Path b = iso("b", "echo b\n", 0700);
    DiffReport r = MediaDiff.compare(a, b);
    assertThat(r.kind()).isEqualTo("iso");
    assertThat(r.differences()).extracting(Difference::where, Difference::field)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("/usr/bin/tool", "content"),
            org.assertj.core.groups.Tuple.tuple("/usr/bin/tool", "mode"));
    assertThat(r.differences().get(1).toString()).isEqualTo("/usr/bin/tool: mode 0755 -> 0700");
    assertThat(MediaDiff.compare(a, iso("a2", "echo a\n", 0755)).identical()).isTrue();
  }

  @Test
  void anIsoAgainstADiskOrAnythingElseIsRefused() throws Exception {
    Path iso = iso("a", "x", 0644);
    Path text = Files.writeString(work.resolve("t.txt"), "hello");
    assertThat(MediaDiff.kindOf(text)).isEmpty();
    assertThat(MediaDiff.kindOf(iso)).contains(MediaDiff.Kind.ISO);
    assertThatThrownBy(() -> MediaDiff.compare(iso, text)).isInstanceOf(KairosException.class)
        .hasMessageContaining("neither an ISO nor a GPT disk image: " + text);
  }

  private Path iso(String name, String tool, int mode) throws Exception {
    Path host = Files.writeString(work.resolve(name + ".tool"), tool);
    Path out = work.resolve(name + ".iso");
    IsoImage.builder().volumeId("COS_LIVE").sourceDate(DATE)
        .file("/etc/os-release", "ID=debian\n".getBytes(StandardCharsets.UTF_8))
        .file("/usr/bin/tool", host, mode)
        .symlink("/usr/bin/alias", "tool")
        .build().writeTo(out);
    return out;
  }
}
