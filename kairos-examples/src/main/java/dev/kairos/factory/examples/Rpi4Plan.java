package dev.kairos.factory.examples;

import dev.kairos.factory.core.api.BuildPlan;
import dev.kairos.factory.core.api.Kairos;
import dev.kairos.factory.core.api.distro.Architecture;
import dev.kairos.factory.core.api.distro.Model;
import dev.kairos.factory.core.api.fs.ImagePath;
import dev.kairos.factory.core.api.fs.RootFs;
import dev.kairos.factory.core.testing.InMemoryRootFs;
import java.io.IOException;

/**
 * The plan of a Raspberry Pi 4 image (arm64, model rpi4) from an Ubuntu 24.04 base: which kernel
 * and packages it gets and every step it runs, without building anything. The plan needs only the
 * base's os-release, so it runs on any machine, here on an in-memory root.
 *
 * <pre>
 * java -cp kairos-examples/target/kairos-factory.jar dev.kairos.factory.examples.Rpi4Plan
 * </pre>
 */
public final class Rpi4Plan {
  private Rpi4Plan() {}

  /** The plan for an rpi4 image of the Ubuntu base in {@code root}. */
  public static BuildPlan plan(RootFs root) throws IOException {
    return Kairos.fromRoot(root)
        .version("v1.0.0")
        .arch(Architecture.ARM64)        // the model requires arm64
        .model(Model.RPI4)
        .plan();
  }

  /** An Ubuntu 24.04 base reduced to what planning reads. */
  public static RootFs ubuntuBase() throws IOException {
    RootFs root = InMemoryRootFs.create();
    root.createDirectories(ImagePath.of("/etc"));
    root.writeString(ImagePath.of("/etc/os-release"),
        "NAME=\"Ubuntu\"\nID=ubuntu\nID_LIKE=debian\nVERSION_ID=\"24.04\"\nPRETTY_NAME=\"Ubuntu 24.04 LTS\"\n");
    return root;
  }

  public static void main(String[] args) throws IOException {
    BuildPlan plan = plan(args.length > 0 ? RootFs.at(java.nio.file.Path.of(args[0])) : ubuntuBase());
    System.out.println("kernel packages: " + plan.kernelPackages());
    System.out.println(plan);
  }
}
