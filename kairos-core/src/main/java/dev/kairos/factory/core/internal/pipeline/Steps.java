package dev.kairos.factory.core.internal.pipeline;

import dev.kairos.factory.core.api.InvalidInputException;
import dev.kairos.factory.core.api.KairosException;
import dev.kairos.factory.core.api.LogLevel;
import dev.kairos.factory.core.api.Provider;
import dev.kairos.factory.core.api.Step;
import dev.kairos.factory.core.api.distro.Architecture;
import dev.kairos.factory.core.api.distro.DistroQuirks;
import dev.kairos.factory.core.api.distro.DistroStrategy;
import dev.kairos.factory.core.api.distro.Family;
import dev.kairos.factory.core.api.distro.InitSystem;
import dev.kairos.factory.core.api.distro.Model;
import dev.kairos.factory.core.api.distro.PackageManager;
import dev.kairos.factory.core.api.distro.KernelImage;
import dev.kairos.factory.core.api.distro.PackageSelection;
import dev.kairos.factory.core.api.distro.PackageSet;
import dev.kairos.factory.core.api.distro.ServiceAction;
import dev.kairos.factory.core.api.event.KairosEvent;
import dev.kairos.factory.core.api.fs.FileMetadata;
import dev.kairos.factory.core.api.fs.FileType;
import dev.kairos.factory.core.api.fs.ImagePath;
import dev.kairos.factory.core.api.fs.RootFs;
import dev.kairos.factory.core.api.release.KairosRelease;
import dev.kairos.factory.core.api.run.Command;
import dev.kairos.factory.core.internal.fs.KeptAside;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What each step does, as a list of {@link Action}s planned against the image as it is when its
 * phase starts (kairos-init also builds a whole phase before running it). The facts follow
 * kairos-init's behaviour; where it is buggy (several kernel links, a re-run failing on the
 * {@code /usr/bin/kairos} link, {@code /boot} made 0644) the code says what it does instead.
 */
final class Steps {
  static final ImagePath BOOT = ImagePath.of("/boot");
  static final ImagePath VMLINUZ = KernelImage.VMLINUZ;
  private static final ImagePath IMAGE = ImagePath.of("/boot/Image");
  static final ImagePath INITRD = ImagePath.of("/boot/initrd");
  static final ImagePath OEM = ImagePath.of("/system/oem");
  static final ImagePath PROVIDERS = ImagePath.of("/system/providers");
  static final ImagePath EDGEVPN = ImagePath.of("/usr/bin/edgevpn");
  static final ImagePath IMMUCORE = ImagePath.of("/usr/bin/immucore");
  static final ImagePath DRACUT_CONF = ImagePath.of("/etc/dracut.conf.d");
  static final ImagePath IMMUCORE_MODULE = ImagePath.of("/usr/lib/dracut/modules.d/28immucore");
  private static final String FILES = "files/";

  /** What a build without a framework lacks, said once when the binaries would be installed. */
  static final String NO_FRAMEWORK = "no framework given: the image has no kairos-agent (no install, upgrade,"
      + " reset or recovery), no immucore (no A/B boot; the initrd boots with plain dracut), no cloud-configs in"
      + " /system/oem (no kairos user, no datasources) and no kcrypt challenger";

  private Steps() {}

  /**
   * The actions of {@code step}.
   *
   * @param kernel the kernel the init phase works on, empty in a dry run before it is installed
   */
  static List<Action> plan(Step step, StepContext ctx, Optional<String> kernel) throws IOException {
    return switch (step) {
      case INSTALL_PACKAGES -> installPackages(ctx);
      case INSTALL_KERNEL -> installKernel(ctx);
      case BRANDING -> branding();
      case GRUB -> grub(ctx);
      case MISCELLANEOUS -> miscellaneous();
      case CLOUDCONFIGS -> cloudconfigs(ctx);
      case KAIROS_BINARIES -> kairosBinaries(ctx);
      case PROVIDER_BINARIES -> providerBinaries(ctx);
      case BUILD_PROVIDER -> buildProvider(ctx);
      case KAIROS_RELEASE -> List.of(new Action.MergeRelease(KairosRelease.keys(ctx.distro(), ctx.options(), ctx.initVersion())));
      case KERNEL -> kernel.isPresent() ? kernel(ctx, kernel.get()) : List.of(new Action.Deferred(
          "link " + VMLINUZ + " to the kernel chosen from /lib/modules when the init phase starts", c -> {}));
      case INITRAMFS_CONFIGS -> initramfsConfigs(ctx);
      case INITRD -> initrd(ctx, kernel);
      case SERVICES -> services(ctx);
      case SSH_HARDENING -> sshHardening(ctx);
      case WORKAROUNDS -> workarounds(ctx);
      case CLEANUP -> cleanup(ctx);
      case INSTALL, INIT -> throw new IllegalArgumentException("a phase is not a step: " + step);
    };
  }

