package dev.kairos.factory.core.api.yip;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import dev.kairos.factory.core.api.InvalidInputException;
import dev.kairos.factory.core.internal.yip.GoTemplate;
import dev.kairos.factory.core.internal.yip.Planner;
import dev.kairos.factory.core.internal.yip.YipBinder;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Checks parsed yip documents for what yip would accept but not do as meant, before an image is
 * built or a machine boots: the parser's findings (unknown keys such as {@code systctl}), regular
 * expressions that are not RE2 (the step would never run), unknown encodings (written as plain
 * text), templates that do not parse (left unexpanded), numeric {@code ownerstring}s, and, per
 * stage, {@code after:} references that name no step or form a cycle.
 *
 * <pre>{@code
 * List<YipDiagnostic> found = YipValidator.validate(Yip.lenient().load(dir), false);
 * found.forEach(System.err::println);   // 10-net.yaml:4:5: warning: unknown key 'systctl' ...
 * }</pre>
 */
public final class YipValidator {
  private static final Set<String> ENCODINGS = Set.of("", "b64", "base64", "gz", "gzip", "gz+base64",
      "gzip+base64", "gz+b64", "gzip+b64");

  private YipValidator() {}

  /**
   * Every finding about {@code documents} (one source), in document order. With {@code strict},
   * every warning is reported as an error.
   */
  public static List<YipDiagnostic> validate(List<YipDocument> documents, boolean strict) {
    List<YipDiagnostic> out = new ArrayList<>();
    Set<String> stages = new LinkedHashSet<>();
    for (YipDocument d : documents) {
      out.addAll(d.diagnostics());
      stages.addAll(d.stages().keySet());
      d.stages().forEach((stage, steps) -> steps.forEach(s -> step(s, out)));
    }
    for (String stage : stages) {
      try {
        Planner.problems(stage, documents).forEach(e -> out.add(error(e)));
      } catch (InvalidInputException e) {
        out.add(error(e));
      }
    }
    if (!strict) {
      return out;
    }
    return out.stream().map(x -> new YipDiagnostic(YipDiagnostic.Severity.ERROR, x.location(), x.message()))
        .toList();
  }

  /**
   * What {@link #validate(Path, boolean)} found.
   *
   * @param documents how many documents were read (one per file, including rejected ones)
   * @param findings every finding, file by file in load order, then those across files
   */
  public record Result(int documents, List<YipDiagnostic> findings) {
    /** Copies {@code findings}. */
    public Result {
      findings = List.copyOf(findings);
    }

    /** Whether a finding is an error: {@code apply} would reject the source. */
    public boolean hasErrors() {
      return YipValidator.hasErrors(findings);
    }
  }

  /**
   * Validates a yip file or directory (read as {@link Yip#load} reads it) and reports everything
   * {@code apply} would reject, all at once: every YAML syntax error and type mismatch of every
   * file, not only the first that {@code load} stops at, then the findings of
   * {@link #validate(List, boolean)} over the documents, {@code after:} across files included.
   *
   * @throws java.nio.file.NoSuchFileException if nothing is at {@code path}
   * @throws IOException if a file cannot be read
   */
  public static Result validate(Path path, boolean strict) throws IOException {
    List<YipDiagnostic> out = new ArrayList<>();
    List<YipDocument> documents = new ArrayList<>();
    List<Path> files = Yip.files(path);
    for (Path file : files) {
      YipBinder.Checked c;
      try {
        c = YipBinder.check(file.toString(), Yip.read(file), false);
      } catch (InvalidInputException e) {
        out.add(error(e));
        continue;
      }
      c.errors().forEach(e -> out.add(error(e)));
      if (c.document() != null) {
        documents.add(c.document());
      }
    }
    out.addAll(validate(documents, strict));
    return new Result(files.size(), out);
  }

  private static YipDiagnostic error(InvalidInputException e) {
    return new YipDiagnostic(YipDiagnostic.Severity.ERROR, new YipLocation(e.source(), e.line().orElse(0),
        e.column().orElse(0)), e.detail());
  }

  /** Whether {@code findings} holds an error. */
  public static boolean hasErrors(List<YipDiagnostic> findings) {
    return findings.stream().anyMatch(d -> d.severity() == YipDiagnostic.Severity.ERROR);
  }

  private static void step(YipStep s, List<YipDiagnostic> out) {
    YipLocation at = s.location();
    regex("node", s.node(), at, out);
    regex("only_os", s.onlyOs(), at, out);
    regex("only_os_version", s.onlyOsVersion(), at, out);
    regex("only_arch", s.onlyArch(), at, out);
    String sm = s.onlyServiceManager().toLowerCase(java.util.Locale.ROOT);
    if (!sm.isEmpty() && !sm.equals("systemd") && !sm.equals("openrc")) {
      warn(at, "only_service_manager '" + s.onlyServiceManager() + "' is neither systemd nor openrc: the step never runs",
          out);
    }
    for (YipStep.FileEntry f : s.files()) {
      if (!ENCODINGS.contains(f.encoding())) {
        warn(at, "files " + f.path() + ": encoding '" + f.encoding() + "' is unknown; yip writes the content as plain text",
            out);
      }
      if (f.ownerString().matches("[0-9]+(:[0-9]+)?")) {
        warn(at, "files " + f.path() + ": ownerstring takes names, not ids; use owner and group for '"
            + f.ownerString() + "'", out);
      }
      if (!f.path().startsWith("/")) {
        warn(at, "files: path '" + f.path() + "' is not absolute", out);
      }
      if (f.encoding().isEmpty()) {
        template("files " + f.path() + " content", f.content(), at, out);
      }
    }
    for (String c : s.commands()) {
      template("commands", c, at, out);
    }
    template("if", s.ifCommand(), at, out);
    s.environment().forEach((k, v) -> template("environment." + k, v, at, out));
    try {
      GoTemplate.check(s.hostname());
    } catch (GoTemplate.TemplateException e) {
      out.add(new YipDiagnostic(YipDiagnostic.Severity.ERROR, at, "hostname template does not parse ("
          + e.getMessage() + "): the hostname step fails"));
    } catch (GoTemplate.LimitException e) {
      out.add(new YipDiagnostic(YipDiagnostic.Severity.ERROR, at, "hostname: " + e.getMessage()));
    }
  }

  private static void regex(String key, String re, YipLocation at, List<YipDiagnostic> out) {
    if (re.isEmpty()) {
      return;
    }
    try {
      Pattern.compile(re);
    } catch (PatternSyntaxException e) {
      warn(at, key + " '" + re + "' is not an RE2 regular expression (" + e.getDescription()
          + "): the step is always skipped", out);
    }
  }

  private static void template(String key, String text, YipLocation at, List<YipDiagnostic> out) {
    try {
      GoTemplate.check(text);
    } catch (GoTemplate.TemplateException e) {
      warn(at, key + ": template does not parse (" + e.getMessage() + "); yip keeps the text unexpanded", out);
    } catch (GoTemplate.LimitException e) {
      out.add(new YipDiagnostic(YipDiagnostic.Severity.ERROR, at, key + ": " + e.getMessage()));
    }
  }

  private static void warn(YipLocation at, String message, List<YipDiagnostic> out) {
    out.add(new YipDiagnostic(YipDiagnostic.Severity.WARNING, at, message));
  }
}
