package dev.kairos.factory.examples.cli;

import dev.kairos.factory.core.api.fs.RootFs;
import dev.kairos.factory.oci.api.KairosArtifactName;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code name}: the Kairos artifact name of a kairosified root. */
@Command(name = "name", description = "Print the artifact name of a Kairos root filesystem, alone on a line.")
final class NameCommand extends Verb {
  @Mixin RunPaths.Root root;

  @Override
  int run(Output out) throws Exception {
    KairosArtifactName name = KairosArtifactName.from(RootFs.at(root.path));
    Map<String, String> data = new LinkedHashMap<>();
    data.put("name", name.bootableName());
    data.put("tag", name.tag());
    data.put("baseTag", name.baseTag());
    out.result(data, name.bootableName());
    return 0;
  }
}