  /**
   * Actions that must run even when a step fails: the package manager's service-start blockers
   * are removed again. Empty for steps that place none.
   */
  static List<Action> always(Step step, StepContext ctx) throws IOException {
    if ((step != Step.INSTALL_PACKAGES && step != Step.INSTALL_KERNEL) || !hasPackageManager(ctx)) {
      return List.of();
    }
    PackageManager pm = packageManager(ctx);
    List<Action> out = new ArrayList<>(LockSteps.tearDown(ctx, pm));
    for (PackageManager.TemporaryFile t : temporaryFiles(pm)) {
      out.add(new Action.Deferred("remove our " + t.path() + " and put the image's own back, if it had one",
          c -> KEPT.putBack(c.root(), t.path())));
    }
    return out;
  }

  // ------------------------------------------------------------------ install phase

  private static boolean hasPackageManager(StepContext ctx) {
    return ctx.distro().family() != Family.HADRON;
  }

  private static PackageManager packageManager(StepContext ctx) throws IOException {
    return ctx.strategy().packageManager(ctx.distro());
  }

  static PackageSet packages(StepContext ctx) throws IOException {
    return ctx.strategy().packages(PackageSelection.builder(ctx.distro()).arch(ctx.options().arch())
        .model(ctx.options().model()).trustedBoot(ctx.options().trustedBoot()).fips(ctx.options().fips()).build());
  }

  /** Where the install phase keeps an image's own file while a temporary file of ours takes its path. */
  static final KeptAside KEPT = KeptAside.by("kairos-kept");

  /** The most bytes of a {@link DistroStrategy.DatedFile} read (a JRE's trust store is about 200 KB). */
  static final long MAX_DATED_FILE = 64L << 20;

  /** Writes the package manager's service-start blockers and install shims, which {@link #always} removes. */
  private static List<Action> blockers(PackageManager pm) {
    List<Action> out = new ArrayList<>();
    for (PackageManager.TemporaryFile t : temporaryFiles(pm)) {
      // a base may ship a file of its own at that path (its own policy-rc.d): it is kept, not lost
      out.add(new Action.Deferred("keep the image's own " + t.path() + " aside, if it has one",
          c -> KEPT.makeWay(c.root(), t.path(), c.events())));
      out.add(new Action.WriteFile(t.path(), t.content().getBytes(StandardCharsets.UTF_8), t.mode()));
    }
    return out;
  }

  private static List<PackageManager.TemporaryFile> temporaryFiles(PackageManager pm) {
    List<PackageManager.TemporaryFile> all = new ArrayList<>(pm.serviceStartBlockers());
    all.addAll(pm.installShims());
    return all;
  }

  private static List<Action> installPackages(StepContext ctx) throws IOException {
    if (!hasPackageManager(ctx)) {
      return List.of(); // Hadron ships everything
    }
    if (ctx.options().fips() && ctx.distro().distro().equals("ubuntu")) {
      throw new KairosException("FIPS is not supported on Ubuntu without a PRO account and extra packages;"
          + " see the Kairos ubuntu-fips example");
    }
    PackageManager pm = packageManager(ctx);
    List<Action> out = new ArrayList<>();
    boolean alpine = ctx.distro().family() == Family.ALPINE;
    if (alpine) {
      // keep grub-probe and mkinitfs package triggers from running against the build host's devices
      out.add(Action.write("/etc/update-grub.conf", "disable_trigger=1\n", 0644));
      out.add(Action.write("/etc/mkinitfs/mkinitfs.conf", "disable_trigger=true\n", 0644));
    }
    out.addAll(blockers(pm));
    out.addAll(LockSteps.setUp(ctx, pm));
    pm.addRepositories(ctx.options().model()).forEach(c -> out.add(new Action.Run(c)));
    out.add(new Action.Run(pm.refresh()));
    out.add(LockSteps.run(ctx, pm, pm.upgrade()));
    List<String> base = packages(ctx).base();
    if (!base.isEmpty()) {
      Command install = withoutInitrdHook(pm.install(base));
      prefetch(ctx, pm, install).ifPresent(out::add);
      out.add(LockSteps.run(ctx, pm, install));
    }
    if (alpine) {
      ImagePath conf = ImagePath.of("/etc/mkinitfs/mkinitfs.conf");
      out.add(new Action.Deferred("restore " + conf + " from " + conf + ".apk-new if the package left one", c -> {
        ImagePath fresh = ImagePath.of(conf + ".apk-new");
        if (c.root().isRegularFile(fresh)) {
          c.root().write(conf, c.root().readAllBytes(fresh));
          c.root().delete(fresh);
        }
      }));
    }
    return out;
  }

