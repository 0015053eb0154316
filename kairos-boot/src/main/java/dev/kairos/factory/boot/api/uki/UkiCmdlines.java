package dev.kairos.factory.boot.api.uki;

import java.util.Locale;
import java.util.Objects;

/**
 * The kernel command lines and file names AuroraBoot gives its UKIs. The same cmdline serves
 * installing and booting: the UKI tells them apart by firmware state, and roles come from the
 * loader entry names.
 */
public final class UkiCmdlines {
  /** What every Kairos UKI boots with. */
  public static final String BASE = "console=ttyS0 console=tty1 net.ifnames=1 rd.immucore.oemlabel=COS_OEM "
      + "rd.immucore.oemtimeout=2 rd.immucore.uki selinux=0 panic=5 rd.shell=0 systemd.crash_reboot=yes";
  /** {@link #BASE} plus {@code install-mode}: the cmdline of {@code norole.efi}. */
  public static final String DEFAULT = BASE + " install-mode";
  /** The name of the default UKI. */
  public static final String DEFAULT_NAME = "norole";

  private UkiCmdlines() {
  }

  /** {@link #DEFAULT} extended with {@code extra} ({@code --extend-cmdline}). */
  public static String extended(String extra) {
    String e = Objects.requireNonNull(extra, "extra").strip();
    return e.isEmpty() ? DEFAULT : DEFAULT + " " + e;
  }

  /**
   * The file name (without {@code .efi}) of the extra UKI for {@code extra} ({@code --extra-cmdline}):
   * {@code norole_install-mode_<extra>}, with characters outside {@code [a-zA-Z0-9._-]} as
   * {@code _} and lower-cased, e.g. {@code rd.foo=bar} gives {@code norole_install-mode_rd.foo_bar}.
   */
  public static String extraName(String extra) {
    return sanitise(DEFAULT_NAME + " " + extended(extra).substring(BASE.length() + 1));
  }

  /**
   * The name for a {@code --single-efi-cmdline} entry: the title lower-cased with spaces as
   * {@code _}, or {@code single_entry_<cmdline sanitised>} without a title.
   */
  public static String singleEntryName(String title, String cmdline) {
    if (title != null && !title.isBlank()) {
      return title.strip().toLowerCase(Locale.ROOT).replace(' ', '_');
    }
    return sanitise("single_entry_" + Objects.requireNonNull(cmdline, "cmdline").strip());
  }

  private static String sanitise(String s) {
    return s.replaceAll("[^a-zA-Z0-9._-]", "_").toLowerCase(Locale.ROOT);
  }
}
