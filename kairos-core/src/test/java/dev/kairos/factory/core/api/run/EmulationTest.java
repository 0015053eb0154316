package dev.kairos.factory.core.api.run;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kairos.factory.core.api.distro.Architecture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What {@link Emulation} reads from binfmt_misc, on a copy of its files as the kernel shows them. */
class EmulationTest {
  private static final String ENTRY = "enabled\ninterpreter /usr/libexec/qemu-binfmt/aarch64-binfmt-P\nflags: POF\n"
      + "offset 0\nmagic 7f454c460201010000000000000000000200b700\nmask ffffffffffffff00fffffffffffffffffeffffff\n";

  @Test
  void anEnabledEntryWithTheFixFlagRuns(@TempDir Path binfmt) throws Exception {
    Files.writeString(binfmt.resolve("register"), "");
    Files.writeString(binfmt.resolve("qemu-aarch64"), ENTRY);
    assertThat(Emulation.unavailable(Architecture.ARM64, binfmt)).isEmpty();
  }

  @Test
  void anUnmountedBinfmtMiscSaysHowToMountIt(@TempDir Path binfmt) {
    assertThat(Emulation.unavailable(Architecture.ARM64, binfmt)).get().asString()
        .contains("not mounted").contains("mount -t binfmt_misc binfmt_misc " + binfmt)
        .contains("scripts/install-host-tools.sh").contains("qemu-user-static");
  }

  @Test
  void aMissingEntryNamesTheConfToRegister(@TempDir Path binfmt) throws Exception {
    Files.writeString(binfmt.resolve("register"), "");
    assertThat(Emulation.unavailable(Architecture.ARM64, binfmt)).get().asString()
        .contains("no entry qemu-aarch64").contains("/usr/lib/binfmt.d/qemu-aarch64.conf > " + binfmt + "/register");
  }

  @Test
  void aDisabledEntryOrOneWithoutTheFixFlagIsRefused(@TempDir Path binfmt) throws Exception {
    Files.writeString(binfmt.resolve("register"), "");
    Files.writeString(binfmt.resolve("qemu-aarch64"), ENTRY.replace("enabled", "disabled"));
    assertThat(Emulation.unavailable(Architecture.ARM64, binfmt)).get().asString().contains("is disabled");
    Files.writeString(binfmt.resolve("qemu-aarch64"), ENTRY.replace("flags: POF", "flags: P"));
    assertThat(Emulation.unavailable(Architecture.ARM64, binfmt)).get().asString().contains("lacks the F flag");
  }

  @Test
  void theHostsOwnArchitectureNeedsNothing() throws Exception {
    assertThat(Emulation.isForeign(Architecture.host())).isFalse();
    assertThat(Emulation.unavailable(Architecture.host())).isEmpty();
    assertThat(Emulation.entryName(Architecture.ARM64)).isEqualTo("qemu-aarch64");
  }

  @Test
  void timeoutsAreStretchedWithoutOverflow() {
    assertThat(Emulation.stretch(Duration.ofMinutes(30))).isEqualTo(Duration.ofMinutes(300));
    assertThat(Emulation.stretch(Duration.ofSeconds(Long.MAX_VALUE / 2))).isEqualTo(Duration.ofDays(365));
  }
}
