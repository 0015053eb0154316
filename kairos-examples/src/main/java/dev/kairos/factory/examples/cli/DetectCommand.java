package dev.kairos.factory.examples.cli;

import dev.kairos.factory.core.api.distro.DistroInfo;
import dev.kairos.factory.core.api.distro.Distros;
import dev.kairos.factory.core.api.fs.RootFs;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code detect}: the distro facts of a root, keyed as in /etc/kairos-release. */
@Command(name = "detect", description = "Detect the distro of a root filesystem (flavor, release, family, arch, init system).")
final class DetectCommand extends Verb {
  /** The extra key, beside the kairos-release ones. */
  static final String INIT_SYSTEM = "INIT_SYSTEM";

  @Mixin RunPaths.Root root;

  @Override
  int run(Output out) throws Exception {
    DistroInfo info = Distros.detect(RootFs.at(root.path));
    Map<String, String> facts = new TreeMap<>(info.kairosReleaseFields());
    facts.put(INIT_SYSTEM, info.initSystem().name().toLowerCase(Locale.ROOT));
    out.result(facts, facts.entrySet().stream()
        .map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining("\n")));
    return 0;
  }
}
