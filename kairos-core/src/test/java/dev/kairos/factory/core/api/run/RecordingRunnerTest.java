package dev.kairos.factory.core.api.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kairos.factory.core.api.CommandFailedException;
import dev.kairos.factory.core.api.event.KairosEvent;
import dev.kairos.factory.core.api.fs.ImagePath;
import dev.kairos.factory.core.api.fs.RootFs;
import dev.kairos.factory.core.testing.InMemoryRootFs;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RecordingRunnerTest {
  private final RootFs root = InMemoryRootFs.create();

  @Test
  void recordsEveryCallInOrderAndSucceedsByDefault() throws Exception {
    RecordingRunner runner = Runners.recording();
    CommandResult r1 = runner.run(root, Command.of("apt-get", "update"));
    runner.run(root, Command.shell("echo hi"));

    assertThat(r1.succeeded()).isTrue();
    assertThat(r1.outputTail()).isEmpty();
    assertThat(runner.argvs()).containsExactly(
        List.of("apt-get", "update"), List.of("/bin/sh", "-c", "echo hi"));
    assertThat(runner.calls().get(0).root()).isSameAs(root);
    runner.clearCalls();
    assertThat(runner.calls()).isEmpty();
  }

  @Test
  void matchesByProgramNameWhateverTheDirectory() throws Exception {
    RecordingRunner runner = Runners.recording().whenProgram("dpkg", RecordingRunner.Reply.exit(2, "broken"));
    assertThat(runner.run(root, Command.of("/usr/bin/dpkg", "-l")).exitCode()).isEqualTo(2);
    assertThat(runner.run(root, Command.of("dpkg-query", "-W")).exitCode()).isZero();
  }

  @Test
  void matchesByArgumentPrefixAndTheLastRuleWins() throws Exception {
    RecordingRunner runner = Runners.recording()
        .whenProgram("apt-get", RecordingRunner.Reply.ok("generic"))
        .whenPrefix(List.of("apt-get", "install"), RecordingRunner.Reply.exit(100, "E: Unable to locate package foo"));

    CommandResult install = runner.run(root, Command.of("/usr/bin/apt-get", "install", "-y", "foo"));
    CommandResult update = runner.run(root, Command.of("apt-get", "update"));
    CommandResult shortOne = runner.run(root, Command.of("apt-get"));

    assertThat(install.exitCode()).isEqualTo(100);
    assertThatThrownBy(install::requireSuccess).isInstanceOf(CommandFailedException.class)
        .hasMessageContaining("exit code 100").hasMessageContaining("Unable to locate package foo");
    assertThat(update.outputTail()).isEqualTo("generic");
    assertThat(shortOne.outputTail()).isEqualTo("generic");
  }

  @Test
  void responderMayChangeTheRootAndStreamsItsOutput() throws Exception {
    RecordingRunner runner = Runners.recording().when(c -> c.argv().contains("--kver"), (r, c) -> {
      r.writeString(ImagePath.of("/boot/initrd.img"), "initrd");
      return RecordingRunner.Reply.ok("line 1", "line 2");
    });
    List<KairosEvent> events = new ArrayList<>();
    CommandResult r = runner.run(root,
        Command.builder("dracut", "--kver", "6.1").output(events::add).build());

    assertThat(root.readString(ImagePath.of("/boot/initrd.img"))).isEqualTo("initrd");
    assertThat(events).containsExactly(
        new KairosEvent.CommandOutput(List.of("dracut", "--kver", "6.1"), "line 1"),
        new KairosEvent.CommandOutput(List.of("dracut", "--kver", "6.1"), "line 2"));
    assertThat(r.outputTail()).isEqualTo("line 1\nline 2");
  }

  @Test
  void tailKeepsTheLastFortyLinesAndTimeoutsAreReported() throws Exception {
    String[] lines = new String[100];
    for (int i = 0; i < lines.length; i++) {
      lines[i] = "l" + i;
    }
    RecordingRunner runner = Runners.recording()
        .whenProgram("noisy", RecordingRunner.Reply.exit(1, lines))
        .whenProgram("slow", RecordingRunner.Reply.timeout());
    String tail = runner.run(root, Command.of("noisy")).outputTail();
    assertThat(tail.split("\n")).hasSize(40).startsWith("l60").endsWith("l99");

    CommandResult slow = runner.run(root, Command.of("slow"));
    assertThat(slow.timedOut()).isTrue();
    assertThat(slow.exitCode()).isEqualTo(-1);
    assertThat(slow.succeeded()).isFalse();
  }

  @Test
  void rejectsMisuse() {
    RecordingRunner runner = Runners.recording();
    assertThatThrownBy(() -> runner.whenProgram("/usr/bin/x", RecordingRunner.Reply.ok()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("/usr/bin/x");
    assertThatThrownBy(() -> runner.whenPrefix(List.of(), RecordingRunner.Reply.ok()))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
