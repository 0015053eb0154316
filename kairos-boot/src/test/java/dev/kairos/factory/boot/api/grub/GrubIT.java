package dev.kairos.factory.boot.api.grub;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kairos.factory.boot.it.Exec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** grub-script-check parses our configurations; grub-editenv reads and rewrites our grubenv. */
class GrubIT {
  @TempDir
  Path dir;

  @Test
  void everyConfigurationPassesGrubScriptCheck() throws Exception {
    Exec.assumeTool("grub-script-check");
    GrubConfigs g = GrubConfigs.builder().extendCmdline("foo=bar").build();
    Map<String, String> files = Map.of("stub.cfg", g.isoStub(), "live.cfg", g.liveMenu(), "esp.cfg", g.espChain(),
        "installed.cfg", g.installedMenu(), "bootargs.cfg", g.bootArgs());
    for (Map.Entry<String, String> f : files.entrySet()) {
      Files.writeString(dir.resolve(f.getKey()), f.getValue());
      Exec.Result r = Exec.sh(dir, "grub-script-check " + f.getKey());
      assertThat(r.exit()).as(f.getKey() + ": " + r.output()).isZero();
    }
    // The referee is not a rubber stamp: a broken script fails.
    Files.writeString(dir.resolve("broken.cfg"), g.installedMenu().replaceFirst("fi\n", ""));
    assertThat(Exec.sh(dir, "grub-script-check broken.cfg").exit()).isNotZero();
  }

  @Test
  void grubEditenvReadsAndWritesOurBlock() throws Exception {
    Exec.assumeTool("grub-editenv");
    Files.write(dir.resolve("grubenv"), GrubEnv.of(Map.of("next_entry", "recovery", "saved_entry", "cos")).toBytes());
    assertThat(Exec.sh(dir, "grub-editenv grubenv list").ok().output())
        .isEqualTo("next_entry=recovery\nsaved_entry=cos\n");
    Exec.sh(dir, "grub-editenv grubenv set extra_cmdline=rd.debug && grub-editenv grubenv unset saved_entry").ok();
    byte[] after = Files.readAllBytes(dir.resolve("grubenv"));
    assertThat(after).hasSize(GrubEnv.SIZE);
    assertThat(GrubEnv.parse(after).variables())
        .containsOnly(Map.entry("next_entry", "recovery"), Map.entry("extra_cmdline", "rd.debug"));
    // A block grub-editenv made (it adds a warning comment) reads the same.
    Exec.sh(dir, "grub-editenv fresh create && grub-editenv fresh set b=2 a=1").ok();
    assertThat(GrubEnv.parse(Files.readAllBytes(dir.resolve("fresh"))).variables())
        .containsExactly(Map.entry("a", "1"), Map.entry("b", "2"));
  }
}
