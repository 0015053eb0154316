package dev.kairos.factory.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kairos.factory.core.api.fs.ImagePath;
import dev.kairos.factory.core.api.fs.RootFs;
import dev.kairos.factory.core.testing.ElfStub;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * kairos-init's flags as the command line parses them, on real arguments and real directories:
 * {@code init --dry-run} prints the options in effect and the plan, which is what these check.
 */
class InitOptionsTest {
  private static final JsonMapper JSON = JsonMapper.builder().build();
  static final int EM_X86_64 = ElfStub.EM_X86_64;
  static final int EM_AARCH64 = ElfStub.EM_AARCH64;
  static final int EM_RISCV = ElfStub.EM_RISCV;
  @TempDir Path tmp;

  /** A Debian root whose /bin/sh is an ELF executable for {@code machine} (its first 64 bytes: enough to tell). */
  static Path debianRoot(Path dir, int machine) throws IOException {
    Files.createDirectories(dir.resolve("etc"));
    Files.writeString(dir.resolve("etc/os-release"),
        "ID=debian\nVERSION_ID=\"12\"\nPRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\n");
    ElfStub.write(RootFs.at(dir), ImagePath.of("/usr/bin/dash"), machine);
    Files.createSymbolicLink(dir.resolve("bin"), Path.of("usr/bin"));
    Files.createSymbolicLink(dir.resolve("usr/bin/sh"), Path.of("dash"));
    return dir;
  }

  private CliRunner dryRun(Path root, String... flags) {
    List<String> args = new ArrayList<>(List.of("init", "--root", root.toString(), "-v", "1.0", "--dry-run"));
    args.addAll(List.of(flags));
    return CliRunner.run(args.toArray(String[]::new));
  }

  private static JsonNode step(JsonNode plan, String name) {
    for (JsonNode s : plan.get("steps")) {
      if (s.get("name").asString().equals(name)) {
        return s;
      }
    }
    throw new AssertionError("no step " + name + " in " + plan);
  }

  @Test
  void anEmptyProviderMeansACoreImage() throws Exception {
    Path root = debianRoot(tmp.resolve("r"), EM_X86_64);
    for (String[] flags : List.of(new String[] {"-p", ""}, new String[] {"--provider="}, new String[] {"-p="})) {
      CliRunner r = dryRun(root, flags);
      assertThat(r.exit()).as(String.join(" ", flags) + ": " + r.err()).isZero();
      assertThat(r.out()).as(String.join(" ", flags)).contains("providers=[]");
    }
    // Beside a real provider, the empty one is dropped too (and k3s still needs its binaries).
    CliRunner k3s = dryRun(root, "-p", "", "-p", "k3s");
    assertThat(k3s.exit()).isEqualTo(2);
    assertThat(k3s.err()).contains("Invalid value for option '--provider': provider k3s");
  }

  @Test
  void trustedTakesKairosInitSpellings() throws Exception {
    Path root = debianRoot(tmp.resolve("r"), EM_X86_64);
    for (String on : List.of("true", "1", "TRUE", "True")) {
      CliRunner r = dryRun(root, "-t", on);
      assertThat(r.exit()).as(on + ": " + r.err()).isZero();
      assertThat(r.out()).as(on).contains("trusted=true");
      assertThat(r.err()).as(on).doesNotContain("warning");
    }
    for (String off : List.of("false", "0", "FALSE", "f")) {
      CliRunner r = dryRun(root, "-t", off);
      assertThat(r.exit()).as(off + ": " + r.err()).isZero();
      assertThat(r.out()).as(off).contains("trusted=false");
      assertThat(r.err()).as(off).doesNotContain("warning");
    }
    // kairos-init reads anything else as false; we do too, and say so.
    for (String odd : List.of("yes", "t", "on")) {
      CliRunner r = dryRun(root, "--trusted=" + odd);
      assertThat(r.exit()).as(odd + ": " + r.err()).isZero();
      assertThat(r.out()).as(odd).contains("trusted=false");
      assertThat(r.err()).as(odd).contains("warning: --trusted '" + odd + "' means false");
    }
    assertThat(dryRun(root, "-t").out()).as("alone").contains("trusted=true");
  }

  @Test
  void aRepeatedSkipStepReplacesTheEarlierOne() throws Exception {
    Path root = debianRoot(tmp.resolve("r"), EM_X86_64);
    CliRunner r = dryRun(root, "--skip-step", "grub,branding", "--skip-step", "miscellaneous", "--json");
    assertThat(r.exit()).as(r.err()).isZero();
    JsonNode plan = JSON.readTree(r.out());
    assertThat(step(plan, "miscellaneous").get("skipped").asBoolean()).isTrue();
    assertThat(step(plan, "grub").get("skipped").asBoolean()).as("replaced, as kairos-init does").isFalse();
    assertThat(step(plan, "branding").get("skipped").asBoolean()).isFalse();
    assertThat(CliRunner.run("init", "--help").out()).contains("repeated --skip-step", "replaces");
  }

