package dev.kairos.factory.examples.cli;

import dev.kairos.factory.core.api.yip.Yip;
import dev.kairos.factory.core.api.yip.YipDiagnostic;
import dev.kairos.factory.core.api.fs.RootFs;
import dev.kairos.factory.core.api.yip.YipExecutor;
import dev.kairos.factory.core.api.yip.YipReport;
import dev.kairos.factory.core.api.yip.YipValidator;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code yip}: check and apply yip documents (stage extensions, cloud-configs). */
@Command(name = "yip", description = "Validate or apply yip documents.",
    subcommands = {YipCommand.Validate.class, YipCommand.Apply.class})
final class YipCommand implements Runnable {
  @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
  boolean helpRequested;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "missing command: validate or apply");
  }

  /** {@code yip validate FILE...}. */
  @Command(name = "validate", description = "Parse and check yip files; report every problem with file:line:column.")
  static final class Validate extends Verb {
    @Parameters(arity = "1..*", paramLabel = "FILE", converter = Converters.ExistingPath.class,
        description = "yip files or directories of them.")
    List<Path> files;

    @Option(names = "--strict", description = "Unknown keys are errors, not warnings.")
    boolean strict;

    @Override
    int run(Output out) throws Exception {
      List<Map<String, Object>> findings = new ArrayList<>();
      StringBuilder human = new StringBuilder();
      int documents = 0;
      boolean failed = false;
      // Every file of every argument is read, so that one run reports every problem.
      for (Path file : files) {
        YipValidator.Result r = YipValidator.validate(file, strict);
        documents += r.documents();
        failed |= r.hasErrors();
        for (YipDiagnostic d : r.findings()) {
          findings.add(finding(d.severity().name(), d.location().source(), d.location().line(),
              d.location().column(), d.message()));
          human.append(d).append('\n');
        }
      }
      human.append(failed ? "invalid" : "valid").append(": ").append(documents).append(" document(s), ")
          .append(findings.size()).append(" finding(s)");
      Map<String, Object> result = new LinkedHashMap<>();
      result.put("valid", !failed);
      result.put("documents", documents);
      result.put("findings", findings);
      out.result(result, human.toString());
      return failed ? 1 : 0;
    }

    private static Map<String, Object> finding(String severity, String source, int line, int column, String message) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("severity", severity.toLowerCase(Locale.ROOT));
      m.put("source", source);
      m.put("line", line);
      m.put("column", column);
      m.put("message", message);
      return m;
    }
  }

  /** {@code yip apply --root DIR --stage S FILE|DIR}. */
  @Command(name = "apply", description = "Apply one stage of yip files to a root filesystem.")
  static final class Apply extends Verb {
    @Mixin RunPaths.Root root;

    @Option(names = "--stage", required = true, paramLabel = "S", description = "The stage to run, e.g. after-install.")
    String stage;

    @Parameters(arity = "1", paramLabel = "FILE|DIR", converter = Converters.ExistingPath.class,
        description = "A yip file, or a directory of them (lexicographic order).")
    Path source;

    @Option(names = "--dry-run", description = "Report every effect and change nothing.")
    boolean dryRun;

    @Override
    int run(Output out) throws Exception {
      YipExecutor.Builder exec = YipExecutor.builder().dryRun(dryRun).onEvent(events(out));
      // commands, if: and packages run inside the image, which needs a chroot.
      Host.chrootIfRoot().ifPresent(exec::runner);
      YipReport report = exec.build().run(RootFs.at(root.path), stage, Yip.lenient().load(source));
      Map<String, Object> result = new LinkedHashMap<>();
      result.put("stage", report.stage());
      result.put("dryRun", report.dryRun());
      result.put("succeeded", report.succeeded());
      List<Map<String, Object>> steps = new ArrayList<>();
      StringBuilder human = new StringBuilder();
      for (YipReport.StepResult s : report.steps()) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", s.id());
        m.put("status", s.status().name().toLowerCase(Locale.ROOT));
        m.put("reason", s.reason());
        m.put("errors", s.errors());
        steps.add(m);
        human.append(s.status().name().toLowerCase(Locale.ROOT)).append(' ').append(s.id())
            .append(s.reason() == null || s.reason().isEmpty() ? "" : " (" + s.reason() + ")").append('\n');
        s.errors().forEach(e -> human.append("  error: ").append(e).append('\n'));
      }
      result.put("steps", steps);
      result.put("effects", report.effects().stream().map(Object::toString).toList());
      report.effects().forEach(e -> human.append("  ").append(e).append('\n'));
      human.append(report.succeeded() ? "ok" : "failed").append(": stage ").append(stage);
      out.result(result, human.toString());
      return report.succeeded() ? 0 : 1;
    }
  }
}
