package dev.kairos.factory.distros.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The files this package ships beside its classes: the package tables, the package managers'
 * commands, scripts put in images. One way to read them, so that a missing one fails alike.
 */
final class Resources {
  private Resources() {}

  /**
   * The bytes of resource {@code name} of this package.
   *
   * @throws IllegalStateException if the jar lacks it (a broken build of the library, not bad input)
   */
  static byte[] bytes(String name) {
    try (InputStream in = Resources.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + name);
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Resource {@code name} of this package as UTF-8 text; see {@link #bytes}. */
  static String text(String name) {
    return new String(bytes(name), StandardCharsets.UTF_8);
  }
}
