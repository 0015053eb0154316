package dev.kairos.factory.boot.api.uki;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class UkiNamesTest {
  @Test
  void cmdlineVariantsAndNamesAreAuroraBoots() {
    assertThat(UkiCmdlines.DEFAULT).endsWith("systemd.crash_reboot=yes install-mode").contains("rd.immucore.uki");
    assertThat(UkiCmdlines.extended("rd.foo=bar")).isEqualTo(UkiCmdlines.DEFAULT + " rd.foo=bar");
    assertThat(UkiCmdlines.extraName("rd.foo=bar")).isEqualTo("norole_install-mode_rd.foo_bar");
    assertThat(UkiCmdlines.singleEntryName("My Entry", "x")).isEqualTo("my_entry");
    assertThat(UkiCmdlines.singleEntryName(null, "a=B c")).isEqualTo("single_entry_a_b_c");
  }

  @Test
  void loaderConfAndEntries() {
    SystemdBootLayout l = SystemdBootLayout.builder(Path.of("sd-boot.efi"))
        .uki("norole", "Kairos", Path.of("n.efi")).secureBootEnroll(SecureBootEnroll.FORCE).build();
    assertThat(l.loaderConf()).isEqualTo("timeout 5\nconsole-mode max\neditor no\nsecure-boot-enroll force\n");
    assertThat(l.entry("norole")).isEqualTo("title Kairos\nsort-key norole-0\nuki /EFI/kairos/norole.efi\nprofile 0\n");
    assertThatThrownBy(() -> l.entry("x")).hasMessageContaining("norole");
    assertThat(l.files()).containsOnlyKeys("/EFI/BOOT/BOOTX64.EFI", "/EFI/kairos/norole.efi")
        .containsEntry("/EFI/kairos/norole.efi", Path.of("n.efi"));
    assertThat(l.texts()).containsEntry("/loader/loader.conf", l.loaderConf())
        .containsEntry("/loader/entries/norole.conf", l.entry("norole")).hasSize(2);
    assertThat(l.directories()).containsExactly("/EFI/tools");
    assertThatThrownBy(() -> SystemdBootLayout.builder(Path.of("b")).uki("a b", "t", Path.of("u")))
        .hasMessageContaining("'a b'");
  }
}
