package dev.kairos.factory.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SourceSpecTest {
  @Test
  void registryReferences() {
    assertThat(SourceSpec.parse("debian:bookworm")).isEqualTo(new SourceSpec.Registry("debian:bookworm"));
    assertThat(SourceSpec.parse("127.0.0.1:5000/kairos/debian:v1"))
        .isEqualTo(new SourceSpec.Registry("127.0.0.1:5000/kairos/debian:v1"));
    assertThat(SourceSpec.parse("ubuntu")).isEqualTo(new SourceSpec.Registry("ubuntu"));
  }

  @Test
  void ociLayoutWithAndWithoutTag() {
    assertThat(SourceSpec.parse("oci-layout:out/oci"))
        .isEqualTo(new SourceSpec.OciLayout(Path.of("out/oci"), Optional.empty()));
    assertThat(SourceSpec.parse("oci-layout:out/oci:v1.0.0"))
        .isEqualTo(new SourceSpec.OciLayout(Path.of("out/oci"), Optional.of("v1.0.0")));
    // A colon followed by something that is not a tag belongs to the directory.
    assertThat(SourceSpec.parse("oci-layout:/a:b/c"))
        .isEqualTo(new SourceSpec.OciLayout(Path.of("/a:b/c"), Optional.empty()));
  }

  @Test
  void archivesAndDirectories() {
    assertThat(SourceSpec.parse("oci-archive:img.tar")).isEqualTo(new SourceSpec.OciArchive(Path.of("img.tar")));
    assertThat(SourceSpec.parse("docker-archive:/tmp/d.tar"))
        .isEqualTo(new SourceSpec.DockerArchive(Path.of("/tmp/d.tar")));
    assertThat(SourceSpec.parse("dir:/srv/root")).isEqualTo(new SourceSpec.Directory(Path.of("/srv/root")));
  }

  @Test
  void debootstrapWithMirror() {
    assertThat(SourceSpec.parse("debootstrap:bookworm"))
        .isEqualTo(new SourceSpec.Debootstrap("bookworm", Optional.empty()));
    assertThat(SourceSpec.parse("debootstrap:bookworm:http://deb.debian.org/debian"))
        .isEqualTo(new SourceSpec.Debootstrap("bookworm", Optional.of("http://deb.debian.org/debian")));
  }

  @ParameterizedTest
  @ValueSource(strings = {"debian:bookworm", "oci-layout:out/oci:v1", "oci-archive:a.tar",
      "docker-archive:b.tar", "dir:/r", "debootstrap:noble:https://archive.ubuntu.com/ubuntu"})
  void displayRoundTrips(String value) {
    assertThat(SourceSpec.parse(value).display()).isEqualTo(value);
    assertThat(SourceSpec.parse(SourceSpec.parse(value).display())).isEqualTo(SourceSpec.parse(value));
  }

  @Test
  void malformedSourcesNameTheValue() {
    assertThatThrownBy(() -> SourceSpec.parse("")).hasMessageContaining("empty image source");
    assertThatThrownBy(() -> SourceSpec.parse("docker://debian")).hasMessageContaining("'docker://debian'");
    assertThatThrownBy(() -> SourceSpec.parse("oci-layout:")).hasMessageContaining("missing DIR");
    assertThatThrownBy(() -> SourceSpec.parse("oci-layout:out:")).hasMessageContaining("empty tag");
    assertThatThrownBy(() -> SourceSpec.parse("dir:")).hasMessageContaining("'dir:'");
    assertThatThrownBy(() -> SourceSpec.parse("debootstrap:Bookworm")).hasMessageContaining("'Bookworm'");
    assertThatThrownBy(() -> SourceSpec.parse("debootstrap:bookworm:ftp.example"))
        .hasMessageContaining("bad mirror 'ftp.example'");
    assertThatThrownBy(() -> SourceSpec.parse("debian bookworm")).hasMessageContaining("'debian bookworm'");
    assertThatThrownBy(() -> SourceSpec.parse("Debian:12")).hasMessageContaining("lower case");
  }
}
