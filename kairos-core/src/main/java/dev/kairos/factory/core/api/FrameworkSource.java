package dev.kairos.factory.core.api;

import dev.kairos.factory.core.api.image.ImageSource;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Where the Kairos binaries come from: kairos-agent, immucore, the cloud-configs under
 * {@code /system/oem}, the kcrypt challenger, the provider plugin. They are Go programs the library
 * does not rebuild; a framework is a tree laid out like the root of the public Kairos
 * {@code framework} images, overlaid onto the image.
 *
 * <pre>{@code
 * FrameworkSource.directory(Path.of("framework-rootfs"));
 * FrameworkSource.image(OciSource.pull("quay.io/kairos/framework:v2.31.4"));
 * FrameworkSource.none();   // still bootable (plain dracut), the build reports what is missing
 * }</pre>
 */
public sealed interface FrameworkSource {

  /** A host directory laid out like the framework image's root. */
  static FrameworkSource directory(Path dir) {
    return new Directory(dir);
  }

  /** An image laid out like the framework image, such as {@code quay.io/kairos/framework}. */
  static FrameworkSource image(ImageSource image) {
    return new Image(image);
  }

  /** No framework: the image boots with plain dracut but has no Kairos agent or immucore. */
  static FrameworkSource none() {
    return None.INSTANCE;
  }

  /** A short description for events and plans. */
  String description();

  /**
   * A framework in a host directory.
   *
   * @param dir the directory, laid out like the framework image's root
   */
  record Directory(Path dir) implements FrameworkSource {
    /** Checks that the directory is given; it is not read until the build. */
    public Directory {
      Objects.requireNonNull(dir, "dir");
    }

    @Override
    public String description() {
      return "directory " + dir;
    }
  }

  /**
   * A framework image.
   *
   * @param image the framework image
   */
  record Image(ImageSource image) implements FrameworkSource {
    /** Checks that the image is given; it is not fetched until the build. */
    public Image {
      Objects.requireNonNull(image, "image");
    }

    @Override
    public String description() {
      return "image " + image.description();
    }
  }

  /** No framework. */
  enum None implements FrameworkSource {
    /** The one value: no framework. */
    INSTANCE;

    @Override
    public String description() {
      return "none";
    }
  }
}
