package dev.kairos.factory.boot.api.grub;

import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * The GRUB configurations of a Kairos image, generated from its release data: the three-line
 * stub and the live menu of the ISO, the ESP chain-loader of an installed disk, the installed
 * system's {@code /etc/cos/grub.cfg} (A/B, fallback, recovery, state reset, one-shot
 * {@code next_entry}) and its {@code /etc/cos/bootargs.cfg}.
 *
 * <pre>{@code
 * GrubConfigs grub = GrubConfigs.builder().fromRelease(kairosRelease).build();
 * rootfs.writeString(ImagePath.of("/etc/cos/grub.cfg"), grub.installedMenu());
 * rootfs.writeString(ImagePath.of("/etc/cos/bootargs.cfg"), grub.bootArgs());
 * iso.file("/boot/grub2/grub.cfg", grub.liveMenu());
 * }</pre>
 */
public final class GrubConfigs {
  /** The consoles of the live menu unless replaced. */
  public static final String DEFAULT_LIVE_CONSOLE = "console=ttyS0 console=tty1";
  /** The consoles of an arm64 image's live menu unless replaced: arm64 machines' serial port is a PL011 ({@code ttyAMA0}). */
  public static final String ARM64_LIVE_CONSOLE = "console=ttyAMA0 console=tty1";

  private final String entryName;
  private final String arch;
  private final String model;
  private final String liveConsole;
  private final String extendCmdline;

  private GrubConfigs(Builder b) {
    this.entryName = b.entryName;
    this.arch = b.arch;
    this.model = b.model;
    this.liveConsole = b.liveConsole;
    this.extendCmdline = b.extendCmdline;
  }

  /** Starts with the defaults: menu "Kairos", {@code amd64}, model {@code generic}, {@link #DEFAULT_LIVE_CONSOLE}. */
  public static Builder builder() {
    return new Builder();
  }

  /** The stub at {@code /EFI/BOOT/grub.cfg} and {@code /boot/grub/grub.cfg} of an ISO: find the medium, read the menu. */
  public String isoStub() {
    return "search --no-floppy --file --set=root /boot/kernel\n"
        + "set prefix=($root)/boot/grub2\n"
        + "configfile $prefix/grub.cfg\n";
  }

  /** The ESP's {@code EFI/boot/grub.cfg} of an installed disk: chain to the menu on COS_STATE. */
  public String espChain() {
    return "search --no-floppy --label --set=root COS_STATE\n"
        + "set prefix=($root)/grub2\n"
        + "configfile ($root)/grub2/grub.cfg\n";
  }

  private boolean x86() {
    return arch.equals("amd64") || arch.equals("x86_64");
  }

  private String liveEntry(String title, String console, String before, String after, String indent) {
    String cmd = "cdroot root=live:CDLABEL=COS_LIVE rd.live.dir=/ rd.live.squashimg=rootfs.squashfs net.ifnames=1 "
        + console + join(before) + " vga=795" + (x86() ? " nomodeset" : "") + join(after)
        + " selinux=0 $thor_options rd.live.overlay.overlayfs" + extendCmdline;
    return indent + "menuentry \"" + title + "\" --class os --unrestricted {\n"
        + indent + "    echo Loading kernel...\n"
        + indent + "    linux ($root)/boot/kernel " + cmd + "\n"
        + indent + "    echo Loading initrd...\n"
        + indent + "    initrd ($root)/boot/initrd\n"
        + indent + "}\n\n";
  }

  private static String join(String tokens) {
    return tokens.isEmpty() ? "" : " " + tokens;
  }

