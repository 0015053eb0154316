package dev.kairos.factory.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The verbs that work on a plain directory, in-process, with their --json shapes. */
class VerbsTest {
  private static final JsonMapper JSON = JsonMapper.builder().build();
  @TempDir Path tmp;

  @Test
  void stepsInfoListsEveryStepSorted() {
    CliRunner human = CliRunner.run("steps-info");
    assertThat(human.exit()).isZero();
    assertThat(human.out()).startsWith("Step name & Description\n").contains("\"installKernel\": ");
    JsonNode steps = JSON.readTree(CliRunner.run("steps-info", "--json").out());
    List<String> names = new ArrayList<>();
    steps.forEach(s -> names.add(s.get("name").asString()));
    assertThat(names).contains("installPackages", "kairosRelease", "cleanup", "install", "init").isSorted();
    assertThat(steps.get(0).has("description")).isTrue();
    assertThat(steps.get(0).has("phase")).isTrue();
  }

  @Test
  void badVersionStepModelAndStageAreUsageErrorsNamingTheValue() {
    String root = tmp.toString();
    assertUsage(new String[] {"init", "--root", root, "-v", "latest"}, "--version", "'latest'");
    assertUsage(new String[] {"init", "--root", root, "-v", "1", "--skip-step", "instal"}, "--skip-step", "'instal'");
    assertUsage(new String[] {"init", "--root", root, "-v", "1", "-m", "rpi9"}, "--model", "'rpi9'");
    assertUsage(new String[] {"init", "--root", root, "-v", "1", "-s", "both"}, "--stage", "'both'");
    assertUsage(new String[] {"build", "--from", "debian:12", "-v", "1", "-p", "k3s", "--provider-k3s-version", "1.2"},
        "--provider", "'1.2'");
    assertUsage(new String[] {"build", "--from", "debian:12", "-v", "1", "--arch", "sparc"}, "--arch", "'sparc'");
  }

  @Test
  void malformedReferencesAreUsageErrors() {
    assertUsage(new String[] {"pull", "Ubuntu:latest", "--to", tmp.toString()}, "'Ubuntu:latest'", "lower case");
    assertUsage(new String[] {"build", "--from", "debian:", "-v", "1"}, "--from", "'debian:'");
  }

  @Test
  void nameReadsKairosRelease() throws Exception {
    Files.createDirectories(tmp.resolve("etc"));
    Files.writeString(tmp.resolve("etc/kairos-release"), String.join("\n",
        "KAIROS_FAMILY=\"debian\"", "KAIROS_FLAVOR=\"debian\"", "KAIROS_FLAVOR_RELEASE=12",
        "KAIROS_MODEL=\"generic\"", "KAIROS_RELEASE=\"v1.0.0\"", "KAIROS_TARGETARCH=\"amd64\"",
        "KAIROS_ARCH=\"amd64\"", "KAIROS_VARIANT=\"core\"", ""));
    CliRunner r = CliRunner.run("name", "--root", tmp.toString());
    assertThat(r.exit()).isZero();
    assertThat(r.out()).isEqualTo("kairos-debian-12-core-amd64-generic-v1.0.0" + System.lineSeparator());
    JsonNode n = JSON.readTree(CliRunner.run("name", "--root", tmp.toString(), "--json").out());
    assertThat(n.get("name").asString()).isEqualTo("kairos-debian-12-core-amd64-generic-v1.0.0");
    assertThat(n.get("tag").asString()).isEqualTo("12-core-amd64-generic-v1.0.0");
  }

