package dev.kairos.factory.oci.internal.pull;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kairos.factory.core.api.InvalidInputException;
import dev.kairos.factory.oci.internal.tar.TarEntry;
import dev.kairos.factory.oci.internal.tar.TarWriter;
import java.io.ByteArrayInputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** A docker archive whose manifest.json is not what docker save writes is refused, saying what is wrong. */
class ArchivesTest {
  @TempDir Path tmp;

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
      []                                      | lists no image (an empty array)
      {"Config":5}                            | expected an array of images, as docker save writes, got an object {"Config":5}
      [5]                                     | image 1 of 1: expected an object, got a number 5
      [{"Config":5}]                          | image 1 of 1: "Config" must be a string naming the config member, got a number 5
      [{"Layers":[]}]                         | image 1 of 1: "Config" must be a string naming the config member, got nothing
      [{"Config":"c.json"}]                   | image 1 of 1: "Layers" is missing
      [{"Config":"c.json","Layers":"l.tar"}]  | image 1 of 1: "Layers" must be an array of strings, got a string "l.tar"
      [{"Config":"c.json","Layers":[1]}]      | image 1 of 1: "Layers" must hold strings, got a number 1
      [{"Config":"c.json","Layers":[],"RepoTags":{}}] | image 1 of 1: "RepoTags" must be an array of strings, got an object {}
      """)
  void malformedManifestIsNamed(String manifest, String message) throws Exception {
    Path file = tmp.resolve("image.tar");
    try (OutputStream out = Files.newOutputStream(file)) {
      TarWriter tar = new TarWriter(out);
      byte[] b = manifest.getBytes(StandardCharsets.UTF_8);
      tar.write(new TarEntry("manifest.json", TarEntry.Kind.REGULAR, 0644, 0, 0, b.length, Instant.EPOCH, "", 0, 0,
          Map.of()), new ByteArrayInputStream(b));
      tar.finish();
    }
    assertThatThrownBy(() -> Archives.dockerArchive(file, Files.createDirectories(tmp.resolve("store")), null))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage(file + ":manifest.json: " + message);
  }
}
