package dev.kairos.factory.core.api.distro;

import java.util.Objects;

/**
 * One thing to do to a service at build time, per §10 of the kairos-init behaviour: on systemd
 * {@code systemctl enable|disable|mask|unmask <unit>}, on OpenRC {@code rc-update add <service> <runlevel>}.
 * Applied in list order.
 *
 * @param verb what to do
 * @param unit the unit (systemd, a bare name means {@code .service}) or the OpenRC service name
 * @param runlevel the OpenRC runlevel for {@link Verb#RC_ADD} ({@code boot}, {@code sysinit},
 *     {@code default}); empty for systemd verbs
 */
public record ServiceAction(Verb verb, String unit, String runlevel) {
  /** What a {@link ServiceAction} does. */
  public enum Verb {
    /** {@code systemctl enable}: start the unit at boot. */
    ENABLE,
    /** {@code systemctl disable}: do not start the unit at boot. */
    DISABLE,
    /** {@code systemctl mask}: the unit cannot be started at all. */
    MASK,
    /** {@code systemctl unmask}: undo a mask. */
    UNMASK,
    /** {@code rc-update add}: add an OpenRC service to a runlevel. */
    RC_ADD
  }

  /** Checks the unit name, and that a runlevel is given for {@link Verb#RC_ADD} and only for it. */
  public ServiceAction {
    Objects.requireNonNull(verb, "verb");
    if (unit == null || unit.isBlank() || unit.contains("/")) {
      throw new IllegalArgumentException("bad unit name: '" + unit + "'");
    }
    Objects.requireNonNull(runlevel, "runlevel");
    if ((verb == Verb.RC_ADD) == runlevel.isEmpty()) {
      throw new IllegalArgumentException("a runlevel is required for RC_ADD and only for it: " + verb + " " + unit + " '" + runlevel + "'");
    }
  }

  /** {@code systemctl enable unit}. */
  public static ServiceAction enable(String unit) {
    return new ServiceAction(Verb.ENABLE, unit, "");
  }

  /** {@code systemctl disable unit}. */
  public static ServiceAction disable(String unit) {
    return new ServiceAction(Verb.DISABLE, unit, "");
  }

  /** {@code systemctl mask unit}. */
  public static ServiceAction mask(String unit) {
    return new ServiceAction(Verb.MASK, unit, "");
  }

  /** {@code systemctl unmask unit}. */
  public static ServiceAction unmask(String unit) {
    return new ServiceAction(Verb.UNMASK, unit, "");
  }

  /** {@code rc-update add service runlevel} (OpenRC). */
  public static ServiceAction rcAdd(String service, String runlevel) {
    return new ServiceAction(Verb.RC_ADD, service, runlevel);
  }

  @Override
  public String toString() {
    return verb == Verb.RC_ADD ? "rc-update add " + unit + " " + runlevel
        : "systemctl " + verb.name().toLowerCase(java.util.Locale.ROOT) + " " + unit;
  }
}