  @Test
  void nameOfANonKairosRootFailsNamingTheFile() {
    CliRunner r = CliRunner.run("name", "--root", tmp.toString());
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).contains("/etc/kairos-release");
  }

  @Test
  void initrdIsReproducibleAndReported() throws Exception {
    Path root = Files.createDirectories(tmp.resolve("root/etc"));
    Files.writeString(root.resolve("hostname"), "kairos\n");
    Path a = tmp.resolve("a.img");
    Path b = tmp.resolve("b.img");
    CliRunner first = CliRunner.run("initrd", "--root", tmp.resolve("root").toString(), "-o", a.toString(), "--json");
    CliRunner second = CliRunner.run("initrd", "--root", tmp.resolve("root").toString(), "-o", b.toString(),
        "--compression", "ZSTD", "--json");
    assertThat(first.exit()).as(first.err()).isZero();
    JsonNode n = JSON.readTree(first.out());
    assertThat(n.get("kind").asString()).isEqualTo("initrd");
    assertThat(n.get("size").asLong()).isEqualTo(Files.size(a)).isPositive();
    assertThat(n.get("digest").asString()).startsWith("sha256:")
        .isEqualTo(JSON.readTree(second.out()).get("digest").asString());
    assertThat(Files.readAllBytes(a)).isEqualTo(Files.readAllBytes(b));
    // zstd frame magic
    assertThat(Files.readAllBytes(a)).startsWith((byte) 0x28, (byte) 0xb5, (byte) 0x2f, (byte) 0xfd);
    assertUsage(new String[] {"initrd", "--root", root.toString(), "-o", a.toString(), "--compression", "rar"},
        "--compression", "rar");
  }

  /** An initrd written into the root it archives leaves itself, its temporary file and its lock out. */
  @Test
  void initrdInsideItsRootLeavesItselfOut() throws Exception {
    Path root = Files.createDirectories(tmp.resolve("root/boot"));
    Files.writeString(tmp.resolve("root/boot/config"), "x\n");
    Path out = root.resolve("initrd");
    Files.writeString(out, "the previous initrd, which must not be archived");
    CliRunner r = CliRunner.run("initrd", "--root", tmp.resolve("root").toString(), "-o", out.toString(),
        "--compression", "none");
    assertThat(r.exit()).as(r.err()).isZero();
    List<String> names = new ArrayList<>();
    try (var cpio = new org.apache.commons.compress.archivers.cpio.CpioArchiveInputStream(Files.newInputStream(out))) {
      for (var e = cpio.getNextEntry(); e != null; e = cpio.getNextEntry()) {
        names.add(e.getName());
      }
    }
    assertThat(names).contains("boot/config").noneMatch(n -> n.startsWith("boot/initrd") || n.startsWith("boot/.initrd"));
    try (var left = Files.list(root)) {
      assertThat(left.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("config", "initrd");
    }
  }

  @Test
  void netbootWritesTheFiveFilesWithTheKernelAndInitrdOfTheRoot() throws Exception {
    Path root = Files.createDirectories(tmp.resolve("nb-root/boot"));
    Files.writeString(root.resolve("vmlinuz-6.1.0-test"), "kernel bytes");
    Files.writeString(root.resolve("initrd.img-6.1.0-test"), "initrd bytes");
    Path out = tmp.resolve("netboot");
    CliRunner r = CliRunner.run("netboot", "--root", tmp.resolve("nb-root").toString(), "-o", out.toString(),
        "--base-url", "http://10.0.0.1:8080/", "--json");
    assertThat(r.exit()).as(r.err()).isZero();
    JsonNode files = JSON.readTree(r.out()).get("files");
    assertThat(files).hasSize(5);
    assertThat(out.resolve("kairos-kernel")).hasContent("kernel bytes");
    assertThat(out.resolve("kairos-initrd")).hasContent("initrd bytes");
    assertThat(out.resolve("kairos.ipxe")).content()
        .contains("kernel http://10.0.0.1:8080/kairos-kernel", "root=live:http://10.0.0.1:8080/kairos.squashfs");
    assertThat(Files.readAllBytes(out.resolve("kairos.squashfs"))).startsWith((byte) 'h', (byte) 's', (byte) 'q', (byte) 's');
    assertUsage(new String[] {"netboot", "--root", tmp.resolve("nb-root").toString(), "-o", out.toString(),
        "--base-url", "ftp://x"}, "ftp://x");
  }

  @Test
  void detectPrintsKairosReleaseKeysAndInitSystem() throws Exception {
    Files.createDirectories(tmp.resolve("etc"));
    Files.createDirectories(tmp.resolve("sbin"));
    Files.createDirectories(tmp.resolve("bin"));
    Files.writeString(tmp.resolve("etc/os-release"),
        "NAME=\"Alpine Linux\"\nID=alpine\nVERSION_ID=3.21.3\nPRETTY_NAME=\"Alpine Linux v3.21\"\n");
    Files.writeString(tmp.resolve("sbin/openrc"), "");
    // An aarch64 ELF header: the image's architecture comes from its own shell, not the host.
    byte[] elf = new byte[64];
    elf[0] = 0x7f;
    elf[1] = 'E';
    elf[2] = 'L';
    elf[3] = 'F';
    elf[4] = 2;
    elf[5] = 1;
    elf[18] = (byte) 183;
    Files.write(tmp.resolve("bin/sh"), elf);

    CliRunner r = CliRunner.run("detect", "--root", tmp.toString(), "--json");
    assertThat(r.exit()).as(r.err()).isZero();
    JsonNode n = JSON.readTree(r.out());
    assertThat(n.get("KAIROS_FLAVOR").asString()).isEqualTo("alpine");
    assertThat(n.get("KAIROS_FLAVOR_RELEASE").asString()).isEqualTo("3.21");
    assertThat(n.get("KAIROS_FAMILY").asString()).isEqualTo("alpine");
    assertThat(n.get("KAIROS_ARCH").asString()).isEqualTo("arm64");
    assertThat(n.get("INIT_SYSTEM").asString()).isEqualTo("openrc");
    assertThat(CliRunner.run("detect", "--root", tmp.toString()).out()).contains("KAIROS_FAMILY=alpine");
  }

  @Test
  void detectOfAnUnknownDistroListsTheSupportedOnes() throws Exception {
    Files.createDirectories(tmp.resolve("etc"));
    Files.writeString(tmp.resolve("etc/os-release"), "ID=plan9\n");
    CliRunner r = CliRunner.run("detect", "--root", tmp.toString());
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).contains("'plan9'", "debian", "alpine");
  }

  @Test
  void yipValidateReportsEveryFileWithPositions() throws Exception {
    Path typo = Files.writeString(tmp.resolve("10-typo.yaml"),
        "stages:\n  after-install:\n    - name: x\n      systctl:\n        a: b\n");
    Path bad = Files.writeString(tmp.resolve("20-bad.yaml"), "stages:\n  boot:\n    - files: 3\n");

    CliRunner lenient = CliRunner.run("yip", "validate", typo.toString(), "--json");
    assertThat(lenient.exit()).isZero();
    JsonNode n = JSON.readTree(lenient.out());
    assertThat(n.get("valid").asBoolean()).isTrue();
    JsonNode f = n.get("findings").get(0);
    assertThat(f.get("severity").asString()).isEqualTo("warning");
    assertThat(f.get("line").asInt()).isEqualTo(4);
    assertThat(f.get("message").asString()).contains("systctl");

    CliRunner both = CliRunner.run("yip", "validate", typo.toString(), bad.toString());
    assertThat(both.exit()).isEqualTo(1);
    assertThat(both.out()).contains("10-typo.yaml:4:", "20-bad.yaml:3:", "invalid");

    assertThat(CliRunner.run("yip", "validate", "--strict", typo.toString()).exit()).isEqualTo(1);
    assertThat(CliRunner.run("yip", "validate", tmp.resolve("none.yaml").toString()).exit()).isEqualTo(2);
  }

  private Path debianRoot() throws Exception {
    Files.createDirectories(tmp.resolve("etc"));
    Files.writeString(tmp.resolve("etc/os-release"),
        "ID=debian\nVERSION_ID=\"12\"\nPRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\n");
    return tmp;
  }

  @Test
  void initDryRunPrintsThePlanAndChangesNothing() throws Exception {
    Path root = debianRoot();
    CliRunner r = CliRunner.run("init", "--root", root.toString(), "-v", "1.0", "--skip-step", "grub", "--dry-run",
        "--json");
    assertThat(r.exit()).as(r.err()).isZero();
    JsonNode plan = JSON.readTree(r.out());
    assertThat(plan.get("distro").asString()).startsWith("debian 12");
    List<String> kernel = new ArrayList<>();
    plan.get("kernelPackages").forEach(k -> kernel.add(k.asString()));
    assertThat(kernel).contains("linux-image-amd64");
    JsonNode first = plan.get("steps").get(0);
    assertThat(first.get("name").asString()).isEqualTo("installPackages");
    assertThat(first.get("actions").toString()).contains("apt-get");
    boolean grubSkipped = false;
    for (JsonNode s : plan.get("steps")) {
      grubSkipped |= s.get("name").asString().equals("grub") && s.get("skipped").asBoolean();
    }
    assertThat(grubSkipped).isTrue();
    try (var files = Files.walk(root)) {
      assertThat(files.filter(Files::isRegularFile).toList()).containsExactly(root.resolve("etc/os-release"));
    }
    CliRunner human = CliRunner.run("init", "--root", root.toString(), "-v", "1.0", "--dry-run");
    assertThat(human.out()).contains("[install] installPackages", "version=v1.0.0");
  }

  @Test
  void validateReportsEveryFailureAndExitsOne() throws Exception {
    Path root = debianRoot();
    CliRunner r = CliRunner.run("validate", "--root", root.toString(), "--json");
    assertThat(r.exit()).isEqualTo(1);
    JsonNode n = JSON.readTree(r.out());
    assertThat(n.get("valid").asBoolean()).isFalse();
    assertThat(n.get("failures").toString()).contains("[FILES] file missing /boot/vmlinuz", "[RELEASE]", "[KERNEL]");
    assertThat(CliRunner.run("validate", "--root", root.toString()).out()).contains("FAIL [FILES]");
  }

  @Test
  void yipApplyWritesFilesAndDryRunDoesNot() throws Exception {
    Path root = debianRoot();
    Files.writeString(root.resolve("etc/passwd"), "root:x:0:0:root:/root:/bin/sh\n");
    Files.writeString(root.resolve("etc/group"), "root:x:0:\n");
    Path ext = Files.writeString(tmp.resolve("ext.yaml"), String.join("\n", "stages:", "  after-install:",
        "    - name: marker", "      files:", "        - path: /etc/marker", "          content: hello",
        "          permissions: 0600", ""));

    CliRunner dry = CliRunner.run("yip", "apply", "--root", root.toString(), "--stage", "after-install",
        ext.toString(), "--dry-run", "--json");
    assertThat(dry.exit()).as(dry.err()).isZero();
    assertThat(JSON.readTree(dry.out()).get("effects").toString()).contains("FILE_WRITTEN /etc/marker");
    assertThat(root.resolve("etc/marker")).doesNotExist();

    CliRunner real = CliRunner.run("yip", "apply", "--root", root.toString(), "--stage", "after-install", ext.toString());
    assertThat(real.exit()).as(real.err()).isZero();
    assertThat(root.resolve("etc/marker")).hasContent("hello");
    assertThat(real.out()).contains("ok: stage after-install");

    // Another stage of the same file does nothing.
    CliRunner other = CliRunner.run("yip", "apply", "--root", root.toString(), "--stage", "boot", ext.toString(), "--json");
    assertThat(JSON.readTree(other.out()).get("effects")).isEmpty();
  }

  @Test
  void yipApplyFailingStepExitsOneAndSaysWhy() throws Exception {
    Path root = debianRoot();
    Path ext = Files.writeString(tmp.resolve("ext.yaml"), String.join("\n", "stages:", "  init:",
        "    - name: enable", "      systemctl:", "        enable: [nosuchunit]", ""));
    CliRunner r = CliRunner.run("yip", "apply", "--root", root.toString(), "--stage", "init", ext.toString());
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.out()).contains("nosuchunit", "failed: stage init");
  }

  @Test
  void genkeyWritesTheKeySet() throws Exception {
    Path keys = tmp.resolve("keys");
    CliRunner r = CliRunner.run("genkey", "acme", "-o", keys.toString(), "--json");
    assertThat(r.exit()).as(r.err()).isZero();
    List<String> files = new ArrayList<>();
    JSON.readTree(r.out()).get("files").forEach(f -> files.add(f.asString()));
    assertThat(files).contains("PK.auth", "KEK.auth", "db.auth", "db.key", "db.pem", "db.esl");
    assertThat(keys.resolve("db.pem")).content().startsWith("-----BEGIN CERTIFICATE-----");
  }

  private static void assertUsage(String[] args, String... inMessage) {
    CliRunner r = CliRunner.run(args);
    assertThat(r.exit()).as(String.join(" ", args) + "\n" + r.err()).isEqualTo(2);
    assertThat(r.err()).contains(inMessage);
  }
}
