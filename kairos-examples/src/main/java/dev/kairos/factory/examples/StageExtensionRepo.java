package dev.kairos.factory.examples;

import dev.kairos.factory.core.api.BuildPlan;
import dev.kairos.factory.core.api.Kairos;
import dev.kairos.factory.core.api.KairosBuild;
import dev.kairos.factory.core.api.run.Runners;
import dev.kairos.factory.core.api.fs.RootFs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A stage extension that adds a package repository before anything is installed
 * ({@code before-install}) and installs packages from it after the base packages
 * ({@code after-install}), as kairos-init's {@code -x} does. The extension is plain yip, kept in a
 * directory beside the build.
 *
 * <pre>
 * java -cp kairos-factory.jar dev.kairos.factory.examples.StageExtensionRepo ROOTFS EXTENSIONS_DIR [--build]
 * </pre>
 */
public final class StageExtensionRepo {
  private StageExtensionRepo() {}

  /** The extension: Debian's backports repository, then a package from it. */
  public static final String EXTENSION = String.join("\n",
      "stages:",
      "  before-install:",
      "    - name: backports repository",
      "      files:",
      "        - path: /etc/apt/sources.list.d/backports.list",
      "          permissions: 0644",
      "          content: |",
      "            deb http://deb.debian.org/debian bookworm-backports main",
      "  after-install:",
      "    - name: tools from backports",
      "      commands:",
      "        - apt-get update",
      "        - DEBIAN_FRONTEND=noninteractive apt-get -y -t bookworm-backports install --no-install-recommends htop",
      "");

  /** Writes the extension into {@code dir} as {@code 10-backports.yaml}. */
  public static Path writeExtension(Path dir) throws IOException {
    Files.createDirectories(dir);
    return Files.writeString(dir.resolve("10-backports.yaml"), EXTENSION);
  }

  /** The plan of a build of {@code root} with the extensions of {@code dir}. */
  public static BuildPlan plan(RootFs root, Path dir) throws IOException {
    return Kairos.fromRoot(root).version("v1.0.0").stageExtensions(dir).plan();
  }

  public static void main(String[] args) throws IOException {
    RootFs root = RootFs.at(Path.of(args[0]));
    Path dir = Path.of(args[1]);
    writeExtension(dir);
    if (args.length > 2 && args[2].equals("--build")) {
      try (KairosBuild build = Kairos.fromRoot(root).version("v1.0.0").stageExtensions(dir)
          .runner(Runners.chroot()).onEvent(System.out::println).build()) {
        System.out.println(build.validate());
      }
    } else {
      System.out.println(plan(root, dir));
    }
  }
}
