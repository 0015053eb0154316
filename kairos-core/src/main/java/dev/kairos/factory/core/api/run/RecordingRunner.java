package dev.kairos.factory.core.api.run;

import dev.kairos.factory.core.api.event.KairosEvent;
import dev.kairos.factory.core.api.fs.RootFs;
import dev.kairos.factory.core.internal.run.OutputPump;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * A runner for unit tests: runs nothing, records every call and answers with scripted replies.
 * Unless a rule matches, a command succeeds with no output. Rules match by program name (the last
 * component of {@code argv[0]}, so {@code "apt-get"} matches {@code /usr/bin/apt-get}), by
 * argument prefix, or by any predicate; the rule added last wins. A {@link Responder} may also
 * change the root, to stand in for what the real program would have written. Thread-safe.
 *
 * <pre>{@code
 * RecordingRunner runner = Runners.recording()
 *     .whenProgram("dpkg-query", Reply.ok("linux-image-amd64"))
 *     .whenPrefix(List.of("apt-get", "install"), Reply.exit(100, "E: Unable to locate package"))
 *     .whenProgram("dracut", (root, cmd) -> {
 *       root.write(ImagePath.of("/boot/initrd.img"), new byte[0]);
 *       return Reply.ok();
 *     });
 * // ... run the code under test with it, then:
 * assertThat(runner.argvs()).containsExactly(List.of("dpkg-query", "-W"), ...);
 * }</pre>
 */
public final class RecordingRunner implements CommandRunner {
  /**
   * One recorded call.
   *
   * @param root the root the command was run against
   * @param command the command
   */
  public record Call(RootFs root, Command command) {
    /** Checks that both parts are given. */
    public Call {
      Objects.requireNonNull(root, "root");
      Objects.requireNonNull(command, "command");
    }

    /** The recorded command's program and arguments. */
    public List<String> argv() {
      return command.argv();
    }
  }

  /**
   * A scripted answer: the exit code, whether to report a timeout, and the output lines.
   *
   * @param exitCode the exit code to report
   * @param timedOut whether to report a timeout
   * @param output the output lines, sent to the command's listener; the last ones become the result's tail
   */
  public record Reply(int exitCode, boolean timedOut, List<String> output) {
    /** Copies the output lines. */
    public Reply {
      output = List.copyOf(output);
    }

    /** Exit 0 with these output lines. */
    public static Reply ok(String... output) {
      return new Reply(0, false, List.of(output));
    }

    /** Exit {@code code} with these output lines. */
    public static Reply exit(int code, String... output) {
      return new Reply(code, false, List.of(output));
    }

    /** A timeout, reported as exit code -1, as a real runner reports it. */
    public static Reply timeout(String... output) {
      return new Reply(-1, true, List.of(output));
    }
  }

  /** Answers a call; may read or change {@code root} as the real program would. */
  @FunctionalInterface
  public interface Responder {
    /**
     * The reply to {@code command}, run against {@code root}.
     *
     * @throws IOException when changing the root fails; the runner's {@code run} throws it
     */
    Reply respond(RootFs root, Command command) throws IOException;
  }

  private record Rule(Predicate<Command> matcher, Responder responder) {}

  private final List<Rule> rules = new ArrayList<>();
  private final List<Call> calls = new ArrayList<>();

  RecordingRunner() {}

  @Override
  public String name() {
    return "recording";
  }

  /** Answers commands whose program (file name of {@code argv[0]}) is {@code program}. */
  public RecordingRunner whenProgram(String program, Reply reply) {
    return whenProgram(program, (root, cmd) -> reply);
  }

  /** Answers commands whose program (file name of {@code argv[0]}) is {@code program}. */
  public RecordingRunner whenProgram(String program, Responder responder) {
    if (program == null || program.isEmpty() || program.contains("/")) {
      throw new IllegalArgumentException("program must be a bare name such as 'apt-get', got: " + program);
    }
    return when(cmd -> programOf(cmd).equals(program), responder);
  }

  /** Answers commands whose arguments start with {@code prefix} ({@code argv[0]} compared by file name). */
  public RecordingRunner whenPrefix(List<String> prefix, Reply reply) {
    if (prefix.isEmpty()) {
      throw new IllegalArgumentException("the argument prefix must not be empty");
    }
    List<String> p = List.copyOf(prefix);
    String program = p.get(0).substring(p.get(0).lastIndexOf('/') + 1);
    return when(cmd -> cmd.argv().size() >= p.size()
        && programOf(cmd).equals(program)
        && cmd.argv().subList(1, p.size()).equals(p.subList(1, p.size())), (root, cmd) -> reply);
  }

  /** Answers commands that {@code matcher} accepts. */
  public synchronized RecordingRunner when(Predicate<Command> matcher, Responder responder) {
    rules.add(new Rule(Objects.requireNonNull(matcher, "matcher"), Objects.requireNonNull(responder, "responder")));
    return this;
  }

  @Override
  public CommandResult run(RootFs root, Command command) throws IOException {
    Responder responder = (r, c) -> Reply.ok();
    synchronized (this) {
      calls.add(new Call(root, command));
      for (int i = rules.size() - 1; i >= 0; i--) {
        if (rules.get(i).matcher().test(command)) {
          responder = rules.get(i).responder();
          break;
        }
      }
    }
    Reply reply = Objects.requireNonNull(responder.respond(root, command), "responder returned null for " + command);
    for (String line : reply.output()) {
      command.output().onEvent(new KairosEvent.CommandOutput(command.argv(), line));
    }
    List<String> out = reply.output();
    String tail = String.join("\n", out.subList(Math.max(0, out.size() - OutputPump.TAIL_LINES), out.size()));
    return new CommandResult(command.argv(), reply.exitCode(), reply.timedOut(), tail, Duration.ZERO);
  }

  /** Every call so far, in order. */
  public synchronized List<Call> calls() {
    return List.copyOf(calls);
  }

  /** The argument vectors of every call so far, in order. */
  public synchronized List<List<String>> argvs() {
    return calls.stream().map(Call::argv).toList();
  }

  /** Forgets the recorded calls; the rules stay. */
  public synchronized void clearCalls() {
    calls.clear();
  }

  private static String programOf(Command cmd) {
    String p = cmd.argv().get(0);
    return p.substring(p.lastIndexOf('/') + 1);
  }
}
