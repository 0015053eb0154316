package dev.kairos.factory.core.internal.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kairos.factory.core.api.KairosException;
import dev.kairos.factory.core.api.distro.Architecture;
import dev.kairos.factory.core.api.fs.ImagePath;
import dev.kairos.factory.core.api.fs.RootFs;
import dev.kairos.factory.core.api.run.Emulation;
import dev.kairos.factory.core.testing.ElfStub;
import dev.kairos.factory.core.testing.InMemoryRootFs;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The runner's time budget: an image of this machine's architecture as asked, a foreign one under emulation. */
class ChrootRunnerTest {
  private static final Duration ASKED = Duration.ofMinutes(3);

  @Test
  void anImageOfThisMachinesArchitectureGetsTheTimeAsked() throws Exception {
    RootFs root = InMemoryRootFs.create();
    ElfStub.write(root, ImagePath.of("/bin/sh"), machine(Architecture.host()));
    assertThat(ChrootRunner.timeBudget(root, ASKED)).isEqualTo(ASKED);
    assertThat(ChrootRunner.timeBudget(InMemoryRootFs.create(), ASKED)).as("no binaries: nothing to emulate").isEqualTo(ASKED);
    RootFs i386 = InMemoryRootFs.create();
    ElfStub.write(i386, ImagePath.of("/bin/sh"), 3); // EM_386: none of ours, left to the kernel as before
    assertThat(ChrootRunner.timeBudget(i386, ASKED)).isEqualTo(ASKED);
  }

  @Test
  void aForeignImageGetsTheEmulationBudgetOrTheReasonItCannotRun() throws Exception {
    Architecture foreign = Architecture.host() == Architecture.ARM64 ? Architecture.AMD64 : Architecture.ARM64;
    RootFs root = InMemoryRootFs.create();
    ElfStub.write(root, ImagePath.of("/bin/sh"), machine(foreign));
    if (Emulation.unavailable(foreign).isEmpty()) {
      assertThat(ChrootRunner.timeBudget(root, ASKED)).isEqualTo(ASKED.multipliedBy(Emulation.TIME_FACTOR));
    } else {
      assertThatThrownBy(() -> ChrootRunner.timeBudget(root, ASKED)).isInstanceOf(KairosException.class)
          .hasMessageContaining("cannot run commands in the " + foreign + " image")
          .hasMessageContaining(Emulation.entryName(foreign));
    }
  }

  private static int machine(Architecture a) {
    return switch (a) {
      case AMD64 -> ElfStub.EM_X86_64;
      case ARM64 -> ElfStub.EM_AARCH64;
      case RISCV64 -> ElfStub.EM_RISCV;
    };
  }
}
