package dev.kairos.factory.examples.cli;

import dev.kairos.factory.core.api.BuildPlan;
import dev.kairos.factory.core.api.Kairos;
import dev.kairos.factory.core.api.KairosBuild;
import dev.kairos.factory.core.api.ImageBuilder;
import dev.kairos.factory.core.api.fs.RootFs;
import dev.kairos.factory.core.api.run.Runners;
import dev.kairos.factory.core.api.validate.ValidationReport;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code init}: kairos-init on a root filesystem directory, in place. */
@Command(name = "init", sortOptions = false,
    description = "Kairosify a root filesystem directory in place (kairos-init's flags).")
final class InitCommand extends Verb {
  @Mixin RunPaths.Root root;

  @Mixin InitOptions options;

  @Mixin CacheOptions cacheOptions;

  @Mixin DownloadOptions downloads;

  @Override
  int run(Output out) throws Exception {
    ImageBuilder kairos = options.apply(spec, Kairos.fromRoot(RootFs.at(root.path)), Sources.framework(options.framework));
    cacheOptions.cache().ifPresent(c -> kairos.runner(c.runner(Runners.chroot())));
    downloads.apply(spec, kairos);
    InitOptions.checked(spec, kairos::options);
    if (options.dryRun) {
      BuildPlan plan = InitOptions.checked(spec, kairos::plan);
      out.result(BuildCommand.planJson(plan), plan.toString().strip());
      return 0;
    }
    long start = System.nanoTime();
    StepTimes times = new StepTimes();
    try (KairosBuild build = InitOptions.checked(spec, kairos.onEvent(events(out, times))::build)) {
      ValidationReport report = build.validate();
      Map<String, Object> result = new LinkedHashMap<>();
      result.put("root", root.path.toString());
      result.put("release", build.kairosRelease());
      result.put("validation", ValidateCommand.json(report));
      result.put("seconds", (System.nanoTime() - start) / 1_000_000_000.0);
      result.put("steps", times.json());
      out.result(result, "kairosified " + root.path + " in " + ProgressRenderer.seconds((System.nanoTime() - start) / 1_000_000)
          + "\n" + "KAIROS_VERSION=" + build.kairosRelease().get("KAIROS_VERSION") + "\n" + "slowest: " + times.summary()
          + "\n" + "validate: " + report);
      return 0;
    }
  }
}
