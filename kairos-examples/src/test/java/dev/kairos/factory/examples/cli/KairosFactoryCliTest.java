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

class KairosFactoryCliTest {
  @TempDir Path tmp;

  @Test
  void helpAndVersionExitZero() {
    CliRunner help = CliRunner.run("--help");
    assertThat(help.exit()).isZero();
    assertThat(help.out()).contains("Usage: kairos-factory", "build", "steps-info", "genkey", "Exit codes");
    CliRunner version = CliRunner.run("--version");
    assertThat(version.exit()).isZero();
    assertThat(version.out()).matches("kairos-factory \\S+\\s*");
    assertThat(CliRunner.run("build", "--help").out()).contains("--from=SRC", "--skip-step", "--oci-layout");
    assertThat(CliRunner.run("yip", "apply", "--help").exit()).isZero();
  }

  @Test
  void usageErrorsExitTwoAndNameTheProblem() {
    CliRunner none = CliRunner.run();
    assertThat(none.exit()).isEqualTo(2);
    assertThat(none.err()).contains("missing command");

    CliRunner unknown = CliRunner.run("frobnicate");
    assertThat(unknown.exit()).isEqualTo(2);
    assertThat(unknown.err()).contains("frobnicate");

    CliRunner noVersion = CliRunner.run("init", "--root", tmp.toString());
    assertThat(noVersion.exit()).isEqualTo(2);
    assertThat(noVersion.err()).contains("--version");
  }

  @Test
  void missingRootIsAUsageError() {
    Path missing = tmp.resolve("nope");
    for (String verb : new String[] {"validate", "detect", "name"}) {
      CliRunner r = CliRunner.run(verb, "--root", missing.toString());
      assertThat(r.exit()).as(verb).isEqualTo(2);
      assertThat(r.err()).as(verb).contains("'" + missing + "': no such directory");
    }
    CliRunner file = CliRunner.run("detect", "--root", tmp.resolve("f").toString());
    assertThat(file.exit()).isEqualTo(2);
  }

  @Test
  void everyVerbOnARootNamesAMissingOne() {
    String m = tmp.resolve("nope").toString();
    String o = tmp.resolve("out").toString();
    List<String[]> calls = List.of(
        new String[] {"init", "--root", m, "-v", "v1.0.0"},
        new String[] {"yip", "apply", "--root", m, "--stage", "boot", tmp.toString()},
        new String[] {"initrd", "--root", m, "-o", o},
        new String[] {"build-iso", "--root", m, "-o", o},
        new String[] {"build-uki", "--root", m, "-o", o, "--keys", tmp.toString()},
        new String[] {"build-disk", "--root", m, "-o", o},
        new String[] {"netboot", "--root", m, "-o", o},
        new String[] {"push", "--root", m, "--base", "dir:" + tmp, "127.0.0.1:5000/a/b:1"});
    for (String[] call : calls) {
      CliRunner r = CliRunner.run(call);
      assertThat(r.exit()).as(call[0]).isEqualTo(2);
      assertThat(r.err()).as(call[0]).contains("'" + m + "': no such directory");
    }
  }

  @Test
  void anUnreachableRegistryFailsNamingIt() {
    // Port 1 on the loopback: nothing listens, the connection is refused at once.
    String ref = "127.0.0.1:1/kairos/base:v1";
    List<String[]> calls = List.of(
        new String[] {"pull", ref, "--to", tmp.resolve("p").toString(), "--no-cache"},
        new String[] {"build", "--from", ref, "-v", "v1.0.0", "--work", tmp.resolve("w").toString(), "--no-cache"},
        new String[] {"push", "--root", tmp.toString(), "--base", "dir:" + tmp, ref});
    for (String[] call : calls) {
      CliRunner r = CliRunner.run(call);
      assertThat(r.exit()).as(call[0]).isEqualTo(1);
      assertThat(r.err()).as(call[0]).contains("kairos-factory: error: ", "127.0.0.1:1/kairos/base").doesNotContain("\tat ");
    }
  }

  @Test
  void buildRefusesBadVersionStepAndModelBeforeAnyWork() {
    String work = tmp.resolve("w").toString();
    String[][] bad = {
        {"-v", "latest", "'latest'"},
        {"--skip-step", "instal", "'instal'"},
        {"-m", "rpi9", "'rpi9'"},
        {"--efi-loader", "shim", "'shim': not one of auto, image-shim, host-grub"},
    };
    for (String[] b : bad) {
      List<String> args = new ArrayList<>(List.of("build", "--from", "debootstrap:bookworm", "--work", work));
      if (!b[0].equals("-v")) {
        args.addAll(List.of("-v", "v1.0.0"));
      }
      args.addAll(List.of(b[0], b[1]));
      CliRunner r = CliRunner.run(args.toArray(String[]::new));
      assertThat(r.exit()).as(b[1]).isEqualTo(2);
      assertThat(r.err()).as(b[1]).contains(b[2]);
    }
    assertThat(Files.exists(tmp.resolve("w"))).as("nothing written").isFalse();
  }

  @Test
  void rootThatIsAFileIsNamed() throws Exception {
    Path f = Files.writeString(tmp.resolve("f"), "x");
    CliRunner r = CliRunner.run("initrd", "--root", f.toString(), "-o", tmp.resolve("i").toString());
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("'" + f + "': not a directory");
  }

  @Test
  void malformedSourceIsAUsageError() {
    CliRunner r = CliRunner.run("build", "--from", "debootstrap:Bookworm", "--version", "v1.0.0");
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("--from", "'Bookworm'");
    CliRunner pull = CliRunner.run("pull", "https://example.org/x", "--to", tmp.toString());
    assertThat(pull.exit()).isEqualTo(2);
    assertThat(pull.err()).contains("'https://example.org/x'");
  }

  @Test
  void providerOptionsExistOnlyForNamedProviders() {
    CliRunner unknown = CliRunner.run("init", "--root", tmp.toString(), "-v", "1",
        "--provider-k3s-version", "v1.31.1+k3s1");
    assertThat(unknown.exit()).isEqualTo(2);
    assertThat(unknown.err()).contains("--provider-k3s-version");
    assertThat(InitOptions.providerNames(new String[] {"-p", "k3s,k0s", "--provider=x", "-pk9s"}))
        .containsExactly("k3s", "k0s", "x", "k9s");
  }

  @Test
  void jsonErrorHasErrorAndType() throws Exception {
    // An empty directory has no os-release: detection fails, and says so in both streams.
    CliRunner r = CliRunner.run("detect", "--root", tmp.toString(), "--json");
    assertThat(r.exit()).isEqualTo(1);
    JsonNode n = JsonMapper.builder().build().readTree(r.out());
    assertThat(n.get("error").asString()).isNotEmpty();
    assertThat(n.get("type").asString()).isNotEmpty();
    assertThat(r.err()).startsWith("kairos-factory: error: ");
  }
}
