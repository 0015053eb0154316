package dev.kairos.factory.examples.cli;

import dev.kairos.factory.core.api.fs.RootFs;
import dev.kairos.factory.core.api.validate.ValidationReport;
import dev.kairos.factory.core.api.validate.Validator;
import java.nio.file.Path;
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
      description = "Check as a Trusted Boot image.")
  boolean trusted;

  @Override
  int run(Output out) throws Exception {
    Validator.Builder v = Validator.builder().trustedBoot(trusted);
    // The initrd check runs lsinitrd inside the image, which needs a chroot.
    Host.chrootIfRoot().ifPresent(v::runner);
    ValidationReport report = v.build().validate(RootFs.at(root.path));
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
