package dev.kairos.factory.boot.internal.iso;

/**
 * The GRUB configuration of the live ISO (AuroraBoot's layout): the three-line stub that finds
 * the ISO by its kernel and hands over to {@code /boot/grub2/grub.cfg}, and that live menu.
 * Unlike AuroraBoot's menu it does not call {@code smbios} (absent from BIOS GRUB, so it printed
 * an error on every BIOS boot) and it mirrors GRUB's own menu on the first serial port.
 */
public final class LiveGrubConfig {
  private LiveGrubConfig() {}

  public static String stub() {
    return "search --no-floppy --file --set=root /boot/kernel\n"
        + "set prefix=($root)/boot/grub2\n"
        + "configfile $prefix/grub.cfg\n";
  }

  /**
   * The live menu.
   *
   * @param entryName the menu title ({@code GRUB_ENTRY_NAME} of the image, or "Kairos")
   * @param volumeId the ISO label the initrd looks for
   * @param console the console arguments ({@code console=ttyS0 console=tty1} by default)
   * @param extraCmdline appended to every entry, may be empty
   * @param timeoutSeconds how long the menu waits
   */
  public static String menu(String entryName, String volumeId, String console, String extraCmdline, int timeoutSeconds) {
    String extra = extraCmdline.isBlank() ? "" : " " + extraCmdline.strip().replace('\n', ' ');
    String common = "cdroot root=live:CDLABEL=" + volumeId + " rd.live.dir=/ rd.live.squashimg=rootfs.squashfs net.ifnames=1";
    String tail = " vga=795 nomodeset selinux=0 rd.live.overlay.overlayfs" + extra;
    StringBuilder b = new StringBuilder()
        .append("search --no-floppy --file --set=root /boot/kernel\n")
        .append("set default=0\n")
        .append("set timeout=").append(timeoutSeconds).append('\n')
        .append("set timeout_style=menu\n")
        .append("serial --unit=0 --speed=115200\n")
        .append("terminal_input console serial\n")
        .append("terminal_output console serial\n");
    entry(b, entryName, common + " " + console + " rd.cos.disable install-mode" + tail);
    entry(b, entryName + " (manual)", common + " " + console + " rd.cos.disable" + tail);
    entry(b, entryName + " (interactive install)", common + " " + console + " rd.cos.disable install-mode-interactive" + tail);
    entry(b, entryName + " (remote recovery mode)", common + " " + console + " rd.cos.disable kairos.remote_recovery_mode" + tail);
    entry(b, entryName + " (boot local node from livecd)", common + " " + console + " kairos.boot_live_mode" + tail);
    entry(b, entryName + " (debug)", common + " console=tty0 rd.debug rd.shell rd.cos.disable rd.immucore.debug" + tail);
    return b.toString();
  }

  private static void entry(StringBuilder b, String title, String cmdline) {
    b.append("menuentry \"").append(title.replace("\"", "'")).append("\" --class os --unrestricted {\n")
        .append("  echo Loading kernel...\n")
        .append("  linux ($root)/boot/kernel ").append(cmdline).append('\n')
        .append("  echo Loading initrd...\n")
        .append("  initrd ($root)/boot/initrd\n")
        .append("}\n");
  }
}
