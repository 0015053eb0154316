package dev.kairos.factory.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.json.JsonMapper;

/** genkey on real directories: modes, an existing key set, the list it prints, a bad validity. */
class GenkeyCommandTest {
  private static final JsonMapper JSON = JsonMapper.builder().build();
  @TempDir Path tmp;

  @Test
  void privateKeysAre0600AndANewDirectory0700() throws Exception {
    Path keys = tmp.resolve("a/keys");
    CliRunner r = CliRunner.run("genkey", "acme", "-o", keys.toString());
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(keys))).isEqualTo("rwx------");
    for (String k : new String[] {"PK.key", "KEK.key", "db.key", "tpm2-pcr-private.pem"}) {
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(keys.resolve(k)))).as(k)
          .isEqualTo("rw-------");
    }
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(keys.resolve("db.pem"))))
        .isNotEqualTo("rw-------");
    try (var s = Files.list(keys)) {
      assertThat(s.map(p -> p.getFileName().toString())).noneMatch(n -> n.contains("kairos-"));
    }
  }

  @Test
  void anExistingDirectoryKeepsItsModeAndOnlyTheWrittenFilesAreListed() throws Exception {
    Path shared = Files.createDirectories(tmp.resolve("shared"));
    // 1777, as /tmp: Java's permission API has no sticky bit, so chmod and stat.
    ChildCli.run("chmod", "1777", shared.toString());
    Files.writeString(shared.resolve("README"), "not a key");
    CliRunner r = CliRunner.run("genkey", "acme", "-o", shared.toString(), "--json");
    assertThat(r.exit()).as(r.err()).isZero();
    Process stat = new ProcessBuilder("stat", "-c", "%a", shared.toString()).start();
    assertThat(stat.inputReader().readLine()).isEqualTo("1777");
    List<String> files = new ArrayList<>();
    JSON.readTree(r.out()).get("files").forEach(f -> files.add(f.asString()));
    assertThat(files).hasSize(16).contains("db.key", "tpm2-pcr-private.pem").doesNotContain("README");
  }

  @Test
  void anExistingKeySetIsNotReplacedWithoutForce() throws Exception {
    Path keys = tmp.resolve("keys");
    assertThat(CliRunner.run("genkey", "acme", "-o", keys.toString()).exit()).isZero();
    byte[] pk = Files.readAllBytes(keys.resolve("PK.key"));
    CliRunner again = CliRunner.run("genkey", "other", "-o", keys.toString());
    assertThat(again.exit()).isEqualTo(1);
    assertThat(again.err()).contains(keys.toString(), "holds a key set already", "--force");
    assertThat(keys.resolve("PK.key")).hasBinaryContent(pk);
    CliRunner forced = CliRunner.run("genkey", "other", "-o", keys.toString(), "--force");
    assertThat(forced.exit()).as(forced.err()).isZero();
    assertThat(Files.readAllBytes(keys.resolve("PK.key"))).isNotEqualTo(pk);
  }

  @Test
  void aValidityPastTheYear9999IsAUsageError() {
    CliRunner r = CliRunner.run("genkey", "acme", "-o", tmp.resolve("k").toString(), "-e", "99999999");
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("Invalid value for option '--expiration-in-days'", "99999999").doesNotContain("\tat ");
    assertThat(tmp.resolve("k")).doesNotExist();
  }
}
