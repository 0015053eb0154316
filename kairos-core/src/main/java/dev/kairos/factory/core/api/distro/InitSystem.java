package dev.kairos.factory.core.api.distro;

/**
 * The service manager of an image: decides how services are enabled (unit symlinks or
 * {@code rc-update}) and which yip entries apply ({@code only_service_manager}).
 */
public enum InitSystem {
  /** systemd: services are enabled through unit symlinks ({@code systemctl}). */
  SYSTEMD("systemd"),
  /** OpenRC: services are added to runlevels with {@code rc-update}. */
  OPENRC("openrc");

  private final String id;

  InitSystem(String id) {
    this.id = id;
  }

  /** {@code systemd} or {@code openrc}, as yip's {@code only_service_manager} spells it. */
  public String id() {
    return id;
  }

  @Override
  public String toString() {
    return id;
  }
}
