package dev.kairos.factory.core.testing;

import dev.kairos.factory.core.api.fs.ImagePath;
import dev.kairos.factory.core.api.fs.RootFs;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * A stand-in for the Kairos {@code framework} image, for tests: tiny shell scripts at the paths
 * where the real image has kairos-agent, immucore, the kcrypt challenger, the installer, the
 * provider plugin and edgevpn, plus one cloud-config under {@code /system/oem}. Enough for a build
 * to overlay it, for dracut's immucore module to find its binaries and for {@code validate} to
 * pass; not enough to boot through immucore (the scripts only print what they were asked).
 *
 * <pre>{@code
 * RootFs framework = InMemoryRootFs.create();
 * SyntheticFramework.writeTo(framework);
 * Kairos.fromRoot(root).framework(FrameworkSource.directory(framework.root())) ...
 * }</pre>
 */
public final class SyntheticFramework {
  /** The in-image paths of the executables it provides. */
  public static final List<String> BINARIES = List.of("/usr/bin/kairos-agent", "/usr/bin/immucore",
      "/system/discovery/kcrypt-discovery-challenger", "/system/installer/kairos-installer",
      "/system/providers/agent-provider-kairos", "/usr/bin/edgevpn");
  /** The cloud-config it provides. */
  public static final String CLOUD_CONFIG = "/system/oem/00_synthetic.yaml";

  private SyntheticFramework() {}

  /** Writes the framework tree into {@code root} (an empty directory, on disk or in memory). */
  public static void writeTo(RootFs root) throws IOException {
    for (String bin : BINARIES) {
      String name = bin.substring(bin.lastIndexOf('/') + 1);
      write(root, bin, "#!/bin/sh\n# synthetic " + name + " for tests: not the real program\n"
          + "echo \"" + name + " (synthetic) $*\"\n", 0755);
    }
    write(root, CLOUD_CONFIG, "name: synthetic framework\nstages:\n  boot:\n    - name: marker\n"
        + "      files:\n        - path: /run/kairos-synthetic-framework\n          content: booted\n"
        + "          permissions: 0644\n", 0644);
    write(root, "/etc/kairos/.synthetic-framework", "synthetic framework for tests\n", 0644);
  }

  private static void write(RootFs root, String path, String content, int mode) throws IOException {
    ImagePath p = ImagePath.of(path);
    root.createDirectories(p.parent());
    root.write(p, content.getBytes(StandardCharsets.UTF_8), mode);
  }
}
