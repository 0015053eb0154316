package dev.kairos.factory.boot.api.grub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GrubConfigsTest {
  @Test
  void activeBootArgsAreThoseOfTheSpec() {
    String cfg = GrubConfigs.builder().build().bootArgs();
    String active = cfg.lines().filter(l -> l.contains("cos-img/filename")).findFirst().orElseThrow()
        .replace("${label}", "COS_ACTIVE").replace("${img}", "/cOS/active.img").strip();
    assertThat(active).isEqualTo("set kernelcmd=\"console=ttyS0 console=tty1 net.ifnames=1 rd.cos.oemlabel=COS_OEM "
        + "rd.cos.oemtimeout=10 panic=5 rd.emergency=reboot rd.shell=0 systemd.crash_reboot=yes root=LABEL=COS_ACTIVE "
        + "cos-img/filename=/cOS/active.img selinux=0\"");
    assertThat(GrubConfigs.builder().model("rpi4").build().bootArgs()).contains("8250.nr_uarts=1");
  }

  @Test
  void liveMenuFollowsReleaseDataAndOptions() {
    GrubConfigs g = GrubConfigs.builder()
        .fromRelease(Map.of("GRUB_ENTRY_NAME", "Acme OS", "KAIROS_TARGETARCH", "amd64"))
        .extendCmdline("  foo=bar\n").build();
    String menu = g.liveMenu();
    String first = menu.lines().filter(l -> l.contains("linux ($root)/boot/kernel")).findFirst().orElseThrow();
    assertThat(first.strip()).isEqualTo("linux ($root)/boot/kernel cdroot root=live:CDLABEL=COS_LIVE rd.live.dir=/ "
        + "rd.live.squashimg=rootfs.squashfs net.ifnames=1 console=ttyS0 console=tty1 rd.cos.disable vga=795 "
        + "nomodeset install-mode selinux=0 $thor_options rd.live.overlay.overlayfs foo=bar");
    assertThat(menu).contains("menuentry \"Acme OS\" --class os").contains("\"acme os (interactive install)\"")
        .contains("kairos.boot_live_mode");
    assertThat(GrubConfigs.builder().arch("arm64").build().liveMenu()).doesNotContain("nomodeset");
    assertThat(g.installedMenu()).contains("set display_name=\"Acme OS\"").contains("--id statereset")
        .contains("kairos.reset");
  }

  @Test
  void rejectsValuesThatWouldBreakTheScript() {
    assertThatThrownBy(() -> GrubConfigs.builder().entryName("a\"b")).hasMessageContaining("a\"b");
    assertThatThrownBy(() -> GrubConfigs.builder().extendCmdline("x=\"y\"")).hasMessageContaining("x=");
  }

  @Test
  void grubEnvIsExactly1024SortedAndRoundTrips() throws Exception {
    GrubEnv env = GrubEnv.of(Map.of("next_entry", "recovery", "a", "1", "empty", "", "multi", "x\\y\nz"));
    byte[] b = env.toBytes();
    assertThat(b).hasSize(1024);
    String s = new String(b, StandardCharsets.UTF_8);
    assertThat(s).startsWith("# GRUB Environment Block\na=1\nmulti=x\\\\y\\\nz\nnext_entry=recovery\n###");
    assertThat(GrubEnv.parse(b).variables()).containsExactly(Map.entry("a", "1"), Map.entry("multi", "x\\y\nz"),
        Map.entry("next_entry", "recovery"));
    assertThat(GrubEnv.parse(b).with("a", "").variables()).doesNotContainKey("a");
    assertThatThrownBy(() -> GrubEnv.of(Map.of("k", "v".repeat(1100))).toBytes()).hasMessageContaining("1024");
    assertThatThrownBy(() -> GrubEnv.of(Map.of("a=b", "v"))).hasMessageContaining("a=b");
  }
}
