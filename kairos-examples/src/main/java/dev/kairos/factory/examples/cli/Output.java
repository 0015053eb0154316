package dev.kairos.factory.examples.cli;

import dev.kairos.factory.core.api.ImageText;
import java.io.PrintWriter;
import java.nio.file.FileSystemException;
import java.util.Locale;
import java.util.LinkedHashMap;
import java.util.Map;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * Where a verb's result goes: human text by default, or one JSON document on standard output with
 * {@code --json}. Progress and diagnostics always go to standard error, so that standard output
 * stays parseable.
 *
 * <p>Results and errors often quote text from an image (os-release values, file names), so what
 * goes to a terminal passes {@link ImageText#forTerminal}: control characters are escaped (an
 * escape sequence planted in an image is shown, not obeyed) and an error message is capped.
 */
final class Output {
  /** The longest error message printed; the parts that quote image text are capped already. */
  static final int MAX_ERROR = 4096;
  private static final JsonMapper JSON =
      JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

  private final PrintWriter out;
  private final PrintWriter err;
  private final boolean json;

  Output(PrintWriter out, PrintWriter err, boolean json) {
    this.out = out;
    this.err = err;
    this.json = json;
  }

  boolean json() {
    return json;
  }

  PrintWriter err() {
    return err;
  }

  /** Prints a result: {@code human} as text, or {@code data} as JSON. */
  void result(Object data, String human) {
    if (json) {
      out.println(toJson(data));
    } else if (!human.isEmpty()) {
      out.println(ImageText.forTerminal(human, Integer.MAX_VALUE));
    }
    out.flush();
  }

  /** Prints an error: always to standard error, and as {@code {"error": ...}} with --json. */
  void error(Throwable error, boolean trace) {
    String message = ImageText.forTerminal(message(error), MAX_ERROR);
    err.println("kairos-factory: error: " + message);
    if (trace) {
      error.printStackTrace(err);
    }
    err.flush();
    if (json) {
      Map<String, Object> data = new LinkedHashMap<>();
      data.put("error", message);
      data.put("type", error.getClass().getSimpleName());
      out.println(toJson(data));
      out.flush();
    }
  }

  /** java.nio's file errors carry the path only; say what went wrong with it too. */
  private static String fileMessage(FileSystemException f) {
    String what = f.getReason() != null ? f.getReason()
        : f.getClass().getSimpleName().replace("Exception", "").replaceAll("([a-z])([A-Z])", "$1 $2")
            .toLowerCase(Locale.ROOT);
    return f.getFile() + (f.getOtherFile() != null ? " -> " + f.getOtherFile() : "") + ": " + what;
  }

  static String toJson(Object data) {
    return JSON.writeValueAsString(data);
  }

  /** The message of an error and its causes, so the bad input is named even when wrapped. */
  static String message(Throwable error) {
    StringBuilder b = new StringBuilder();
    for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
      String m = t instanceof FileSystemException f ? fileMessage(f)
          : t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
      if (b.indexOf(m) < 0) {
        b.append(b.length() == 0 ? "" : ": ").append(m);
      }
    }
    return b.toString();
  }
}
