package dev.kairos.factory.distros.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kairos.factory.core.api.KairosException;
import dev.kairos.factory.core.api.distro.Model;
import dev.kairos.factory.core.api.fs.ImagePath;
import dev.kairos.factory.core.api.fs.RootFs;
import dev.kairos.factory.core.testing.InMemoryRootFs;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class KernelChooserTest {
  private static RootFs modules(String... dirs) throws Exception {
    RootFs root = InMemoryRootFs.create();
    root.createDirectories(ImagePath.of("/usr/lib/modules"));
    root.createSymlink(ImagePath.of("/lib"), "usr/lib");
    for (String d : dirs) {
      if (d.startsWith("file:")) {
        root.writeString(ImagePath.of("/usr/lib/modules", d.substring(5)), "");
      } else {
        root.createDirectories(ImagePath.of("/usr/lib/modules", d));
      }
    }
    return root;
  }

  @ParameterizedTest(name = "{0} / {1}")
  @CsvSource(delimiter = '|', textBlock = """
      6.1.0-28-amd64                                              | generic | 6.1.0-28-amd64
      5.15.0-99-generic 5.15.0-102-generic                        | generic | 5.15.0-102-generic
      6.8 6.1.0-28-amd64                                          | generic | 6.8
      6.8.0-1010-raspi 6.8.0-45-generic 6.9.0-10-generic          | rpi4    | 6.8.0-1010-raspi
      6.8.0-1010-raspi 6.8.0-45-generic 6.9.0-10-generic          | generic | 6.9.0-10-generic
      5.15.0-1034-raspi 5.15.0-1040-raspi 5.15.0-99-generic       | rpi3    | 5.15.0-1040-raspi
      5.15.0-99-generic 6.1.0-1-generic                           | rpi4    | 6.1.0-1-generic
      5.14.0-70.13.1.el9_0.x86_64 5.14.0-503.14.1.el9_5.x86_64    | generic | 5.14.0-503.14.1.el9_5.x86_64
      6.11.4-301.fc41.x86_64 6.9.7-200.fc40.x86_64                | generic | 6.11.4-301.fc41.x86_64
      file:zzz-not-a-dir 4.19.0-1-amd64                           | generic | 4.19.0-1-amd64
      """)
  void picksTheKernel(String dirs, String model, String expected) throws Exception {
    assertThat(KernelChooser.choose(modules(dirs.split(" ")), Model.parse(model))).isEqualTo(expected);
  }

  @Test
  void noKernelIsAnError() throws Exception {
    assertThatThrownBy(() -> KernelChooser.choose(modules(), Model.GENERIC))
        .isInstanceOf(KairosException.class).hasMessageContaining("no kernel versions found");
    assertThatThrownBy(() -> KernelChooser.choose(modules("file:modules.alias"), Model.GENERIC))
        .hasMessageContaining("no kernel directories");
    assertThatThrownBy(() -> KernelChooser.choose(InMemoryRootFs.create(), Model.GENERIC))
        .hasMessageContaining("/lib/modules does not exist");
  }

  @Test
  void naturalOrderComparesNumbersAsNumbers() {
    assertThat(List.of("a10", "a9", "a09b", "a", "b1").stream().sorted(NaturalOrder.INSTANCE).toList())
        .containsExactly("a", "a9", "a09b", "a10", "b1");
    assertThat(NaturalOrder.INSTANCE.compare("1a", "a1")).isPositive();
    assertThat(NaturalOrder.INSTANCE.compare("x01", "x1")).isNotZero();
  }
}
