package dev.kairos.factory.core.internal.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kairos.factory.core.api.SourceDate;
import dev.kairos.factory.core.api.run.Command;
import dev.kairos.factory.core.api.run.RecordingRunner;
import dev.kairos.factory.core.api.run.Runners;
import dev.kairos.factory.core.testing.InMemoryRootFs;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class SourceDateRunnerTest {
  @Test
  void addsTheSourceDateUnlessTheCommandSetsItsOwn() throws Exception {
    RecordingRunner recording = Runners.recording();
    SourceDateRunner runner = new SourceDateRunner(recording, SourceDate.of(Instant.ofEpochSecond(1_234_567_890L)));
    var root = InMemoryRootFs.create();

    runner.run(root, Command.builder("dracut", "-f").env("LANG", "C").build()).requireSuccess();
    runner.run(root, Command.builder("make").env("SOURCE_DATE_EPOCH", "42").build()).requireSuccess();

    assertThat(recording.calls().get(0).command().env())
        .containsEntry("SOURCE_DATE_EPOCH", "1234567890").containsEntry("LANG", "C");
    assertThat(recording.calls().get(0).command().argv()).containsExactly("dracut", "-f");
    assertThat(recording.calls().get(1).command().env()).containsEntry("SOURCE_DATE_EPOCH", "42");
    assertThat(runner.name()).isEqualTo("recording");
  }

  @Test
  void theEpochBecomesDayOneSoThatNoAccountMustChangeItsPassword() throws Exception {
    RecordingRunner recording = Runners.recording();
    new SourceDateRunner(recording, SourceDate.of(Instant.EPOCH)).run(InMemoryRootFs.create(), Command.of("systemd-sysusers"));
    assertThat(recording.calls().get(0).command().env()).containsEntry("SOURCE_DATE_EPOCH", "86400");
  }
}
