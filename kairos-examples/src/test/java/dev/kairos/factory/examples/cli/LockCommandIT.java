package dev.kairos.factory.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kairos.factory.core.api.lock.Lock;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code lock update} through the CLI with the host's apt, against a local repository of real
 * packages (dpkg-deb, apt-ftparchive) on a {@code file:} URL; {@code lock diff} reads the result.
 */
class LockCommandIT {
  @TempDir Path tmp;

  @Test
  void updateRewritesTheLockInPlaceAndPrintsWhatChangedAsLockDiffDoes() throws Exception {
    Path repo = tmp.resolve("repo");
    // curl 7.88 and 8.0 (8.0 needs libcurl 8.0), libcurl 7.88 and 8.0, and bash 5.2 only
    ChildCli.run("sh", "-c", "set -e; mkdir -p " + repo + "; cd " + tmp + "; mk() { rm -rf p; mkdir -p p/DEBIAN;"
        + " printf 'Package: %s\\nVersion: %s\\nArchitecture: all\\nMaintainer: T <t@example.org>\\nDescription: t\\n%b'"
        + " \"$1\" \"$2\" \"$3\" > p/DEBIAN/control; dpkg-deb -Zgzip --root-owner-group -b p " + repo
        + "/\"$1\"_\"$2\"_all.deb >/dev/null; };"
        + " mk curl 7.88 'Depends: libcurl (= 7.88)\\n'; mk curl 8.0 'Depends: libcurl (= 8.0)\\n';"
        + " mk libcurl 7.88 ''; mk libcurl 8.0 ''; mk bash 5.2 ''; cd " + repo + "; apt-ftparchive packages . > Packages");
    Path lock = tmp.resolve("kairos.lock");
    Files.writeString(lock, "kairos-lock 1\nkairos-version v1.0.0\nsource-date 1700000000\noption arch amd64\n"
        + "package bash all 5.2 - - -\npackage curl all 7.88 - - -\npackage libcurl all 7.88 - - -\n");
    Path before = tmp.resolve("before.lock");
    Files.copy(lock, before);

    CliRunner r = CliRunner.run("lock", "update", lock.toString(), "--package", "curl", "--mirror", "file:" + repo,
        "--work", tmp.resolve("work").toString());
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).contains("~ curl:all 7.88 -> 8.0").contains("~ libcurl:all 7.88 -> 8.0")
        .doesNotContain("bash").contains(lock.toAbsolutePath().toString());
    Lock after = Lock.read(lock);
    assertThat(after.pkg("curl").orElseThrow().sha256()).isPresent();
    assertThat(after.pkg("bash").orElseThrow().version()).isEqualTo("5.2");
    assertThat(tmp.resolve("work")).isDirectory();
    assertThat(Files.list(tmp).filter(p -> p.getFileName().toString().startsWith(".kairos.lock"))).isEmpty();

    CliRunner diff = CliRunner.run("lock", "diff", "--json", before.toString(), lock.toString());
    JsonNode d = JsonMapper.builder().build().readTree(diff.out());
    assertThat(d.get("changed")).hasSize(2);
    assertThat(d.get("changed").get(0).get("to").asString()).isEqualTo("8.0");

    // --json, -o: the lock given stays as it was
    Path other = tmp.resolve("other.lock");
    CliRunner json = CliRunner.run("lock", "update", "--json", before.toString(), "-o", other.toString(),
        "--mirror", "file:" + repo, "--work", tmp.resolve("work").toString());
    assertThat(json.exit()).as(json.err()).isZero();
    JsonNode j = JsonMapper.builder().build().readTree(json.out());
    assertThat(j.get("lock").asString()).isEqualTo(other.toAbsolutePath().toString());
    assertThat(j.get("changed")).hasSize(2);
    assertThat(Files.readString(before)).contains("package curl all 7.88 - - -");
    assertThat(Lock.read(other)).isEqualTo(after);

    CliRunner bad = CliRunner.run("lock", "update", before.toString(), "--mirror", "http://deb.debian.org/debian bookworm",
        "--work", tmp.resolve("work").toString());
    assertThat(bad.exit()).isEqualTo(2);
    assertThat(bad.err()).contains("--mirror").contains("needs a component");
  }
}
