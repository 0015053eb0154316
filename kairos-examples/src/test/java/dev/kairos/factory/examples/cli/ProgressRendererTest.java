package dev.kairos.factory.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kairos.factory.core.api.event.KairosEvent;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ProgressRendererTest {
  private final StringWriter text = new StringWriter();
  private final AtomicLong clock = new AtomicLong();

  private ProgressRenderer renderer(boolean terminal, boolean verbose) {
    return new ProgressRenderer(new PrintWriter(text), terminal, verbose, clock::get);
  }

  @Test
  void barShowsFractionAndAmounts() {
    assertThat(ProgressRenderer.bar(new KairosEvent.Progress("pull", 12L << 20, 24L << 20)))
        .isEqualTo("    pull [###############---------------]  50%  12.0 MiB / 24.0 MiB");
    assertThat(ProgressRenderer.bar(new KairosEvent.Progress("unpack", 1536, -1)))
        .isEqualTo("    unpack 1.5 KiB");
  }

  @Test
  void fileAndLayerCountsAreCountedNotShownAsBytes() {
    assertThat(ProgressRenderer.bar(new KairosEvent.Progress("copy /srv/base", 8912, -1, KairosEvent.Progress.Unit.FILES)))
        .isEqualTo("    copy /srv/base 8,912 files");
    assertThat(ProgressRenderer.bar(new KairosEvent.Progress("unpack img", 1, 3, KairosEvent.Progress.Unit.LAYERS)))
        .isEqualTo("    unpack img [##########--------------------]  33%  1 layer / 3 layers");
    ProgressRenderer r = renderer(false, false);
    r.onEvent(new KairosEvent.Progress("copy /srv/base", 8912, 8912, KairosEvent.Progress.Unit.FILES));
    assertThat(text.toString()).isEqualTo("    copy /srv/base: 8,912 files done\n");
  }

  @Test
  void terminalRedrawsOneLineAndThrottles() {
    ProgressRenderer r = renderer(true, false);
    r.onEvent(new KairosEvent.StepStarted("installPackages", "base packages"));
    r.onEvent(new KairosEvent.Progress("pull", 0, 100));
    r.onEvent(new KairosEvent.Progress("pull", 0, 100)); // same percent, no time passed: not drawn
    clock.addAndGet(200_000_000L);
    r.onEvent(new KairosEvent.Progress("pull", 50, 100));
    r.onEvent(new KairosEvent.Progress("pull", 100, 100));
    String s = text.toString();
    assertThat(s).startsWith("==> installPackages: base packages\n");
    assertThat(s.split("\r", -1)).hasSize(4); // three draws
    assertThat(s).contains(" 50%").endsWith("100%  100 B / 100 B\n");
  }

  @Test
  void pipesGetOneLinePerFinishedTaskAndNoEscapes() {
    ProgressRenderer r = renderer(false, false);
    for (long i = 0; i <= 10; i++) {
      r.onEvent(new KairosEvent.Progress("push", i * 1024, 10 * 1024));
    }
    r.onEvent(new KairosEvent.StepFinished("grub", Duration.ofMillis(5), true));
    r.onEvent(new KairosEvent.CommandOutput(List.of("apt-get"), "Setting up"));
    r.onEvent(new KairosEvent.Log(KairosEvent.Level.WARN, "no framework"));
    r.onEvent(new KairosEvent.Log(KairosEvent.Level.DEBUG, "hidden"));
    assertThat(text.toString())
        .isEqualTo("    push: 10.0 KiB done\n    grub skipped\n    warn: no framework\n");
  }

  @Test
  void aTopLevelStepEndsWithItsTimeANestedOneOnlyWhenVerbose() {
    for (boolean verbose : new boolean[] {false, true}) {
      text.getBuffer().setLength(0);
      ProgressRenderer r = renderer(false, verbose);
      r.onEvent(new KairosEvent.StepStarted("extensions:init", ""));
      r.onEvent(new KairosEvent.StepStarted("/ext.yaml.0", "yip init step"));
      r.onEvent(new KairosEvent.StepFinished("/ext.yaml.0", Duration.ofMillis(200), false));
      r.onEvent(new KairosEvent.StepFinished("extensions:init", Duration.ofMillis(300), false));
      r.onEvent(new KairosEvent.StepStarted("installPackages", "base packages"));
      r.onEvent(new KairosEvent.StepFinished("installPackages", Duration.ofMillis(63_240), false));
      assertThat(text.toString()).isEqualTo("==> extensions:init\n==> /ext.yaml.0: yip init step\n"
          + (verbose ? "    /ext.yaml.0 done in 0.2 s\n" : "") + "==> extensions:init 0.3 s\n"
          + "==> installPackages: base packages\n==> installPackages 63.2 s\n");
    }
  }

  @Test
  void verboseShowsCommandOutputAndTimings() {
    ProgressRenderer r = renderer(false, true);
    r.onEvent(new KairosEvent.CommandOutput(List.of("apt-get"), "Setting up"));
    r.onEvent(new KairosEvent.StepFinished("kernel", Duration.ofMillis(1500), false));
    assertThat(text.toString()).isEqualTo("    | Setting up\n    kernel done in 1.5 s\n");
  }
}