  @Test
  void combinationErrorsNameTheirOptionInCommandLineTerms() throws Exception {
    Path amd64 = debianRoot(tmp.resolve("amd64"), EM_X86_64);
    CliRunner rpi = dryRun(amd64, "-m", "rpi4");
    assertThat(rpi.exit()).isEqualTo(2);
    assertThat(rpi.err()).contains("Invalid value for option '--model': model rpi4 requires arm64 but the target"
        + " architecture is amd64 (the image's)", "--arch arm64").doesNotContain("arch(", "Architecture.", "'--version'");

    Path riscv = debianRoot(tmp.resolve("riscv"), EM_RISCV);
    CliRunner fips = dryRun(riscv, "--fips");
    assertThat(fips.exit()).isEqualTo(2);
    assertThat(fips.err()).contains("Invalid value for option '--fips': FIPS is not supported on riscv64")
        .doesNotContain("'--version'");

    CliRunner provider = dryRun(amd64, "-p", "k3s", "--provider-k3s-version", "v1.31.1+k3s1");
    assertThat(provider.exit()).isEqualTo(2);
    assertThat(provider.err()).contains("Invalid value for option '--provider': provider k3s", "--provider-k3s-from")
        .doesNotContain("FrameworkSource", "'--version'");

    // An explicit --arch that contradicts the model is named the same way.
    CliRunner arch = dryRun(debianRoot(tmp.resolve("arm64"), EM_AARCH64), "-m", "rpi4", "--arch", "amd64");
    assertThat(arch.exit()).isEqualTo(2);
    assertThat(arch.err()).contains("'--model'", "requires arm64 but the target architecture is amd64;");
  }

  @Test
  void theArchitectureIsTheImagesOwn() throws Exception {
    Path arm64 = debianRoot(tmp.resolve("arm64"), EM_AARCH64);
    CliRunner r = dryRun(arm64, "--json");
    assertThat(r.exit()).as(r.err()).isZero();
    List<String> kernel = new ArrayList<>();
    JSON.readTree(r.out()).get("kernelPackages").forEach(k -> kernel.add(k.asString()));
    assertThat(kernel).contains("linux-image-arm64").doesNotContain("linux-image-amd64");
    assertThat(dryRun(arm64).out()).contains("arch=arm64");
    // A board model for arm64 needs no --arch on an arm64 image.
    CliRunner rpi = dryRun(arm64, "-m", "rpi4");
    assertThat(rpi.exit()).as(rpi.err()).isZero();
    // --arch still wins.
    assertThat(dryRun(arm64, "--arch", "amd64").out()).contains("arch=amd64");
  }

  @Test
  void traceRunsDracutVerbose() throws Exception {
    Path root = debianRoot(tmp.resolve("r"), EM_X86_64);
    String k = "6.1.0-28-amd64";
    Files.createDirectories(root.resolve("lib/modules/" + k + "/kernel"));
    Files.createDirectories(root.resolve("boot"));
    Files.writeString(root.resolve("boot/vmlinuz-" + k), "kernel");
    CliRunner trace = dryRun(root, "-s", "init", "-l", "trace", "--json");
    assertThat(trace.exit()).as(trace.err()).isZero();
    assertThat(step(JSON.readTree(trace.out()), "initrd").get("actions").toString())
        .contains("dracut -v --reproducible");
    CliRunner info = dryRun(root, "-s", "init", "--log-level", "info", "--json");
    assertThat(step(JSON.readTree(info.out()), "initrd").get("actions").toString())
        .contains("dracut --reproducible").doesNotContain("dracut -v");
    assertThat(dryRun(root, "--level", "debug").out()).contains("level=debug");
    CliRunner bad = dryRun(root, "-l", "loud");
    assertThat(bad.exit()).isEqualTo(2);
    assertThat(bad.err()).contains("'--level'", "'loud'");
  }

  @Test
  void buildChecksTheModelAgainstTheBaseOnceItIsUnpacked() throws Exception {
    Path arm64 = debianRoot(tmp.resolve("arm64"), EM_AARCH64);
    CliRunner ok = CliRunner.run("build", "--from", "dir:" + arm64, "-v", "1", "-m", "rpi4", "--dry-run",
        "--work", tmp.resolve("w1").toString(), "--no-cache");
    assertThat(ok.exit()).as(ok.err()).isZero();
    assertThat(ok.out()).contains("arch=arm64", "model=rpi4");

    Path amd64 = debianRoot(tmp.resolve("amd64"), EM_X86_64);
    CliRunner bad = CliRunner.run("build", "--from", "dir:" + amd64, "-v", "1", "-m", "rpi4", "--dry-run",
        "--work", tmp.resolve("w2").toString(), "--no-cache");
    assertThat(bad.exit()).isEqualTo(2);
    assertThat(bad.err()).contains("Invalid value for option '--model': model rpi4 requires arm64 but the target"
        + " architecture is amd64 (the image's)", "--arch arm64").doesNotContain("Architecture.");
  }
}
