package dev.kairos.factory.examples.downstream;

import dev.kairos.factory.core.api.fs.FileType;
import dev.kairos.factory.core.api.fs.ImagePath;
import dev.kairos.factory.core.api.fs.RootFs;
import java.io.IOException;
import java.util.Objects;

/**
 * What a downstream project typically adds to its Kairos image: a site banner, a kernel setting,
 * a root-only credentials file and a systemd unit enabled offline. It works on any {@link RootFs},
 * so its test runs on an in-memory root in milliseconds (see {@code EdgeSiteCustomisationTest}),
 * and the same code runs on the real root of a build:
 *
 * <pre>{@code
 * try (KairosBuild build = Kairos.fromRoot(root).version("v1.0.0").build()) {
 *   new EdgeSiteCustomisation("berlin-7").applyTo(build.rootFs());
 * }
 * }</pre>
 */
public final class EdgeSiteCustomisation {
  static final ImagePath MOTD = ImagePath.of("/etc/motd");
  static final ImagePath SYSCTL = ImagePath.of("/etc/sysctl.d/90-edge.conf");
  static final ImagePath TOKEN = ImagePath.of("/etc/edge/site-token");
  static final ImagePath UNIT = ImagePath.of("/etc/systemd/system/edge-report.service");
  static final ImagePath WANTS = ImagePath.of("/etc/systemd/system/multi-user.target.wants/edge-report.service");

  private final String site;

  /** @param site the site name, lower-case letters, digits and dashes */
  public EdgeSiteCustomisation(String site) {
    Objects.requireNonNull(site, "site");
    if (!site.matches("[a-z0-9][a-z0-9-]{0,62}")) {
      throw new IllegalArgumentException("bad site name '" + site + "': lower-case letters, digits and dashes");
    }
    this.site = site;
  }

  /** Changes {@code root}: writes the files and enables the unit. Idempotent. */
  public void applyTo(RootFs root) throws IOException {
    root.createDirectories(MOTD.parent());
    root.write(MOTD, ("Kairos edge node, site " + site + "\n").getBytes(), 0644);

    root.createDirectories(SYSCTL.parent());
    root.write(SYSCTL, "net.ipv4.ip_forward = 1\nvm.swappiness = 10\n".getBytes(), 0644);

    // Owned by root, readable by root only: the overlay keeps this even where the disk cannot.
    root.createDirectories(TOKEN.parent());
    root.write(TOKEN, ("site=" + site + "\n").getBytes(), 0600);
    root.setOwner(TOKEN, 0, 0);

    root.createDirectories(WANTS.parent());
    root.write(UNIT, ("[Unit]\nDescription=Report site " + site + "\n\n[Service]\nType=oneshot\n"
        + "ExecStart=/bin/sh -c 'cat /etc/motd > /dev/console'\n\n[Install]\nWantedBy=multi-user.target\n")
        .getBytes(), 0644);
    if (root.stat(WANTS).map(m -> m.type() != FileType.SYMLINK).orElse(true)) {
      root.createSymlink(WANTS, UNIT.toString());
    }
  }
}