  /** The prefetch before {@code install}, when the build asked for parallel downloads and the package manager can list them. */
  private static Optional<Action> prefetch(StepContext ctx, PackageManager pm, Command install) {
    return ctx.parallelDownloads() > 0 ? PackagePrefetch.before(pm, install, ctx.parallelDownloads()) : Optional.empty();
  }

  private static List<Action> installKernel(StepContext ctx) throws IOException {
    if (!hasPackageManager(ctx)) {
      return List.of();
    }
    PackageManager pm = packageManager(ctx);
    List<Action> out = new ArrayList<>(blockers(pm));
    out.addAll(LockSteps.setUp(ctx, pm));
    out.add(new Action.Run(pm.refresh()));
    out.add(LockSteps.run(ctx, pm, pm.upgrade()));
    List<String> kernel = packages(ctx).kernel();
    if (!kernel.isEmpty()) {
      Command install = withoutInitrdHook(pm.install(kernel));
      prefetch(ctx, pm, install).ifPresent(out::add);
      out.add(LockSteps.run(ctx, pm, install));
    } else {
      ctx.events().log(KairosEvent.Level.WARN, "installKernel: no kernel package is known for " + ctx.distro()
          + " (model " + ctx.options().model() + "); the image must bring its own kernel");
    }
    return out;
  }

  /**
   * {@code install} with {@code INITRD=No}: Debian's kernel and dracut hooks then make no initrd,
   * which the initrd step would delete anyway (it builds the one the image boots with).
   */
  private static Command withoutInitrdHook(Command install) {
    return install.toBuilder().env("INITRD", "No").build();
  }

  private static List<Action> branding() {
    List<Action> out = new ArrayList<>();
    for (String f : List.of("grubmenu.cfg", "interactive_install_text", "recovery_text", "reset_text", "install_text")) {
      out.add(new Action.WriteFile(ImagePath.of("/etc/kairos/branding").resolve(f), resource("branding/" + f), 0644));
    }
    return out;
  }

  private static List<Action> grub(StepContext ctx) {
    if (ctx.options().trustedBoot()) {
      return List.of(); // a UKI carries its own command line; no GRUB
    }
    return List.of(new Action.WriteFile(ImagePath.of("/etc/cos/grub.cfg"), resource("grub.cfg"), 0644),
        new Action.WriteFile(ImagePath.of("/etc/cos/bootargs.cfg"), resource("bootargs.cfg"), 0644));
  }

  private static List<Action> miscellaneous() {
    return List.of(new Action.WriteFile(ImagePath.of("/etc/issue.d/01-KAIROS"), resource("issue"), 0644),
        new Action.WriteFile(ImagePath.of("/etc/motd"), resource("motd"), 0644),
        new Action.WriteFile(ImagePath.of("/usr/sbin/suc-upgrade"), resource("suc-upgrade"), 0755),
        new Action.WriteFile(ImagePath.of("/etc/logrotate.d/kairos"), resource("logrotate"), 0644));
  }

  private static List<Action> cloudconfigs(StepContext ctx) {
    if (ctx.framework().isEmpty()) {
      return List.of(warn("cloudconfigs: " + NO_FRAMEWORK));
    }
    return List.of(overlay("overlay " + OEM + " from the framework", ctx.framework().get(),
        p -> OEM.contains(p) || p.contains(OEM)));
  }

