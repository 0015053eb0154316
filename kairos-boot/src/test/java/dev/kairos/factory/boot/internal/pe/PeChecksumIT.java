package dev.kairos.factory.boot.internal.pe;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kairos.factory.boot.api.uki.Uki;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Our PE checksum matches the one the stub's linker stored. */
class PeChecksumIT {
  @Test
  void recomputesTheStubsOwnChecksum(@TempDir Path dir) throws Exception {
    Assumptions.assumeTrue(Files.isRegularFile(Uki.DEBIAN_STUB), "no systemd stub");
    Path copy = dir.resolve("stub");
    Files.copy(Uki.DEBIAN_STUB, copy);
    ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(copy)).order(ByteOrder.LITTLE_ENDIAN);
    long sumAt = b.getInt(0x3C) + 24 + 64;
    int stored = b.getInt((int) sumAt);
    Assumptions.assumeTrue(stored != 0, "this stub carries no checksum");
    try (FileChannel ch = FileChannel.open(copy, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      ch.write(ByteBuffer.allocate(4), sumAt);
      PeAssembler.writeChecksum(ch, sumAt);
    }
    assertThat(ByteBuffer.wrap(Files.readAllBytes(copy)).order(ByteOrder.LITTLE_ENDIAN).getInt((int) sumAt))
        .isEqualTo(stored);
  }
}
