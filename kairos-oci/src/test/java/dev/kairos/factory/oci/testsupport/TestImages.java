package dev.kairos.factory.oci.testsupport;

import dev.kairos.factory.core.api.SourceDate;
import dev.kairos.factory.core.api.fs.FileMetadata;
import dev.kairos.factory.core.api.fs.FileType;
import dev.kairos.factory.core.api.fs.ImagePath;
import dev.kairos.factory.core.api.fs.RootFs;
import dev.kairos.factory.core.api.image.BuiltImage;
import dev.kairos.factory.core.api.image.ImageSource;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/** A small synthetic root with every kind of entry, and a {@link BuiltImage} around any root. */
public final class TestImages {
  public static final SourceDate DATE = SourceDate.of(Instant.ofEpochSecond(1_700_000_000L));

  private TestImages() {}

  /** Fills {@code root} with directories, files (setuid, owned by others, large, with xattrs), links, devices, a FIFO, long and non-ASCII names. */
  public static void populate(RootFs root, boolean devices) throws IOException {
    root.createDirectories(ImagePath.of("/etc"));
    root.writeString(ImagePath.of("/etc/os-release"), "ID=synthetic\nVERSION_ID=\"1\"\n");
    root.writeString(ImagePath.of("/etc/shadow"), "root:*:19000:0:99999:7:::\n");
    root.setMode(ImagePath.of("/etc/shadow"), 0640);
    root.setOwner(ImagePath.of("/etc/shadow"), 0, 42);
    root.createDirectories(ImagePath.of("/usr/bin"));
    root.write(ImagePath.of("/usr/bin/tool"), "#!/bin/sh\necho tool\n".getBytes(StandardCharsets.UTF_8), 04755);
    root.createHardlink(ImagePath.of("/usr/bin/tool-alias"), ImagePath.of("/usr/bin/tool"));
    root.createSymlink(ImagePath.of("/bin"), "usr/bin");
    root.createSymlink(ImagePath.of("/usr/bin/abs"), "/etc/os-release");
    root.createDirectories(ImagePath.of("/home/user"));
    root.setOwner(ImagePath.of("/home/user"), 1000, 1000);
    root.setMode(ImagePath.of("/home/user"), 0700);
    root.writeString(ImagePath.of("/home/user/.profile"), "export X=1\n");
    root.setOwner(ImagePath.of("/home/user/.profile"), 1000, 1000);
    root.createDirectories(ImagePath.of("/tmp"));
    root.setMode(ImagePath.of("/tmp"), 01777);
    byte[] big = new byte[3 * 1024 * 1024 + 17];
    for (int i = 0; i < big.length; i++) {
      big[i] = (byte) (i * 31 + (i >> 7));
    }
    root.write(ImagePath.of("/usr/lib/big.bin"), big);
    String longDir = "/usr/share/" + "deep-directory-name/".repeat(8);
    root.createDirectories(ImagePath.of(longDir));
    root.writeString(ImagePath.of(longDir + "file-with-a-rather-long-name-to-need-pax-" + "x".repeat(60)), "long\n");
    root.writeString(ImagePath.of("/usr/share/naïve-ünïcode.txt"), "utf-8\n");
    root.createSymlink(ImagePath.of("/usr/share/long-link"), "/" + "target/".repeat(30) + "end");
    root.writeString(ImagePath.of("/usr/bin/ping"), "ELF");
    root.setXattr(ImagePath.of("/usr/bin/ping"), "security.capability",
        new byte[] {1, 0, 0, 2, 0, 0x20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0});
    root.writeString(ImagePath.of("/empty"), "");
    if (devices) {
      root.createDirectories(ImagePath.of("/dev"));
      root.createSpecial(ImagePath.of("/dev/null"), FileMetadata.builder(FileType.CHAR_DEVICE).mode(0666).device(1, 3).build());
      root.createSpecial(ImagePath.of("/dev/loop0"), FileMetadata.builder(FileType.BLOCK_DEVICE).mode(0660).gid(6).device(7, 0).build());
      root.createSpecial(ImagePath.of("/dev/initctl"), FileMetadata.builder(FileType.FIFO).mode(0600).build());
    }
  }

  /**
   * A synthetic root (without devices) at {@code dir} whose {@code /etc/arch} says which
   * architecture it stands for, so that a test can tell the images of an index apart.
   */
  public static RootFs forArch(java.nio.file.Path dir, String arch) throws IOException {
    java.nio.file.Files.createDirectories(dir);
    RootFs root = RootFs.at(dir);
    populate(root, false);
    root.writeString(ImagePath.of("/etc/arch"), arch + "\n");
    return root;
  }

  /** A built image over {@code root}, with no base unless given. */
  public static BuiltImage built(RootFs root, Optional<ImageSource> base) {
    return new BuiltImage() {
      @Override
      public RootFs rootFs() {
        return root;
      }

      @Override
      public Optional<ImageSource> base() {
        return base;
      }

      @Override
      public SortedMap<String, String> kairosRelease() {
        return new TreeMap<>(java.util.Map.of("KAIROS_TARGETARCH", "amd64"));
      }

      @Override
      public SourceDate sourceDate() {
        return DATE;
      }
    };
  }
}