  private static List<Action> kairosBinaries(StepContext ctx) {
    if (ctx.framework().isEmpty()) {
      return List.of(warn("kairosBinaries: " + NO_FRAMEWORK));
    }
    ImagePath installerSlot = ImagePath.of("/system/installer/installer");
    ImagePath installer = ImagePath.of("/system/installer/kairos-installer");
    return List.of(new Action.Deferred("overlay the framework (agent, immucore, kcrypt challenger, installer,"
        + " units, dracut module) except " + OEM + ", " + PROVIDERS + " and " + EDGEVPN, c -> {
          // a user-provided installer (override slot or an existing one) wins over the framework's
          boolean keepInstaller = c.root().exists(installerSlot) || c.root().exists(installer);
          List<ImagePath> copied = TreeCopy.overlay(c.framework().get(), c.root(), p -> !(OEM.contains(p)
              || PROVIDERS.contains(p) || EDGEVPN.equals(p) || (keepInstaller && installer.equals(p))));
          c.events().log(KairosEvent.Level.INFO, "kairosBinaries: " + copied.size() + " files from the framework");
        }));
  }

  private static List<Action> providerBinaries(StepContext ctx) {
    if (ctx.options().providers().isEmpty()) {
      return List.of(); // core image
    }
    if (ctx.framework().isEmpty()) {
      return List.of(warn("providerBinaries: no framework given, so no provider plugin (agent-provider-kairos)"
          + " and no edgevpn: the image cannot bootstrap its Kubernetes cluster"));
    }
    ImagePath plugin = PROVIDERS.resolve("agent-provider-kairos");
    return List.of(overlay("overlay " + PROVIDERS + " and " + EDGEVPN + " from the framework", ctx.framework().get(),
        p -> PROVIDERS.contains(p) || p.contains(PROVIDERS) || EDGEVPN.equals(p)),
        new Action.Deferred("link /usr/bin/kairos -> " + plugin + " when the plugin is there", c -> {
          ImagePath kairos = ImagePath.of("/usr/bin/kairos");
          // the newer framework ships /usr/bin/kairos as a real multi-call binary: keep it then
          boolean realBinary = c.root().stat(kairos).map(m -> m.type() == FileType.REGULAR).orElse(false);
          if (c.root().exists(plugin) && !realBinary) {
            new Action.Link(kairos, plugin.toString()).apply(c);
          }
        }));
  }

  private static List<Action> buildProvider(StepContext ctx) throws IOException {
    List<Action> out = new ArrayList<>();
    for (Provider p : ctx.options().providers()) {
      RootFs tree = ctx.providerTrees().get(p.name());
      if (tree != null) {
        out.add(overlay("overlay provider " + p + " from " + p.source().description(), tree, x -> true));
      }
      if (p.config().isPresent()) {
        out.add(new Action.WriteFile(ImagePath.of(p.configPath()), Files.readAllBytes(p.config().get()), 0600));
      }
    }
    return out;
  }

  // ------------------------------------------------------------------ init phase

  /** kairos-init's kernel link rules (§9.2); the first rule that applies wins, the others are reported. */
  private static List<Action> kernel(StepContext ctx, String k) throws IOException {
    RootFs root = ctx.root();
    List<Action> out = new ArrayList<>();
    if (!root.isDirectory(BOOT)) {
      out.add(new Action.MakeDirectory(BOOT, 0755)); // kairos-init makes it 0644, which nothing can enter
    }
    for (String old : List.of("/boot/vmlinuz", "/boot/Image", "/boot/.vmlinuz.hmac")) {
      if (isSymlink(root, ImagePath.of(old))) {
        out.add(new Action.Remove(ImagePath.of(old)));
      }
    }
    if (root.exists(ImagePath.of("/boot/vmlinuz.old"))) {
      out.add(new Action.Remove(ImagePath.of("/boot/vmlinuz.old")));
    }
    Architecture arch = ctx.options().arch();
    ImagePath debugKernel = BOOT.resolve("vmlinux-" + k);
    if ((arch == Architecture.AMD64 || arch == Architecture.ARM64) && root.exists(debugKernel)) {
      out.add(new Action.Remove(debugKernel));
    }
    ImagePath versioned = BOOT.resolve("vmlinuz-" + k);
    ImagePath modulesKernel = ImagePath.of("/usr/lib/modules/" + k + "/vmlinuz");
    boolean copyFromModules = ctx.distro().family() == Family.REDHAT && !root.exists(versioned) && root.exists(modulesKernel);
    if (copyFromModules) {
      out.add(new Action.Deferred("copy " + modulesKernel + " to " + versioned, Optional.of(versioned),
          c -> new Action.WriteFile(versioned, c.root().readAllBytes(modulesKernel), 0755).apply(c)));
    }
    List<Action> links = new ArrayList<>();
    List<ImagePath> candidates = KernelImage.candidates(k, arch);
    for (ImagePath c : candidates) {
      if (c.equals(modulesKernel)) {
        continue; // copied to vmlinuz-K above where kairos-init does (RHEL family)
      }
      boolean present = c.equals(versioned) ? root.exists(versioned) || copyFromModules : root.exists(c);
      if (!present || c.equals(IMAGE) && isSymlink(root, c)) {
        continue; // a /boot/Image symlink is an old link, removed above
      }
      // riscv64's uncompressed kernel is linked with a relative target, as kairos-init does
      links.add(new Action.Link(VMLINUZ, c.fileName().startsWith("vmlinux-") ? c.fileName() : c.toString()));
    }
    if (links.isEmpty()) {
      throw new KairosException("kernel " + k + " (from /lib/modules) has no image: looked for " + candidates);
    }
    if (links.size() > 1) {
      ctx.events().log(KairosEvent.Level.WARN, "kernel: several kernel images match; using "
          + ((Action.Link) links.get(0)).target() + ", ignoring " + links.subList(1, links.size()).stream()
          .map(l -> ((Action.Link) l).target()).toList());
    }
    out.add(links.get(0));
    ImagePath hmac = BOOT.resolve("." + "vmlinuz-" + k + ".hmac");
    if (root.exists(hmac)) {
      out.add(new Action.Link(ImagePath.of("/boot/.vmlinuz.hmac"), hmac.toString()));
    }
    return out;
  }

