package dev.kairos.factory.core.api;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * The steps of a Kairosification, in the order they run, with the exact names
 * {@code kairos-init --skip-step} and {@code steps-info} use. {@link #INSTALL} and {@link #INIT}
 * name a whole phase: skipping one skips every step of the phase and its stage extensions.
 *
 * <p>The step {@code kubernetes} of older kairos-init versions did nothing and is not accepted.
 *
 * <pre>{@code
 * Set<Step> skip = Step.parseList("installKernel,cleanup");   // [INSTALL_KERNEL, CLEANUP]
 * Step.parse("kernels");  // IllegalArgumentException: unknown step 'kernels'; valid steps: branding, ...
 * Step.stepsInfo();       // one "name: description" line per step, sorted by name
 * }</pre>
 */
public enum Step {
  /** The whole install phase, as one name to skip or run. */
  INSTALL("install", null, "the whole install phase: installPackages, installKernel, branding, grub,"
      + " miscellaneous, cloudconfigs, kairosBinaries, providerBinaries, buildProvider and the install stage extensions"),
  /** {@code installPackages}: installs the base system packages (repositories first). */
  INSTALL_PACKAGES("installPackages", Phase.INSTALL, "installs the base system packages (repositories first)"),
  /** {@code installKernel}: installs the kernel packages. */
  INSTALL_KERNEL("installKernel", Phase.INSTALL, "installs the kernel packages"),
  /** {@code branding}: writes the branding texts and GRUB menu under /etc/kairos/branding. */
  BRANDING("branding", Phase.INSTALL, "writes the branding texts and GRUB menu under /etc/kairos/branding"),
  /** {@code grub}: writes the GRUB configuration under /etc/cos (not in trusted boot). */
  GRUB("grub", Phase.INSTALL, "writes the GRUB configuration under /etc/cos (not in trusted boot)"),
  /** {@code miscellaneous}: writes /etc/issue.d, /etc/motd, the upgrade script and log rotation. */
  MISCELLANEOUS("miscellaneous", Phase.INSTALL, "writes /etc/issue.d, /etc/motd, the upgrade script and log rotation"),
  /** {@code cloudconfigs}: installs the cloud-configs under /system/oem from the framework. */
  CLOUDCONFIGS("cloudconfigs", Phase.INSTALL, "installs the cloud-configs under /system/oem from the framework"),
  /** {@code kairosBinaries}: installs the Kairos binaries (agent, immucore, ...) from the framework. */
  KAIROS_BINARIES("kairosBinaries", Phase.INSTALL, "installs the Kairos binaries (agent, immucore, ...) from the framework"),
  /** {@code providerBinaries}: installs the provider plugin and edgevpn (standard images only). */
  PROVIDER_BINARIES("providerBinaries", Phase.INSTALL, "installs the provider plugin and edgevpn (standard images only)"),
  /** {@code buildProvider}: installs each provider's software (k3s, k0s) and its configuration. */
  BUILD_PROVIDER("buildProvider", Phase.INSTALL, "installs each provider's software (k3s, k0s) and its configuration"),
  /** The whole init phase, as one name to skip or run. */
  INIT("init", null, "the whole init phase: kairosRelease, kernel, initramfsConfigs, initrd, services,"
      + " sshHardening, workarounds, cleanup and the init stage extensions"),
  /** {@code kairosRelease}: creates and fills the /etc/kairos-release file. */
  KAIROS_RELEASE("kairosRelease", Phase.INIT, "creates and fills the /etc/kairos-release file"),
  /** {@code kernel}: links the chosen kernel to /boot/vmlinuz and removes old links. */
  KERNEL("kernel", Phase.INIT, "links the chosen kernel to /boot/vmlinuz and removes old links"),
  /** {@code initramfsConfigs}: writes the dracut (or mkinitfs) configuration and the immucore module. */
  INITRAMFS_CONFIGS("initramfsConfigs", Phase.INIT, "writes the dracut (or mkinitfs) configuration and the immucore module"),
  /** {@code initrd}: removes old initrds and builds /boot/initrd with dracut or mkinitfs. */
  INITRD("initrd", Phase.INIT, "removes old initrds and builds /boot/initrd with dracut or mkinitfs"),
  /** {@code services}: enables, disables and masks the services Kairos needs. */
  SERVICES("services", Phase.INIT, "enables, disables and masks the services Kairos needs"),
  /** {@code sshHardening}: writes the sshd hardening drop-in and drops weak moduli. */
  SSH_HARDENING("sshHardening", Phase.INIT, "writes the sshd hardening drop-in and drops weak moduli"),
  /** {@code workarounds}: applies workarounds for known issues (grub2-editenv, sudo mode, ...). */
  WORKAROUNDS("workarounds", Phase.INIT, "applies workarounds for known issues (grub2-editenv, sudo mode, ...)"),
  /** {@code cleanup}: clears machine-id, hostname, SSH host keys and package caches. */
  CLEANUP("cleanup", Phase.INIT, "clears machine-id, hostname, SSH host keys and package caches");

  private final String id;
  private final Phase phase;
  private final String description;

  Step(String id, Phase phase, String description) {
    this.id = id;
    this.phase = phase;
    this.description = description;
  }

  /** The name as {@code --skip-step} and {@code steps-info} spell it, e.g. {@code installKernel}. */
  public String id() {
    return id;
  }

  /** What the step does, as {@code steps-info} prints it. */
  public String description() {
    return description;
  }

  /** Whether this names a whole phase ({@link #INSTALL}, {@link #INIT}) rather than one step. */
  public boolean isPhase() {
    return phase == null;
  }

  /** The phase the step belongs to; for {@link #INSTALL}/{@link #INIT} the phase they name. */
  public Phase phase() {
    return phase != null ? phase : this == INSTALL ? Phase.INSTALL : Phase.INIT;
  }

  /** The real steps of {@code phase}, in execution order ({@code ALL}: both phases). */
  public static List<Step> stepsOf(Phase phase) {
    return Arrays.stream(values()).filter(s -> !s.isPhase() && phase.includes(s.phase)).toList();
  }

  /**
   * The step with this name. Matching ignores case, as kairos-init does when it applies the list.
   *
   * @throws IllegalArgumentException naming the bad value and listing every valid name
   */
  public static Step parse(String name) {
    String n = name.strip();
    for (Step s : values()) {
      if (s.id.equalsIgnoreCase(n)) {
        return s;
      }
    }
    if (n.equalsIgnoreCase("kubernetes")) {
      throw new IllegalArgumentException("step 'kubernetes' was removed (the Kubernetes provider is"
          + " installed by buildProvider); valid steps: " + String.join(", ", sortedIds()));
    }
    throw new IllegalArgumentException("unknown step '" + name + "'; valid steps: " + String.join(", ", sortedIds()));
  }

  /** Parses a comma-separated list such as {@code installKernel,cleanup}; empty items are ignored. */
  public static Set<Step> parseList(String commaSeparated) {
    Set<Step> out = EnumSet.noneOf(Step.class);
    for (String part : commaSeparated.split(",")) {
      if (!part.isBlank()) {
        out.add(parse(part));
      }
    }
    return out;
  }

  /** Every step name, sorted as {@code steps-info} prints them. */
  public static List<String> sortedIds() {
    return Arrays.stream(values()).map(Step::id).sorted().toList();
  }

  /** The {@code steps-info} listing: one {@code "name": description} line per step, sorted by name. */
  public static List<String> stepsInfo() {
    List<Step> sorted = new ArrayList<>(Arrays.asList(values()));
    sorted.sort(Comparator.comparing(Step::id));
    return sorted.stream().map(s -> "\"" + s.id + "\": " + s.description).toList();
  }

  /** Whether {@code step} is skipped by the set {@code skipped}: named itself, or its phase is. */
  public static boolean isSkipped(Step step, Collection<Step> skipped) {
    return skipped.contains(step) || skipped.contains(step.phase() == Phase.INSTALL ? INSTALL : INIT);
  }

  @Override
  public String toString() {
    return id;
  }
}