  /**
   * The live menu at {@code /boot/grub2/grub.cfg} of the ISO, for BIOS and EFI alike. The
   * {@code smbios} probe for the NVIDIA Thor runs only on EFI, where the command exists (on BIOS it
   * printed an error on every boot).
   */
  public String liveMenu() {
    StringBuilder sb = new StringBuilder();
    sb.append("search --file --set=root /boot/kernel\n")
        .append("set default=0\n")
        .append("set timeout=10\n")
        .append("set timeout_style=menu\n\n")
        .append("if [ -f ($root)/boot/grub2/fonts/unicode.pf2 ]; then\n")
        .append("  loadfont ($root)/boot/grub2/fonts/unicode.pf2\n")
        .append("  set gfxmode=auto\n")
        .append("  insmod all_video\n")
        .append("  insmod gfxterm\n")
        .append("  terminal_output --append gfxterm\n")
        .append("fi\n\n")
        .append("if [ \"${grub_platform}\" = \"efi\" ]; then\n")
        .append("  smbios --type 4 --get-string 5 --set model\n")
        .append("  if [ \"${model}\" = \"Thor\" ]; then\n")
        .append("    set thor_options=\"pd_ignore_unused clk_ignore_unused console=ttyUTC0,115200 ")
        .append("earlycon=tegra_utc,mmio32,0xc5a0000\"\n")
        .append("  fi\n")
        .append("fi\n\n");
    sb.append(liveEntry(entryName, liveConsole, "rd.cos.disable", "install-mode", ""));
    sb.append(liveEntry(entryName + " (manual)", liveConsole, "rd.cos.disable", "", ""));
    sb.append(liveEntry(entryName.toLowerCase(Locale.ROOT) + " (interactive install)", liveConsole,
        "rd.cos.disable", "install-mode-interactive", ""));
    sb.append(liveEntry(entryName + " (remote recovery mode)", liveConsole, "rd.cos.disable",
        "kairos.remote_recovery_mode", ""));
    sb.append(liveEntry(entryName + " (boot local node from livecd)", liveConsole, "", "kairos.boot_live_mode", ""));
    sb.append(liveEntry(entryName + " (debug)", "console=tty0 rd.debug rd.shell", "rd.cos.disable",
        "rd.immucore.debug", ""));
    sb.append("submenu \"" + entryName + " (boot to RAM)\" {\n")
        .append("  menuentry \"The whole system is copied to RAM; the disk is only used for OEM and persistent data\" {\n")
        .append("    true\n")
        .append("  }\n\n")
        .append(liveEntry("Boot " + entryName + " to RAM now", liveConsole, "rd.cos.disable",
            "kairos.ram kairos.ram.create_partitions", "  ").replace("--class os --unrestricted ", ""))
        .append("}\n\n");
    sb.append("if [ \"${grub_platform}\" = \"efi\" ]; then\n")
        .append("  menuentry \"Text mode\" --hotkey t --hidden {\n")
        .append("    set textmode=true\n")
        .append("    terminal_output console\n")
        .append("  }\n")
        .append("fi\n");
    return sb.toString();
  }

  private static String installedEntry(String title, String id, String imgSetup, String extra) {
    return "menuentry \"" + title + "\" --id " + id + " {\n"
        + imgSetup
        + "  loopback -d loop0\n"
        + "  loopback loop0 /$img\n"
        + "  set root=($root)\n"
        + "  source (loop0)/etc/cos/bootargs.cfg\n"
        + "  linux (loop0)$kernel $kernelcmd ${extra_cmdline} " + extra + "\n"
        + "  initrd (loop0)$initramfs\n"
        + "}\n\n";
  }

  private static final String RECOVERY_SETUP = "  search --no-floppy --label --set=root COS_RECOVERY\n"
      + "  if [ -s ($root)/cOS/recovery.squashfs ]; then\n"
      + "    set img=/cOS/recovery.squashfs\n"
      + "    set recoverylabel=COS_RECOVERY\n"
      + "  else\n"
      + "    set img=/cOS/recovery.img\n"
      + "  fi\n"
      + "  set label=COS_SYSTEM\n";