  private static boolean isSymlink(RootFs root, ImagePath p) throws IOException {
    return root.stat(p).map(m -> m.type() == FileType.SYMLINK).orElse(false);
  }

  private static List<Action> initramfsConfigs(StepContext ctx) throws IOException {
    if (ctx.options().trustedBoot()) {
      return List.of(); // the UKI's initramfs is made when the UKI is built
    }
    Family family = ctx.distro().family();
    if (family == Family.ALPINE) {
      return alpineInitramfs(ctx);
    }
    List<Action> out = new ArrayList<>();
    DistroQuirks quirks = ctx.strategy().quirks(ctx.distro(), ctx.root());
    boolean listed = family == Family.DEBIAN || family == Family.REDHAT || family == Family.SUSE;
    boolean listedOrHadron = listed || family == Family.HADRON;
    if (listed) {
      out.add(dracut("kairos-pmem.conf", "add_drivers+=\" nfit libnvdimm nd_pmem dax_pmem \"\n"));
    }
    if (listedOrHadron) {
      out.add(dracut("kairos-xhci-renesas.conf", "# Renesas USB 3 controllers, as BMC virtual media uses them\n"
          + "add_drivers+=\" xhci_pci_renesas \"\n"));
      if (quirks.sysextInInitramfs()) {
        out.add(dracut("kairos-sysext.conf", "add_dracutmodules+=\" systemd-sysext \"\n"));
      }
      if (!quirks.dracutNetworkModules().isEmpty()) {
        out.add(dracut("kairos-network.conf", "add_dracutmodules+=\" " + String.join(" ", quirks.dracutNetworkModules()) + " \"\n"));
      }
      // immucore only when the framework brought it: its dracut module refuses to build without it
      boolean immucore = ctx.root().exists(IMMUCORE);
      out.add(dracut("99-immucore.conf", "hostonly_cmdline=\"no\"\nhostonly=\"no\"\ncompress=\"xz\"\n"
          + "i18n_install_all=\"yes\"\nshow_modules=\"yes\"\ninstall_items+=\" /etc/hosts \"\n"
          + "add_dracutmodules+=\" livenet dmsquash-live " + (immucore ? "immucore " : "") + "network \"\n"));
      if (immucore) {
        out.add(new Action.WriteFile(IMMUCORE_MODULE.resolve("module-setup.sh"), resource("dracut/28immucore/module-setup.sh"), 0755));
        out.add(new Action.WriteFile(IMMUCORE_MODULE.resolve("generator.sh"), resource("dracut/28immucore/generator.sh"), 0755));
        out.add(new Action.WriteFile(IMMUCORE_MODULE.resolve("immucore.service"), resource("dracut/28immucore/immucore.service"), 0644));
      } else {
        out.add(warn("initramfsConfigs: no /usr/bin/immucore (no framework): the initrd gets no immucore module"));
      }
      boolean oldUbuntu = ctx.distro().distro().equals("ubuntu") && !ctx.distro().version().matches("(2[1-9]|[3-9][0-9]).+");
      if (!oldUbuntu) {
        out.add(dracut("kairos-multipath.conf", "add_dracutmodules+=\" multipath \"\n"));
      }
    }
    Model model = ctx.options().model();
    if (model == Model.NVIDIA_JETSON_AGX_ORIN || model == Model.NVIDIA_JETSON_ORIN_NX) {
      out.add(dracut("kairos-skip-scsi.conf", "omit_dracutmodules+=\" iscsi \"\n"));
      for (String unit : List.of("iscsi", "open-iscsi", "iscsid.socket")) {
        out.add(new Action.Deferred("systemctl disable " + unit + " (if installed)", c -> {
          try {
            OfflineServices.apply(c, ServiceAction.disable(unit));
          } catch (KairosException e) {
            c.events().log(KairosEvent.Level.DEBUG, "not disabled: " + e.getMessage()); // kairos-init: || true
          }
        }));
      }
    }
    if (model == Model.NVIDIA_JETSON_THOR) {
      out.add(dracut("kairos-skip-nvidia.conf", "omit_drivers+=\" nvidia nvidia_drm nvidia_modeset nvidia_uvm \"\n"));
    }
    if (ctx.options().fips() && listedOrHadron && !ctx.distro().distro().equals("ubuntu")) {
      out.add(dracut("kairos-fips.conf", "omit_dracutmodules+=\" iscsi iscsiroot \"\nadd_dracutmodules+=\" fips \"\n"));
    }
    return out;
  }

