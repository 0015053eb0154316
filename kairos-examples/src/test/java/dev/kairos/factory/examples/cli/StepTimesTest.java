package dev.kairos.factory.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kairos.factory.core.api.event.KairosEvent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class StepTimesTest {
  @TempDir Path tmp;

  private static KairosEvent started(String step) {
    return new KairosEvent.StepStarted(step, "");
  }

  private static KairosEvent finished(String step, long millis) {
    return new KairosEvent.StepFinished(step, Duration.ofMillis(millis), false);
  }

  @Test
  void countsTopLevelStepsOnlyAndRanksTheSlowest() {
    StepTimes t = new StepTimes();
    t.onEvent(started("installPackages"));
    t.onEvent(new KairosEvent.Progress("pull", 1, 2));
    t.onEvent(finished("installPackages", 63_240));
    t.onEvent(new KairosEvent.StepFinished("installKernel", Duration.ZERO, true)); // skipped: never started
    t.onEvent(started("extensions:after-install"));
    t.onEvent(started("/etc/ext.yaml.0")); // a yip step inside the stage: counted in the stage
    t.onEvent(finished("/etc/ext.yaml.0", 9_000));
    t.onEvent(finished("extensions:after-install", 9_100));
    t.onEvent(started("initrd"));
    t.onEvent(finished("initrd", 41_000));
    for (String s : new String[] {"grub", "branding", "services", "cleanup"}) {
      t.onEvent(started(s));
      t.onEvent(finished(s, s.length()));
    }

    assertThat(t.steps()).extracting(StepTimes.Timed::step).containsExactly("installPackages", "installKernel",
        "extensions:after-install", "initrd", "grub", "branding", "services", "cleanup");
    assertThat(t.slowest(3)).extracting(StepTimes.Timed::step)
        .containsExactly("installPackages", "initrd", "extensions:after-install");
    assertThat(t.summary()).isEqualTo(
        "installPackages 63.2 s, initrd 41.0 s, extensions:after-install 9.1 s, branding 0.0 s, services 0.0 s");
    assertThat(t.json().get(0)).containsEntry("step", "installPackages").containsEntry("seconds", 63.24)
        .containsEntry("skipped", false);
    assertThat(t.json().get(1)).containsEntry("step", "installKernel").containsEntry("seconds", 0.0)
        .containsEntry("skipped", true);
  }

  @Test
  void anEndWithoutItsStartIsNotCounted() {
    StepTimes t = new StepTimes();
    t.onEvent(finished("kernel", 1500));
    assertThat(t.steps()).isEmpty();
    assertThat(t.summary()).isEmpty();
  }

  /** {@code init} on a real directory, with the steps that need a package manager or units skipped. */
  private CliRunner init(String name, String... extra) throws Exception {
    Path root = Files.createDirectories(tmp.resolve(name).resolve("etc")).getParent();
    Files.writeString(root.resolve("etc/os-release"), "ID=debian\nVERSION_ID=\"12\"\n");
    List<String> args = new ArrayList<>(List.of("init", "--root", root.toString(), "-v", "v1.0.0", "-p", "",
        "--no-cache", "--skip-step", "installPackages,installKernel,kernel,initrd,services,cleanup"));
    args.addAll(List.of(extra));
    CliRunner r = CliRunner.run(args.toArray(String[]::new));
    assertThat(r.exit()).as(r.err()).isZero();
    return r;
  }

  @Test
  void theCliPrintsEachStepsTimeAsItEndsTheSlowestAtTheEndAndEveryStepInJson() throws Exception {
    CliRunner human = init("human");
    assertThat(human.err()).containsPattern("(?m)^==> branding [0-9]+\\.[0-9] s$")
        .containsPattern("(?m)^==> workarounds [0-9]+\\.[0-9] s$").contains("    installKernel skipped\n")
        .doesNotContainPattern("(?m)^==> installKernel [0-9]");
    assertThat(human.out()).containsPattern("(?m)^slowest: [a-zA-Z]+ [0-9]+\\.[0-9] s(, [a-zA-Z]+ [0-9]+\\.[0-9] s){4}$");

    JsonNode steps = JsonMapper.builder().build().readTree(init("json", "--json").out()).get("steps");
    List<String> names = new ArrayList<>();
    steps.forEach(s -> names.add(s.get("step").asString() + (s.get("skipped").asBoolean() ? " skipped" : "")));
    assertThat(names).containsExactly("installPackages skipped", "installKernel skipped", "branding", "grub",
        "miscellaneous", "cloudconfigs", "kairosBinaries", "providerBinaries", "buildProvider", "kairosRelease",
        "kernel skipped", "initramfsConfigs", "initrd skipped", "services skipped", "sshHardening", "workarounds",
        "cleanup skipped");
    steps.forEach(s -> assertThat(s.get("seconds").asDouble()).isGreaterThanOrEqualTo(0).isLessThan(60));
  }
}
