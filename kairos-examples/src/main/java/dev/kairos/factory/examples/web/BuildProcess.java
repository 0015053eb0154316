package dev.kairos.factory.examples.web;

import dev.kairos.factory.core.api.event.EventListener;
import dev.kairos.factory.core.api.event.KairosEvent;
import dev.kairos.factory.examples.cli.KairosFactoryCli;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * One build of the server, in a JVM of its own: {@code kairos-factory build ARGS}, run through the
 * CLI's own code, its log on standard error and its progress as JSON lines on standard output,
 * ending with {@code {"type":"result","exit":N,"result":{...}}}.
 *
 * <p>A child process, so that cancelling a build is what stopping the CLI is: SIGTERM, whose
 * shutdown hook stops the build's sandboxed commands and unmounts what it mounted. The server
 * holds the child's standard input open; when it closes (the server died, even by SIGKILL), the
 * child exits the same way, so no build outlives its server.
 */
public final class BuildProcess {
  /** Progress of one task at most this often, plus its last. */
  private static final long PROGRESS_NANOS = 250_000_000L;
  /** How the pipeline's step cache names a step it restored in its cache hit ({@code "step installPackages"}). */
  private static final String RESTORED_STEP = "step ";

  private BuildProcess() {}

  /** Runs {@code kairos-factory ARGS}, as described above, and exits with its exit code. */
  public static void main(String[] args) {
    Thread watch = new Thread(() -> {
      try {
        while (System.in.read() >= 0) {
          // nothing is sent; only the end of the input matters
        }
      } catch (IOException e) {
        // as closed
      }
      System.exit(143);
    }, "server-watch");
    watch.setDaemon(true);
    watch.start();
    PrintStream lines = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    StringWriter result = new StringWriter();
    PrintWriter err = new PrintWriter(System.err, true, StandardCharsets.UTF_8);
    int exit = KairosFactoryCli.execute(new PrintWriter(result), err, listener(lines), args);
    Map<String, Object> end = new LinkedHashMap<>();
    end.put("type", "result");
    end.put("exit", exit);
    String text = result.toString().strip();
    JsonNode parsed = null;
    if (text.startsWith("{")) {
      try {
        parsed = Api.JSON.readTree(text);
      } catch (RuntimeException e) {
        err.println("kairos-factory web: the build's result is not JSON: " + e.getMessage());
      }
    }
    end.put("result", parsed);
    synchronized (lines) {
      lines.println(Api.json(end));
    }
    err.flush();
    System.exit(exit);
  }

  /** The events as JSON lines; command output stays in the log, progress is thinned out. */
  static EventListener listener(PrintStream lines) {
    Map<String, Long> lastProgress = new HashMap<>();
    return event -> {
      Map<String, Object> m = eventJson(event, lastProgress);
      if (m != null) {
        synchronized (lines) {
          lines.println(Api.json(m));
        }
      }
    };
  }

  static Map<String, Object> eventJson(KairosEvent event, Map<String, Long> lastProgress) {
    Map<String, Object> m = new LinkedHashMap<>();
    if (event instanceof KairosEvent.StepStarted s) {
      m.put("type", "stepStarted");
      m.put("step", s.step());
      m.put("description", s.description());
    } else if (event instanceof KairosEvent.StepFinished s) {
      m.put("type", "stepFinished");
      m.put("step", s.step());
      m.put("seconds", s.took().toNanos() / 1e9);
      m.put("skipped", s.skipped());
    } else if (event instanceof KairosEvent.Progress p) {
      long now = System.nanoTime();
      Long last = lastProgress.get(p.task());
      if (p.done() != p.total() && last != null && now - last < PROGRESS_NANOS) {
        return null;
      }
      lastProgress.put(p.task(), now);
      m.put("type", "progress");
      m.put("task", p.task());
      m.put("done", p.done());
      m.put("total", p.total());
      m.put("unit", p.unit().name().toLowerCase(java.util.Locale.ROOT));
    } else if (event instanceof KairosEvent.CacheHit c) {
      m.put("type", "cacheHit");
      m.put("what", c.what());
      m.put("key", c.key());
      if (c.what().startsWith(RESTORED_STEP)) { // a step the step cache restored instead of running it
        m.put("step", c.what().substring(RESTORED_STEP.length()));
      }
    } else if (event instanceof KairosEvent.Log l) {
      m.put("type", "log");
      m.put("level", l.level().name().toLowerCase(java.util.Locale.ROOT));
      m.put("message", l.message());
    } else {
      return null; // command output: in the log
    }
    return m;
  }
}