  /** The installed system's {@code /etc/cos/grub.cfg} (copied to {@code COS_STATE:/grub2/grub.cfg} at install). */
  public String installedMenu() {
    StringBuilder sb = new StringBuilder();
    sb.append("set timeout=10\n")
        .append("set kernel=/boot/vmlinuz\n")
        .append("set initramfs=/boot/initrd\n\n");
    for (String[] f : new String[][] {{"env", "/grubenv"}, {"oem", "/grub_oem_env"}, {"menu", "/grubmenu"},
        {"custom", "/grubcustom"}}) {
      sb.append("set ").append(f[0]).append("_file=\"").append(f[1]).append("\"\n")
          .append("search --no-floppy --file --set=").append(f[0]).append("_blk \"${").append(f[0])
          .append("_file}\"\n");
    }
    sb.append("\nif [ \"${oem_blk}\" ]; then\n  load_env -f \"(${oem_blk})${oem_file}\"\nfi\n")
        .append("if [ \"${env_blk}\" ]; then\n  load_env -f \"(${env_blk})${env_file}\"\nfi\n\n")
        .append("if [ \"${next_entry}\" ]; then\n")
        .append("  set default=\"${next_entry}\"\n")
        .append("  set selected_entry=\"${next_entry}\"\n")
        .append("  set next_entry=\n")
        .append("  save_env -f \"(${env_blk})${env_file}\" next_entry\n")
        .append("else\n")
        .append("  set default=\"${saved_entry}\"\n")
        .append("fi\n\n")
        .append("if [ \"${default_menu_entry}\" ]; then\n")
        .append("  set display_name=\"${default_menu_entry}\"\n")
        .append("else\n")
        .append("  set display_name=\"").append(entryName).append("\"\n")
        .append("fi\n\n")
        .append("if [ \"${default_fallback}\" ]; then\n")
        .append("  set fallback=\"${default_fallback}\"\n")
        .append("else\n")
        .append("  set fallback=\"0 1 2\"\n")
        .append("fi\n\n")
        .append("insmod all_video\ninsmod loopback\ninsmod squash4\ninsmod serial\n")
        .append("if [ \"${grub_platform}\" = \"efi\" ]; then\n")
        .append("  # TPM measurements of loopback reads hang some firmware (Ubuntu bug 1851311).\n")
        .append("  rmmod tpm\n")
        .append("fi\n\n");
    String state = "  search --no-floppy --label --set=root COS_STATE\n";
    sb.append(installedEntry("${display_name}", "cos", state + "  set img=/cOS/active.img\n  set label=COS_ACTIVE\n",
        "${extra_active_cmdline}"));
    sb.append(installedEntry("${display_name} (fallback)", "fallback",
        state + "  set img=/cOS/passive.img\n  set label=COS_PASSIVE\n", "${extra_passive_cmdline}"));
    sb.append(installedEntry("${display_name} recovery", "recovery", RECOVERY_SETUP, "${extra_recovery_cmdline}"));
    sb.append(installedEntry("${display_name} state reset (auto)", "statereset", RECOVERY_SETUP,
        "vga=795 nomodeset kairos.reset"));
    sb.append("if [ \"${menu_blk}\" ]; then\n  source \"(${menu_blk})${menu_file}\"\nfi\n")
        .append("if [ \"${custom_blk}\" ]; then\n  source \"(${custom_blk})${custom_file}\"\nfi\n");
    return sb.toString();
  }

