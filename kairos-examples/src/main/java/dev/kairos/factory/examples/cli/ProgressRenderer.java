package dev.kairos.factory.examples.cli;

import dev.kairos.factory.core.api.ImageText;
import dev.kairos.factory.core.api.event.EventListener;
import dev.kairos.factory.core.api.event.KairosEvent;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * Renders library events on standard error: on a terminal, one redrawn progress bar per task
 * (from {@link KairosEvent.Progress}) under a line per step (from {@link KairosEvent.StepStarted});
 * elsewhere (pipes, CI logs), plain lines only, one per step and one when a task completes.
 * A top-level step's end is a line with its time ({@code ==> installPackages 63.2 s}); a nested
 * one's (a yip step) only when verbose, as command output.
 */
final class ProgressRenderer implements EventListener {
  private static final int BAR_WIDTH = 30;
  private static final long REDRAW_NANOS = 100_000_000L;

  private final PrintWriter err;
  private final boolean terminal;
  private final boolean verbose;
  private final LongSupplier clock;
  /** Which steps are top-level: those get a line with their time as they end. */
  private final StepTimes steps = new StepTimes();
  private String barTask;
  private long lastDraw;
  private int lastPercent = -1;

  ProgressRenderer(PrintWriter err, boolean terminal, boolean verbose, LongSupplier clock) {
    this.err = err;
    this.terminal = terminal;
    this.verbose = verbose;
    this.clock = clock;
  }

  /** A renderer for this process: bars only when standard error is a terminal. */
  static ProgressRenderer forConsole(PrintWriter err, boolean verbose) {
    boolean tty = System.console() != null && !"dumb".equals(System.getenv("TERM"));
    return new ProgressRenderer(err, tty, verbose, System::nanoTime);
  }

  /** The longest line of image text (a command's output, a description) shown on the terminal. */
  private static final int LINE = 4096;

  @Override
  public synchronized void onEvent(KairosEvent event) {
    if (event instanceof KairosEvent.Progress p) {
      progress(p);
      return;
    }
    endBar();
    StepTimes.Timed ended = steps.record(event);
    if (event instanceof KairosEvent.StepStarted s) {
      err.println("==> " + s.step() + (s.description().isEmpty() ? "" : ": " + ImageText.escape(s.description(), LINE)));
    } else if (event instanceof KairosEvent.StepFinished f) {
      if (f.skipped()) {
        err.println("    " + f.step() + " skipped");
      } else if (ended != null) {
        err.println("==> " + f.step() + " " + StepTimes.seconds(f.took()));
      } else if (verbose) {
        err.println("    " + f.step() + " done in " + seconds(f.took().toMillis()));
      }
    } else if (event instanceof KairosEvent.CommandOutput c) {
      if (verbose) {
        err.println("    | " + ImageText.escape(c.line(), LINE)); // a command in the image printed it
      }
    } else if (event instanceof KairosEvent.CacheHit c) {
      if (c.what().startsWith("step ")) {
        err.println("==> " + c.what().substring(5) + " cached (" + c.key().substring(0, Math.min(16, c.key().length())) + ")");
      } else if (verbose) {
        err.println("    cached " + c.what() + " (" + c.key() + ")");
      }
    } else if (event instanceof KairosEvent.Log l) {
      if (verbose || l.level().compareTo(KairosEvent.Level.INFO) >= 0) {
        String prefix = l.level() == KairosEvent.Level.INFO ? "" : l.level().name().toLowerCase(Locale.ROOT) + ": ";
        err.println("    " + prefix + ImageText.forTerminal(l.message(), Output.MAX_ERROR));
      }
    }
    err.flush();
  }

  private void progress(KairosEvent.Progress p) {
    boolean complete = p.total() > 0 && p.done() >= p.total();
    if (!terminal) {
      // Logs get one line per finished task, not a line per chunk.
      if (complete) {
        err.println("    " + p.task() + ": " + count(p.done(), p.unit()) + " done");
        err.flush();
      }
      return;
    }
    long now = clock.getAsLong();
    int percent = p.total() > 0 ? (int) Math.min(100, p.done() * 100 / p.total()) : -1;
    boolean sameTask = p.task().equals(barTask);
    if (sameTask && !complete && percent == lastPercent && now - lastDraw < REDRAW_NANOS) {
      return;
    }
    if (!sameTask) {
      endBar();
      barTask = p.task();
    }
    lastDraw = now;
    lastPercent = percent;
    err.print("\r\033[K" + bar(p));
    if (complete) {
      err.println();
      barTask = null;
      lastPercent = -1;
    }
    err.flush();
  }

  private void endBar() {
    if (barTask != null) {
      err.println();
      barTask = null;
      lastPercent = -1;
    }
  }

  /** One bar line, e.g. {@code "    pull [##########----------]  50%  12.0 MiB / 24.0 MiB"}. */
  static String bar(KairosEvent.Progress p) {
    if (p.total() <= 0) {
      return "    " + p.task() + " " + count(p.done(), p.unit());
    }
    int filled = (int) Math.min(BAR_WIDTH, p.done() * BAR_WIDTH / p.total());
    return String.format(Locale.ROOT, "    %s [%s%s] %3d%%  %s / %s", p.task(),
        "#".repeat(filled), "-".repeat(BAR_WIDTH - filled),
        Math.min(100, p.done() * 100 / p.total()), count(p.done(), p.unit()), count(p.total(), p.unit()));
  }

  /** {@code n} in its unit: bytes as {@link #amount}, files and layers counted, e.g. {@code "8,912 files"}. */
  static String count(long n, KairosEvent.Progress.Unit unit) {
    return switch (unit) {
      case BYTES -> amount(n);
      case FILES -> String.format(Locale.ROOT, "%,d %s", n, n == 1 ? "file" : "files");
      case LAYERS -> String.format(Locale.ROOT, "%,d %s", n, n == 1 ? "layer" : "layers");
    };
  }

  static String amount(long bytes) {
    if (bytes < 1024) {
      return bytes + " B";
    }
    String[] units = {"KiB", "MiB", "GiB", "TiB"};
    double v = bytes;
    int u = -1;
    while (v >= 1024 && u < units.length - 1) {
      v /= 1024;
      u++;
    }
    return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
  }

  static String seconds(long millis) {
    return String.format(Locale.ROOT, "%.1f s", millis / 1000.0);
  }
}
