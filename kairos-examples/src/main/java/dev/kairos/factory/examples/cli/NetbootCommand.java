package dev.kairos.factory.examples.cli;

import dev.kairos.factory.boot.api.netboot.NetbootSet;
import dev.kairos.factory.core.api.SourceDate;
import dev.kairos.factory.core.api.fs.RootFs;
import dev.kairos.factory.core.api.image.BuiltImage;
import dev.kairos.factory.core.api.io.AtomicFile;
import dev.kairos.factory.core.api.io.ExclusiveLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code netboot}: kernel, initrd, squashfs and an iPXE script. */
@Command(name = "netboot", description = "Write the netboot set (kernel, initrd, squashfs, iPXE script) of a Kairos root filesystem.")
final class NetbootCommand extends Verb {
  @Mixin RunPaths.Root root;

  @Option(names = {"-o", "--output"}, required = true, paramLabel = "DIR", description = "The directory to write.")
  Path output;

  @Option(names = "--base-url", paramLabel = "URL", defaultValue = "http://127.0.0.1:8090",
      description = "The HTTP(S) URL the files will be served from (default: ${DEFAULT-VALUE}).")
  String baseUrl;

  @Option(names = "--config-url", paramLabel = "URL", description = "URL of the cloud-config the node reads at boot.")
  String configUrl;

  @Override
  int run(Output out) throws Exception {
    List<FileFacts> files;
    try (ExclusiveLock lock = ExclusiveLock.forOutput(output)) {
      if (Files.isDirectory(output)) {
        AtomicFile.sweep(output); // half-written files of runs that died
      }
      NetbootSet set = BootImages.netboot(output, baseUrl, configUrl);
      set.write(BuiltImage.of(RootFs.at(root.path), SourceDate.fromEnvironment()), events(out));
      NetbootSet.Files f = set.files();
      files = List.of(FileFacts.of("kernel", f.kernel()), FileFacts.of("initrd", f.initrd()),
          FileFacts.of("squashfs", f.squashfs()), FileFacts.of("ipxe", f.ipxeScript()), FileFacts.of("cmdline", f.cmdlineFile()));
    }
    List<Map<String, Object>> json = new ArrayList<>();
    StringBuilder human = new StringBuilder();
    for (FileFacts facts : files) {
      json.add(facts.json());
      human.append(facts.human()).append('\n');
    }
    Map<String, Object> result = new LinkedHashMap<>();
    result.put("directory", output.toString());
    result.put("files", json);
    out.result(result, human.toString().stripTrailing());
    return 0;
  }
}