  private static Action dracut(String name, String content) {
    return new Action.WriteFile(DRACUT_CONF.resolve(name), content.getBytes(StandardCharsets.UTF_8), 0644);
  }

  private static List<Action> alpineInitramfs(StepContext ctx) {
    return List.of(
        Action.write("/usr/sbin/cos-setup-reconcile", "#!/bin/sh\n# Runs the Kairos reconcile stage periodically (OpenRC has no timers).\n"
            + "while :; do\n  kairos-agent run-stage reconcile\n  sleep \"${SLEEP_TIME:-360}\"\ndone\n", 0755),
        Action.write("/etc/mkinitfs/features.d/immucore.files", String.join("\n", "/sbin/lsblk", "/bin/findmnt",
            "/sbin/udevadm", "/sbin/lvm", "/sbin/blkid", "/sbin/udevd", "/sbin/dmsetup", "/sbin/e2fsck", "/sbin/openrc",
            "/sbin/openrc-run", "/sbin/mkfs.*", "/lib/udev/rules.d/*", "/etc/udev/rules.d/*", "/lib/libudev*",
            "/usr/bin/immucore", "/usr/bin/kairos-agent", "/usr/bin/rsync", "/usr/bin/dbus-uuidgen", "/usr/sbin/multipath") + "\n", 0644),
        Action.write("/etc/mkinitfs/features.d/tpm.modules", "kernel/drivers/char/tpm/\n", 0644),
        Action.write("/etc/mkinitfs/mkinitfs.conf", "features=\"ata base cdrom ext4 ext2 keymap kms mmc lvm nvme raid scsi"
            + " usb network dhcp virtio zfs squashfs immucore tpm cryptsetup kms mmc xfs multipath\"\n", 0644),
        warn("initramfsConfigs: Kairos' own Alpine initramfs-init script is not bundled; mkinitfs uses its default init"));
  }

  private static List<Action> initrd(StepContext ctx, Optional<String> kernel) {
    List<Action> out = new ArrayList<>();
    out.add(new Action.RemoveMatching(BOOT, "initrd*"));
    out.add(new Action.RemoveMatching(BOOT, "initramfs*"));
    if (ctx.options().trustedBoot()) {
      return out; // the UKI's initramfs is made when the UKI is built
    }
    if (kernel.isEmpty()) {
      out.add(new Action.Deferred("build " + INITRD + " with " + ctx.strategy().initrdTool().program()
          + " for the kernel chosen when the init phase starts", c -> {}));
      return out;
    }
    for (Command c : ctx.strategy().initrdCommands(ctx.distro(), kernel.get(), INITRD)) {
      boolean verbose = ctx.options().logLevel() == LogLevel.TRACE && c.argv().get(0).equals("dracut");
      if (verbose) {
        List<String> argv = new ArrayList<>(c.argv());
        argv.add(1, "-v");
        c = Command.builder(argv.toArray(String[]::new)).env(c.env()).timeout(c.timeout()).build();
      }
      out.add(new Action.Run(c));
    }
    return out;
  }

