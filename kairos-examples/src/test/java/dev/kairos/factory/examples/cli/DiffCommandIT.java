package dev.kairos.factory.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import dev.kairos.factory.core.api.SourceDate;
import dev.kairos.factory.core.api.event.EventListener;
import dev.kairos.factory.core.api.fs.ImagePath;
import dev.kairos.factory.core.api.fs.RootFs;
import dev.kairos.factory.core.api.image.BuiltImage;
import dev.kairos.factory.oci.api.OciTarget;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code diff} through the CLI on roots made with the host's tools and on OCI layouts the library wrote. */
class DiffCommandIT {
  @TempDir Path tmp;

  private void sh(String script) throws Exception {
    ChildCli.run("sh", "-c", script);
  }

  @Test
  void twoRootsDifferingInContentModeOwnerTimeXattrAndLinkTarget() throws Exception {
    assumeTrue(ChildCli.isRoot(), "needs root to chown");
    Path a = tmp.resolve("a");
    Path b = tmp.resolve("b");
    sh("set -e; mkdir -p " + a + "/etc " + a + "/usr/bin; cd " + a + "; echo debian > etc/hostname;"
        + " printf '#!/bin/sh\\n' > usr/bin/tool; chmod 0755 usr/bin/tool; echo motd > etc/motd; echo o > etc/owned;"
        + " ln -s hostname etc/link; setfattr -n user.kind -v tool usr/bin/tool;"
        + " touch -h -d 2025-01-01T00:00:00Z etc/hostname usr/bin/tool etc/motd etc/owned etc/link etc usr/bin usr .;"
        + " cp -a " + a + " " + b + "; cd " + b + "; echo ubuntu > etc/hostname; chmod 4755 usr/bin/tool;"
        + " chown 1000:100 etc/owned; touch -d 2025-01-02T00:00:00Z etc/motd; setfattr -n user.kind -v other usr/bin/tool;"
        + " rm etc/link; ln -s motd etc/link;"
        + " touch -h -d 2025-01-01T00:00:00Z etc/hostname usr/bin/tool etc/owned etc/link etc");

    CliRunner r = CliRunner.run("diff", a.toString(), b.toString());
    assertThat(r.exit()).as(r.err()).isEqualTo(1);
    assertThat(r.out()).contains("root: 7 differences")
        .contains("/etc/hostname: content sha256:")
        .contains("/etc/link: target hostname -> motd")
        .contains("/etc/motd: mtime 2025-01-01T00:00:00Z -> 2025-01-02T00:00:00Z")
        .contains("/etc/owned: gid 0 -> 100").contains("/etc/owned: uid 0 -> 1000")
        .contains("/usr/bin/tool: mode 0755 -> 4755")
        .contains("/usr/bin/tool: xattr:user.kind \"tool\" -> \"other\"");

    CliRunner json = CliRunner.run("diff", "--json", a.toString(), b.toString());
    assertThat(json.exit()).isEqualTo(1);
    JsonNode doc = JsonMapper.builder().build().readTree(json.out());
    assertThat(doc.get("kind").asString()).isEqualTo("root");
    assertThat(doc.get("identical").asBoolean()).isFalse();
    assertThat(doc.get("differences")).hasSize(7);
    JsonNode link = doc.get("differences").get(1);
    assertThat(link.get("where").asString()).isEqualTo("/etc/link");
    assertThat(link.get("field").asString()).isEqualTo("target");
    assertThat(link.get("a").asString()).isEqualTo("hostname");
    assertThat(link.get("b").asString()).isEqualTo("motd");

    CliRunner same = CliRunner.run("diff", a.toString(), a.toString());
    assertThat(same.exit()).isZero();
    assertThat(same.out()).contains("root: identical");
  }

  @Test
  void badInputIsExitTwo() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("d"));
    Path file = Files.writeString(tmp.resolve("f"), "x");
    CliRunner missing = CliRunner.run("diff", dir.toString(), tmp.resolve("nope").toString());
    assertThat(missing.exit()).isEqualTo(2);
    assertThat(missing.err()).contains("cannot compare");
    assertThat(CliRunner.run("diff", dir.toString(), file.toString()).exit()).isEqualTo(2);
    assertThat(CliRunner.run("diff", dir.toString()).exit()).isEqualTo(2);
    CliRunner files = CliRunner.run("diff", file.toString(), Files.writeString(tmp.resolve("g"), "y").toString());
    assertThat(files.exit()).isEqualTo(1);
    assertThat(files.out()).contains("first differing byte at 0");
  }

  @Test
  void twoOciLayoutsDifferingInOneFile() throws Exception {
    Path a = layout("a", "debian\n");
    Path b = layout("b", "ubuntu\n");
    Path work = tmp.resolve("work");
    CliRunner r = CliRunner.run("diff", "--json", "--work", work.toString(), a.toString(), b.toString());
    assertThat(r.exit()).as(r.err()).isEqualTo(1);
    JsonNode doc = JsonMapper.builder().build().readTree(r.out());
    assertThat(doc.get("kind").asString()).isEqualTo("oci");
    assertThat(doc.get("differences").findValuesAsString("where")).contains("/etc/hostname")
        .anyMatch(w -> w.startsWith("layout:/blobs/sha256/")).contains("layout:/index.json").contains("config");
    // the config blob is explained field by field: the layer's diff_id, not only "the blob differs"
    assertThat(r.out()).doesNotContain("\"field\" : \"created\"");
    CliRunner text = CliRunner.run("diff", "--work", work.toString(), a.toString(), b.toString());
    assertThat(text.out()).containsPattern("config: rootfs\\.diff_ids\\[0\\] sha256:[0-9a-f]{64} -> sha256:[0-9a-f]{64}");
    CliRunner same = CliRunner.run("diff", "--work", work.toString(), a.toString(), layout("a2", "debian\n").toString());
    assertThat(same.exit()).as(same.out() + same.err()).isZero();
  }

  private Path layout(String name, String hostname) throws Exception {
    RootFs root = RootFs.at(Files.createDirectories(tmp.resolve(name + "-root")));
    root.writeString(ImagePath.of("/etc/hostname"), hostname);
    root.writeString(ImagePath.of("/etc/os-release"), "ID=debian\n");
    Path out = tmp.resolve(name + "-layout");
    OciTarget.layout(out, "v1").withWorkDirectory(tmp.resolve(name + "-work"))
        .write(BuiltImage.of(root, SourceDate.of(Instant.parse("2025-01-01T00:00:00Z"))), EventListener.NONE);
    return out;
  }
}
