package dev.kairos.factory.examples.cli;

import dev.kairos.factory.core.api.fs.RootFs;
import dev.kairos.factory.core.api.validate.ValidationReport;
import dev.kairos.factory.core.api.validate.Validator;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code validate}: kairos-init's checks of a kairosified root; exit 1 if any fails. */
@Command(name = "validate", description = "Check that a root filesystem is a valid Kairos image (all failures at once).")
final class ValidateCommand extends Verb {
  @Mixin RunPaths.Root root;

  @Option(names = {"-t", "--trusted"}, arity = "0..1", fallbackValue = "true", paramLabel = "BOOL",
      description = "Check as a Trusted Boot image ('true' or '1' in any case, as in kairos-init; alone: on).")
  String trusted = "false";

  @Override
  int run(Output out) throws Exception {
    ValidationReport report = Validator.builder().trustedBoot(InitOptions.trusted(spec, trusted)).build()
        .validate(RootFs.at(root.path));
    out.result(json(report), report.toString().strip());
    return report.valid() ? 0 : 1;
  }

  static Map<String, Object> json(ValidationReport report) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("valid", report.valid());
    m.put("failures", report.failures());
    m.put("warnings", report.warnings());
    return m;
  }
}
