package dev.kairos.factory.examples;

import dev.kairos.factory.core.api.BuildPlan;
import dev.kairos.factory.core.api.FrameworkSource;
import dev.kairos.factory.core.api.Kairos;
import dev.kairos.factory.core.api.KairosBuild;
import dev.kairos.factory.core.api.ImageBuilder;
import dev.kairos.factory.core.api.Provider;
import dev.kairos.factory.core.api.fs.RootFs;
import dev.kairos.factory.core.api.run.Runners;
import java.io.IOException;
import java.nio.file.Path;

/**
 * A standard image: Kairos with k3s at a pinned version, its binaries from a directory laid out
 * like the provider image (nothing is downloaded), and the Kairos framework beside it. The image
 * gets {@code KAIROS_VARIANT=standard} and the k3s software-version keys.
 *
 * <pre>
 * java -cp kairos-factory.jar dev.kairos.factory.examples.StandardK3s ROOTFS FRAMEWORK_DIR K3S_DIR [--build]
 * </pre>
 */
public final class StandardK3s {
  private StandardK3s() {}

  /** The builder of a standard k3s image of {@code root}. */
  public static ImageBuilder builder(RootFs root, Path framework, Path k3s) {
    return Kairos.fromRoot(root)
        .version("v1.0.0")
        .framework(FrameworkSource.directory(framework))
        .provider(Provider.k3s("v1.31.1+k3s1").from(FrameworkSource.directory(k3s)));
  }

  public static void main(String[] args) throws IOException {
    ImageBuilder b = builder(RootFs.at(Path.of(args[0])), Path.of(args[1]), Path.of(args[2]));
    if (args.length > 3 && args[3].equals("--build")) {
      try (KairosBuild build = b.runner(Runners.chroot()).onEvent(System.out::println).build()) {
        System.out.println(build.kairosRelease());
      }
    } else {
      BuildPlan plan = b.plan();
      System.out.println(plan);
    }
  }
}
