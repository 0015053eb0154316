package dev.kairos.factory.examples.cli;

import dev.kairos.factory.core.api.Step;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;

/** {@code steps-info}: the steps kairos-init runs, with their descriptions. */
@Command(name = "steps-info", description = "List the steps (names for --skip-step) with descriptions.")
final class StepsInfoCommand extends Verb {
  @Override
  int run(Output out) {
    List<Map<String, String>> steps = Arrays.stream(Step.values())
        .sorted(Comparator.comparing(Step::id))
        .map(s -> {
          Map<String, String> m = new LinkedHashMap<>();
          m.put("name", s.id());
          m.put("phase", s.isPhase() ? "" : s.phase().id());
          m.put("description", s.description());
          return m;
        })
        .toList();
    out.result(steps, "Step name & Description\n" + String.join("\n", Step.stepsInfo()));
    return 0;
  }
}