  private static List<Action> services(StepContext ctx) throws IOException {
    List<Action> out = new ArrayList<>();
    for (ServiceAction a : ctx.strategy().services(ctx.distro(), ctx.root())) {
      out.add(new Action.Deferred(a.toString(), c -> OfflineServices.apply(c, a)));
    }
    if (ctx.distro().initSystem() == InitSystem.SYSTEMD) {
      out.add(Action.write("/etc/systemd/system/systemd-networkd-wait-online.service.d/override-yip.conf",
          "[Service]\nExecStart=\nExecStart=/usr/lib/systemd/systemd-networkd-wait-online --any\n", 0644));
    }
    return out;
  }

  private static final Pattern OPENSSH = Pattern.compile("OpenSSH_([0-9]+)\\.([0-9]+)");

  private static List<Action> sshHardening(StepContext ctx) throws IOException {
    ImagePath etcSsh = ImagePath.of("/etc/ssh");
    ImagePath dropIn = ImagePath.of("/etc/ssh/sshd_config.d/05-kairos-hardening.conf");
    if (!ctx.root().isDirectory(etcSsh)) {
      return List.of();
    }
    return List.of(new Action.Deferred("write " + dropIn + " when OpenSSH is 8.5 or newer", Optional.of(dropIn), c -> {
      String out = c.probe(Command.of("/bin/sh", "-c", "sshd -h 2>&1 | grep -oE 'OpenSSH_[0-9]+\\.[0-9]+' | head -n1"))
          .outputTail();
      Matcher m = OPENSSH.matcher(out);
      if (m.find() && (Integer.parseInt(m.group(1)) > 8 || (Integer.parseInt(m.group(1)) == 8 && Integer.parseInt(m.group(2)) >= 5))) {
        new Action.WriteFile(dropIn, resource("sshd-hardening.conf"), 0644).apply(c);
      } else {
        c.events().log(KairosEvent.Level.WARN, "sshHardening: OpenSSH older than 8.5 or not found ('" + out.strip()
            + "'); no hardening drop-in written");
      }
    }), new Action.Deferred("keep only moduli of 2048 bits and more in /etc/ssh/moduli", Steps::strongModuli));
  }

  /** Keeps the rows of {@code /etc/ssh/moduli} whose size (column 5) is at least 2047, as the awk filter does. */
  private static void strongModuli(StepContext c) throws IOException {
    ImagePath moduli = ImagePath.of("/etc/ssh/moduli");
    if (!c.root().isRegularFile(moduli)) {
      return;
    }
    StringBuilder kept = new StringBuilder();
    for (String line : c.root().readString(moduli).split("\n")) {
      String[] cols = line.strip().split("\\s+");
      if (cols.length >= 5 && cols[4].matches("[0-9]+") && Long.parseLong(cols[4]) >= 2047) {
        kept.append(line).append('\n');
      }
    }
    if (kept.length() == 0) {
      throw new KairosException("/etc/ssh/moduli has no modulus of 2048 bits or more; refusing to empty it");
    }
    c.root().write(moduli, kept.toString().getBytes(StandardCharsets.UTF_8));
  }

  private static List<Action> workarounds(StepContext ctx) throws IOException {
    RootFs root = ctx.root();
    List<Action> out = new ArrayList<>();
    linkIfMissing(root, out, "/usr/bin/grub-editenv", "/usr/bin/grub2-editenv");
    String distro = ctx.distro().distro();
    if (distro.equals("ubuntu") || distro.equals("debian")) {
      ImagePath sudo = ImagePath.of("/usr/bin/sudo");
      out.add(new Action.Deferred("chown root:root " + sudo + "; chmod 4755 " + sudo, c -> {
        if (c.root().isRegularFile(sudo)) {
          c.root().setOwner(sudo, 0, 0);
          c.root().setMode(sudo, 04755);
        }
      }));
      out.add(new Action.MakeDirectory(ImagePath.of("/snap"), 0755));
    }
    if (ctx.strategy().quirks(ctx.distro(), root).disableSelinux()) {
      out.add(Action.write("/etc/selinux/config", "SELINUX=disabled\n", 0644));
    }
    linkIfMissing(root, out, "/usr/sbin/nvidia-smi", "/usr/bin/nvidia-smi");
    if (ctx.options().trustedBoot() && distro.equals("ubuntu")) {
      out.add(warn("workarounds: the nvdimm modules for UEFI HTTP boot of Ubuntu UKIs are not added"));
    }
    return out;
  }

