package dev.kairos.factory.core.api;

import dev.kairos.factory.core.api.fs.RootFs;
import dev.kairos.factory.core.api.image.ImageSource;

/**
 * The entry point: turns a base Linux image into a Kairos image, as {@code kairos-init} does
 * inside a Dockerfile, but from outside, on any root file system, without a container engine.
 *
 * <pre>{@code
 * try (KairosBuild build = Kairos.from(source)            // an ImageSource (kairos-oci), or
 *         // Kairos.fromRoot(RootFs.at(Path.of("rootfs")))
 *         .workDirectory(Path.of("work"))
 *         .version("v1.0.0")
 *         .model(Model.GENERIC)
 *         .framework(FrameworkSource.directory(Path.of("framework")))
 *         .provider(Provider.k3s("v1.31.1+k3s1").from(FrameworkSource.directory(Path.of("k3s"))))
 *         .stageExtensions(Path.of("extensions"))
 *         .skip(Step.INSTALL_KERNEL)
 *         .runner(Runners.chroot())
 *         .onEvent(System.out::println)
 *         .build()) {                                        // runs the build
 *   build.output(LiveIso.to(Path.of("out/kairos.iso")));    // an ArtifactTarget (kairos-boot, kairos-oci)
 * }
 *
 * System.out.println(Kairos.fromRoot(root).version("1.0").plan());   // a dry run
 * Kairos.validate(root, false).requireValid();                      // every check, all failures at once
 * }</pre>
 */
public final class Kairos {
  /** This library's version, written as {@code KAIROS_INIT_VERSION}. */
  public static final String VERSION = "v0.1.0";

  private Kairos() {}

  /** A build from a base image; it is unpacked into the builder's work directory. */
  public static ImageBuilder from(ImageSource source) {
    return new ImageBuilder(source);
  }

  /** A build that changes {@code root} in place. */
  public static ImageBuilder fromRoot(RootFs root) {
    return new ImageBuilder(root);
  }
}
