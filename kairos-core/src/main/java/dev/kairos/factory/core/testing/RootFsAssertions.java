package dev.kairos.factory.core.testing;

import dev.kairos.factory.core.api.fs.RootFs;

/**
 * Entry point of the AssertJ assertions on a {@link RootFs}. Needs {@code org.assertj:assertj-core}
 * on the test class path (an optional dependency of the core).
 *
 * <pre>{@code
 * import static dev.kairos.factory.core.testing.RootFsAssertions.assertThat;
 *
 * assertThat(rootfs)
 *     .hasFile("/etc/kairos-release").withMode(0644).withOwner(0, 0).withContentContaining("KAIROS_VERSION=")
 *     .and().hasSymlink("/bin", "usr/bin")
 *     .hasDirectory("/var/mail").withMode(02775).withOwner(0, 8)
 *     .and().doesNotExist("/usr/sbin/policy-rc.d");
 * }</pre>
 */
public final class RootFsAssertions {
  private RootFsAssertions() {}

  /** Starts assertions on the files of {@code actual}. */
  public static RootFsAssert assertThat(RootFs actual) {
    return new RootFsAssert(actual);
  }
}