  private static void linkIfMissing(RootFs root, List<Action> out, String existing, String link) throws IOException {
    if (root.exists(ImagePath.of(existing)) && !root.exists(ImagePath.of(link))) {
      out.add(new Action.Link(ImagePath.of(link), existing));
    }
  }

  static final ImagePath MACHINE_ID = ImagePath.of("/etc/machine-id");
  /** glibc's ldconfig cache of inode numbers and change times: build-specific, rebuilt by the next ldconfig. */
  static final ImagePath LDCONFIG_AUX_CACHE = ImagePath.of("/var/cache/ldconfig/aux-cache");

  /**
   * kairos-init's cleanup, plus what makes two builds of the same inputs equal (and keeps machines
   * of one image from sharing an identity): the package manager's logs, ldconfig's aux-cache, the
   * family's first-boot identities, the install times its packages write into files (dated at the
   * source date), and an empty {@code /etc/machine-id} on systemd images that have none.
   */
  private static List<Action> cleanup(StepContext ctx) throws IOException {
    List<Action> out = new ArrayList<>();
    out.add(new Action.Remove(ImagePath.of("/var/lib/dbus/machine-id")));
    out.add(new Action.Truncate(MACHINE_ID));
    if (ctx.distro().initSystem() == InitSystem.SYSTEMD) {
      // empty, not absent: systemd then treats the boot as the first one and makes the id in place
      out.add(new Action.Deferred("make an empty " + MACHINE_ID + " if there is none", Optional.of(MACHINE_ID), c -> {
        if (!c.root().exists(MACHINE_ID)) {
          new Action.WriteFile(MACHINE_ID, new byte[0], 0444).apply(c);
        }
      }));
    }
    out.add(new Action.Truncate(ImagePath.of("/etc/hostname")));
    out.add(new Action.RemoveMatching(ImagePath.of("/etc/ssh"), "ssh_host_*_key*"));
    out.add(new Action.Remove(LDCONFIG_AUX_CACHE));
    for (DistroStrategy.FirstBootFile f : ctx.strategy().firstBootFiles(ctx.distro())) {
      out.add(new Action.Deferred("reset " + f.path() + " so that each machine makes its own", Optional.of(f.path()), c -> {
        if (c.root().isRegularFile(f.path())) {
          c.root().write(f.path(), f.content().getBytes(StandardCharsets.UTF_8));
        }
      }));
    }
    for (DistroStrategy.DatedFile f : ctx.strategy().datedFiles(ctx.distro())) {
      out.add(new Action.Deferred("set the times recorded in " + f.path() + " to the source date", Optional.of(f.path()),
          c -> {
            Optional<FileMetadata> m = c.root().stat(f.path());
            if (m.isPresent() && m.get().type() == FileType.REGULAR) {
              if (m.get().size() > MAX_DATED_FILE) { // image text: read only what such a file can be
                throw new InvalidInputException(f.path().toString(), m.get().size() + " bytes, more than the "
                    + MAX_DATED_FILE + " a file with times in it may have here");
              }
              Optional<byte[]> dated = f.redate(c.root().readAllBytes(f.path()), c.sourceDate().instant(),
                  f.path().toString());
              if (dated.isPresent()) {
                c.root().write(f.path(), dated.get()); // an existing file keeps its owner and mode
              } else {
                c.events().log(KairosEvent.Level.WARN, "cleanup: " + f.path() + " is left as it is, with the times"
                    + " recorded in it: not in the format expected there, or sealed with a password of the image's own");
              }
            }
          }));
    }
    if (hasPackageManager(ctx)) {
      PackageManager pm = packageManager(ctx);
      pm.clean().forEach(c -> out.add(new Action.Run(c)));
      pm.logs().forEach(l -> out.add(new Action.Remove(l)));
    }
    return out;
  }

  // ------------------------------------------------------------------ helpers

  private static Action overlay(String description, RootFs from, java.util.function.Predicate<ImagePath> include) {
    return new Action.Deferred(description, c -> TreeCopy.overlay(from, c.root(), include));
  }

  private static Action warn(String message) {
    return new Action.Deferred("report: " + message, c -> c.events().log(KairosEvent.Level.WARN, message));
  }

  /** A file the library ships, from its resources. */
  static byte[] resource(String name) {
    try (InputStream in = Steps.class.getResourceAsStream(FILES + name)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + FILES + name);
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
