package dev.kairos.factory.boot.api.initrd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.luben.zstd.ZstdInputStream;
import dev.kairos.factory.core.api.SourceDate;
import dev.kairos.factory.core.api.fs.FileMetadata;
import dev.kairos.factory.core.api.fs.FileType;
import dev.kairos.factory.core.api.fs.ImagePath;
import dev.kairos.factory.core.api.fs.RootFs;
import dev.kairos.factory.core.testing.InMemoryRootFs;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.cpio.CpioArchiveEntry;
import org.apache.commons.compress.archivers.cpio.CpioArchiveInputStream;
import org.junit.jupiter.api.Test;
import org.tukaani.xz.XZInputStream;

class InitrdTest {
  static RootFs sample() throws IOException {
    RootFs fs = InMemoryRootFs.create();
    fs.setMode(ImagePath.ROOT, 0755);
    fs.write(ImagePath.of("/bin/busybox"), "BB".repeat(5000).getBytes(StandardCharsets.UTF_8), 04755);
    fs.createSymlink(ImagePath.of("/bin/sh"), "busybox");
    fs.createHardlink(ImagePath.of("/bin/ash"), ImagePath.of("/bin/busybox"));
    fs.writeString(ImagePath.of("/etc/hostname"), "kairos\n");
    fs.setOwner(ImagePath.of("/etc/hostname"), 1000, 100);
    fs.setMtime(ImagePath.of("/etc/hostname"), Instant.ofEpochSecond(4_000_000_000L));
    fs.createDirectories(ImagePath.of("/dev"));
    fs.createSpecial(ImagePath.of("/dev/console"),
        FileMetadata.builder(FileType.CHAR_DEVICE).mode(0600).device(5, 1).build());
    fs.createDirectories(ImagePath.of("/proc/self"));
    fs.writeString(ImagePath.of("/proc/self/status"), "x");
    return fs;
  }

  static Map<String, CpioArchiveEntry> read(InputStream in, Map<String, byte[]> bodies) throws IOException {
    Map<String, CpioArchiveEntry> out = new LinkedHashMap<>();
    try (CpioArchiveInputStream c = new CpioArchiveInputStream(in)) {
      CpioArchiveEntry e;
      while ((e = c.getNextCPIOEntry()) != null) {
        out.put(e.getName(), e);
        bodies.put(e.getName(), c.readAllBytes());
      }
    }
    return out;
  }

  private static byte[] build(Initrd.Builder b) throws IOException {
    ByteArrayOutputStream bos = new ByteArrayOutputStream();
    b.build().writeTo(bos);
    return bos.toByteArray();
  }

  @Test
  void writesSortedNewcWithMetadataHardlinksAndClampedTimes() throws IOException {
    byte[] raw = build(Initrd.builder(sample()).compression(InitrdCompression.NONE)
        .exclude("/proc").sourceDate(SourceDate.of(Instant.ofEpochSecond(1_700_000_000L))));
    assertThat(new String(raw, 0, 6, StandardCharsets.US_ASCII)).isEqualTo("070701");
    Map<String, byte[]> bodies = new LinkedHashMap<>();
    Map<String, CpioArchiveEntry> es = read(new ByteArrayInputStream(raw), bodies);
    assertThat(new ArrayList<>(es.keySet())).containsExactly(
        ".", "bin", "bin/ash", "bin/busybox", "bin/sh", "dev", "dev/console", "etc", "etc/hostname");
    CpioArchiveEntry ash = es.get("bin/ash");
    CpioArchiveEntry bb = es.get("bin/busybox");
    // The first name carries the content; both share one inode and count two links.
    assertThat(ash.getInode()).isEqualTo(bb.getInode());
    assertThat(ash.getNumberOfLinks()).isEqualTo(2);
    assertThat(bodies.get("bin/ash")).hasSize(10000);
    assertThat(bodies.get("bin/busybox")).isEmpty();
    assertThat(ash.getMode()).isEqualTo(0104755);
    assertThat(new String(bodies.get("bin/sh"), StandardCharsets.UTF_8)).isEqualTo("busybox");
    assertThat(es.get("bin/sh").getMode() & 0170000).isEqualTo(0120000);
    CpioArchiveEntry console = es.get("dev/console");
    assertThat(console.getMode()).isEqualTo(020600);
    assertThat(console.getRemoteDeviceMaj()).isEqualTo(5);
    assertThat(console.getRemoteDeviceMin()).isEqualTo(1);
    CpioArchiveEntry host = es.get("etc/hostname");
    assertThat(host.getUID()).isEqualTo(1000);
    assertThat(host.getGID()).isEqualTo(100);
    assertThat(host.getTime()).isEqualTo(1_700_000_000L);
    // Inodes are handed out in walk order: stable for the same tree.
    List<Long> inos = new ArrayList<>();
    es.values().stream().filter(e -> !e.getName().equals("bin/busybox")).forEach(e -> inos.add(e.getInode()));
    assertThat(inos).isSorted().doesNotHaveDuplicates();
  }

  @Test
  void everyCompressionRoundTripsAndIsReproducible() throws IOException {
    for (InitrdCompression c : InitrdCompression.values()) {
      byte[] a = build(Initrd.builder(sample()).compression(c).level(c == InitrdCompression.NONE ? 0 : 3));
      byte[] b = build(Initrd.builder(sample()).compression(c).level(c == InitrdCompression.NONE ? 0 : 3));
      assertThat(a).as(c.name()).isEqualTo(b);
      InputStream in;
      switch (c) {
        case GZIP -> in = new GZIPInputStream(new ByteArrayInputStream(a));
        case ZSTD -> in = new ZstdInputStream(new ByteArrayInputStream(a));
        case XZ -> in = new XZInputStream(new ByteArrayInputStream(a));
        case LZ4 -> {
          // Legacy frame: magic, then length-prefixed blocks.
          assertThat(Arrays.copyOf(a, 4)).containsExactly(0x02, 0x21, 0x4C, 0x18);
          continue;
        }
        default -> in = new ByteArrayInputStream(a);
      }
      Map<String, byte[]> bodies = new LinkedHashMap<>();
      assertThat(read(in, bodies)).as(c.name()).containsKey("bin/busybox").containsKey("proc/self/status");
    }
  }

  @Test
  void earlyMicrocodeComesFirstUncompressed() throws IOException {
    byte[] ucode = "UCODE".getBytes(StandardCharsets.US_ASCII);
    byte[] all = build(Initrd.builder(sample()).earlyMicrocode(CpuVendor.INTEL, ucode)
        .compression(InitrdCompression.ZSTD).level(1));
    Map<String, byte[]> bodies = new LinkedHashMap<>();
    Map<String, CpioArchiveEntry> early = read(new ByteArrayInputStream(all), bodies);
    assertThat(early).containsOnlyKeys("kernel", "kernel/x86", "kernel/x86/microcode",
        "kernel/x86/microcode/GenuineIntel.bin");
    assertThat(bodies.get("kernel/x86/microcode/GenuineIntel.bin")).isEqualTo(ucode);
  }

  @Test
  void rejectsBadLevelsAndExcludes() throws IOException {
    RootFs fs = InMemoryRootFs.create();
    assertThatThrownBy(() -> Initrd.builder(fs).compression(InitrdCompression.GZIP).level(12))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("12");
    assertThatThrownBy(() -> Initrd.builder(fs).exclude("/"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'/'");
  }
}
