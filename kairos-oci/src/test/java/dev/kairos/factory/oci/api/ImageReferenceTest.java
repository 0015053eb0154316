package dev.kairos.factory.oci.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kairos.factory.core.api.InvalidInputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ImageReferenceTest {
  private static final String D = "sha256:" + "a".repeat(64);

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', nullValues = "-", textBlock = """
      ubuntu                              | docker.io       | library/ubuntu       | latest | -
      ubuntu:24.04                        | docker.io       | library/ubuntu       | 24.04  | -
      docker.io/ubuntu                    | docker.io       | library/ubuntu       | latest | -
      index.docker.io/library/ubuntu:22   | docker.io       | library/ubuntu       | 22     | -
      me/app                              | docker.io       | me/app               | latest | -
      quay.io/kairos/opensuse:leap-15.6   | quay.io         | kairos/opensuse      | leap-15.6 | -
      localhost/a                         | localhost       | a                    | latest | -
      localhost:5000/a/b:t                | localhost:5000  | a/b                  | t      | -
      127.0.0.1:5000/x/y/z:V1.0_rc-2      | 127.0.0.1:5000  | x/y/z                | V1.0_rc-2 | -
      Registry/app                        | Registry        | app                  | latest | -
      [::1]:5000/app                      | [::1]:5000      | app                  | latest | -
      host.example/a__b/c-d/e.f:1         | host.example    | a__b/c-d/e.f         | 1      | -
      my-host:443/ns/img                  | my-host:443     | ns/img               | latest | -
      """)
  void normalisesLikeDocker(String in, String registry, String repo, String tag, String digest)
      throws Exception {
    ImageReference r = ImageReference.parse(in);
    assertThat(r.registry()).isEqualTo(registry);
    assertThat(r.repository()).isEqualTo(repo);
    assertThat(r.tag().orElse(null)).isEqualTo(tag);
    assertThat(r.digest().orElse(null)).isEqualTo(digest);
    assertThat(r.toString()).isEqualTo(registry + "/" + repo + ":" + tag);
    assertThat(ImageReference.parse(r.toString())).isEqualTo(r);
  }

  @Test
  void ofIsTheUncheckedFormForStreams() {
    assertThat(java.util.stream.Stream.of("ubuntu", "quay.io/kairos/core:v1").map(ImageReference::of)
        .map(ImageReference::toString)).containsExactly("docker.io/library/ubuntu:latest", "quay.io/kairos/core:v1");
    assertThatThrownBy(() -> ImageReference.of("Ubuntu:latest")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'Ubuntu:latest'").hasCauseInstanceOf(dev.kairos.factory.core.api.InvalidInputException.class);
  }

  @Test
  void digestOnlyGetsNoDefaultTag() throws Exception {
    ImageReference r = ImageReference.parse("host.io/a@" + D);
    assertThat(r.tag()).isEmpty();
    assertThat(r.digest()).contains(D);
    assertThat(r.manifestKey()).isEqualTo(D);
    assertThat(r.toString()).isEqualTo("host.io/a@" + D);
  }

  @Test
  void tagAndDigestBothKeptDigestWins() throws Exception {
    ImageReference r = ImageReference.parse("ubuntu:24.04@" + D);
    assertThat(r.tag()).contains("24.04");
    assertThat(r.digest()).contains(D);
    assertThat(r.manifestKey()).isEqualTo(D);
    assertThat(r.toString()).isEqualTo("docker.io/library/ubuntu:24.04@" + D);
  }

  @Test
  void loopbackAndDerivedReferences() throws Exception {
    assertThat(ImageReference.parse("localhost:5000/a").isLoopback()).isTrue();
    assertThat(ImageReference.parse("127.0.0.1:1/a").isLoopback()).isTrue();
    assertThat(ImageReference.parse("quay.io/a").isLoopback()).isFalse();
    ImageReference r = ImageReference.parse("quay.io/a:1");
    assertThat(r.withTag("2").toString()).isEqualTo("quay.io/a:2");
    assertThat(r.withDigest(D).toString()).isEqualTo("quay.io/a:1@" + D);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      Ubuntu                          | must be lower case
      docker.io/Library/ubuntu        | must be lower case
      localhost:5000/A/b              | must be lower case
      ubuntu:                         | invalid tag ''
      ubuntu:-x                       | invalid tag '-x'
      ubuntu:a/b                      | invalid registry port
      a//b                            | empty path component
      a/b/                            | empty path component
      'a b'                           | invalid repository path component 'a b'
      a@sha256:abc                    | invalid digest
      a@sha256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA | 64 lower-case hex
      host:99999/a                    | invalid registry port '99999'
      -host.io/a                      | invalid registry host '-host.io'
      ':5000/a'                       | no host name
      a-/b                            | invalid repository path component 'a-'
      aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa | image ID
      ''                              | is empty
      ' ubuntu'                       | white space
      """)
  void rejectsMalformedWithClearErrors(String in, String message) {
    assertThatThrownBy(() -> ImageReference.parse(in))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("'" + in + "'")
        .hasMessageContaining(message);
  }

  @Test
  void rejectsOverlongNames() {
    assertThatThrownBy(() -> ImageReference.parse("r.io/" + "a".repeat(260)))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("longer than 255");
  }
}