  /**
   * {@code /etc/cos/bootargs.cfg}: sets {@code $kernelcmd} from {@code $label}, {@code $img} and
   * (for a squashfs recovery) {@code $recoverylabel}, with the consoles and quirks of the model.
   */
  public String bootArgs() {
    String consoles = switch (model) {
      case "rpi3", "rpi4" -> "console=ttyS0,115200 console=tty1 modprobe.blacklist=vc4 8250.nr_uarts=1 cgroup_enable=memory";
      case "nvidia-jetson-agx-orin" -> "console=ttyTCU0,115200 console=tty1";
      case "nvidia-jetson-orin-nx" -> "console=ttyTCU0,115200 console=ttyAMA0,115200 console=tty1";
      default -> "console=ttyS0 console=tty1";
    };
    String common = consoles + " net.ifnames=1 rd.cos.oemlabel=COS_OEM rd.cos.oemtimeout=10 panic=5 "
        + "rd.emergency=reboot rd.shell=0 systemd.crash_reboot=yes";
    return "set kernel=/boot/vmlinuz\n"
        + "set initramfs=/boot/initrd\n"
        + "if [ -n \"${recoverylabel}\" ]; then\n"
        + "  set kernelcmd=\"" + common + " root=live:LABEL=${recoverylabel} rd.live.dir=/ "
        + "rd.live.squashimg=${img} selinux=0\"\n"
        + "else\n"
        + "  set kernelcmd=\"" + common + " root=LABEL=${label} cos-img/filename=${img} selinux=0\"\n"
        + "fi\n";
  }

  /** Branding and target of the configurations. */
  public static final class Builder {
    private String entryName = "Kairos";
    private String arch = "amd64";
    private String model = "generic";
    private String liveConsole = DEFAULT_LIVE_CONSOLE;
    private String extendCmdline = "";

    private Builder() {
    }

    /**
     * Takes the menu name ({@code GRUB_ENTRY_NAME}), architecture ({@code KAIROS_TARGETARCH} or
     * {@code KAIROS_ARCH}) and model ({@code KAIROS_MODEL}) from {@code /etc/kairos-release} keys.
     */
    public Builder fromRelease(Map<String, String> release) {
      String name = release.get("GRUB_ENTRY_NAME");
      if (name != null && !name.isBlank()) {
        entryName(name);
      }
      String a = release.getOrDefault("KAIROS_TARGETARCH", release.get("KAIROS_ARCH"));
      if (a != null && !a.isBlank()) {
        arch(a);
      }
      String m = release.get("KAIROS_MODEL");
      if (m != null && !m.isBlank()) {
        model(m);
      }
      return this;
    }

    /** The menu title (default "Kairos"). */
    public Builder entryName(String name) {
      if (name == null || name.isBlank() || name.contains("\"") || name.contains("\n") || name.contains("$")) {
        throw new IllegalArgumentException("not a usable grub menu name: '" + name + "'");
      }
      this.entryName = name.strip();
      return this;
    }

    /** The target architecture, e.g. {@code amd64} or {@code arm64}. */
    public Builder arch(String arch) {
      String a = Objects.requireNonNull(arch, "arch").strip().toLowerCase(Locale.ROOT);
      if (!a.matches("[a-z0-9_]+")) {
        throw new IllegalArgumentException("not an architecture: '" + arch + "'");
      }
      this.arch = a;
      return this;
    }

    /** The board model ({@code generic}, {@code rpi4}, ...). */
    public Builder model(String model) {
      String m = Objects.requireNonNull(model, "model").strip();
      if (!m.matches("[A-Za-z0-9._-]+")) {
        throw new IllegalArgumentException("not a model name: '" + model + "'");
      }
      this.model = m;
      return this;
    }

    /** Replaces the live consoles ({@code --live-console}). */
    public Builder liveConsole(String console) {
      this.liveConsole = clean(console, "live console");
      return this;
    }

    /** Appended to every live cmdline ({@code extend-live-cmdline}). */
    public Builder extendCmdline(String extra) {
      String e = clean(extra, "extended cmdline");
      this.extendCmdline = e.isEmpty() ? "" : " " + e;
      return this;
    }

    private static String clean(String s, String what) {
      String c = Objects.requireNonNull(s, what).replace("\n", " ").replace("\r", " ").strip();
      if (c.contains("\"")) {
        throw new IllegalArgumentException("a " + what + " cannot contain '\"': '" + s + "'");
      }
      return c;
    }

    /** The configurations for the settings given so far. */
    public GrubConfigs build() {
      return new GrubConfigs(this);
    }
  }
}
