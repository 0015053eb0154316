package dev.kairos.factory.oci.testsupport;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kairos.factory.oci.testing.LocalRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One {@link LocalRegistry} for all the tests of a class, as
 * {@code @RegisterExtension static final ClassRegistry REGISTRY = new ClassRegistry();}: started
 * before the first test (the class is skipped where Debian's docker-registry is not installed),
 * stopped and its storage deleted after the last.
 */
public final class ClassRegistry implements BeforeAllCallback, AfterAllCallback {
  private Path storage;
  private LocalRegistry registry;

  @Override
  public void beforeAll(ExtensionContext context) throws IOException {
    assumeTrue(LocalRegistry.available(), "docker-registry is not installed");
    storage = Files.createTempDirectory("registry");
    registry = LocalRegistry.start(storage);
  }

  @Override
  public void afterAll(ExtensionContext context) throws IOException {
    if (registry != null) {
      registry.close();
      registry = null;
    }
    if (storage != null) {
      try (Stream<Path> s = Files.walk(storage)) {
        for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
          Files.delete(p);
        }
      }
      storage = null;
    }
  }

  /** The running registry. */
  public LocalRegistry get() {
    return registry;
  }

  /** The registry's {@code host:port} on 127.0.0.1. */
  public String address() {
    return registry.address();
  }
}
