package dev.kairos.factory.core.internal.pipeline;

import dev.kairos.factory.core.api.distro.ServiceAction;
import dev.kairos.factory.core.api.event.EventListener;
import dev.kairos.factory.core.api.event.KairosEvent;
import dev.kairos.factory.core.api.fs.FileType;
import dev.kairos.factory.core.api.fs.ImagePath;
import dev.kairos.factory.core.api.fs.RootFs;
import dev.kairos.factory.core.api.yip.Yip;
import dev.kairos.factory.core.api.yip.YipDocument;
import java.io.IOException;
import java.util.List;
import java.util.Locale;

/**
 * Applies the distro's {@link ServiceAction}s without running anything. Enable, disable and mask
 * go through yip's offline {@code systemctl} (the symlinks {@code systemctl --root} makes, from
 * each unit's {@code [Install]} section); unmask and OpenRC's {@code rc-update add}, which yip has
 * no key for, are done here.
 */
final class OfflineServices {
  private static final ImagePath ETC_UNITS = ImagePath.of("/etc/systemd/system");

  private OfflineServices() {}

  static void apply(StepContext ctx, ServiceAction a) throws IOException {
    switch (a.verb()) {
      case ENABLE, DISABLE, MASK -> systemctl(ctx, a);
      case UNMASK -> unmask(ctx.root(), a.unit());
      case RC_ADD -> rcAdd(ctx, a.unit(), a.runlevel());
    }
  }

  private static void systemctl(StepContext ctx, ServiceAction a) throws IOException {
    String yaml = "stages:\n  services:\n    - name: \"" + a + "\"\n      systemctl:\n        "
        + a.verb().name().toLowerCase(Locale.ROOT) + ":\n          - \"" + a.unit() + "\"\n";
    YipDocument doc = Yip.lenient().parse(yaml, "services step");
    // the one-entry document is an implementation detail: keep its step events out of the build's
    EventListener quiet = e -> {
      if (!(e instanceof KairosEvent.StepStarted || e instanceof KairosEvent.StepFinished)) {
        ctx.events().onEvent(e);
      }
    };
    ctx.yip(quiet).run(ctx.root(), "services", List.of(doc)).requireSuccess();
  }

  private static void unmask(RootFs root, String unit) throws IOException {
    ImagePath p = ETC_UNITS.resolve(unit.contains(".") ? unit : unit + ".service");
    if (root.stat(p).map(m -> m.type() == FileType.SYMLINK).orElse(false) && root.readSymlink(p).equals("/dev/null")) {
      root.delete(p);
    }
  }

  private static void rcAdd(StepContext ctx, String service, String runlevel) throws IOException {
    RootFs root = ctx.root();
    if (!root.exists(ImagePath.of("/etc/init.d").resolve(service))) {
      ctx.events().log(KairosEvent.Level.WARN, "services: /etc/init.d/" + service + " is not installed; not added to " + runlevel);
      return;
    }
    ImagePath link = ImagePath.of("/etc/runlevels").resolve(runlevel).resolve(service);
    if (root.stat(link).isPresent()) {
      root.delete(link);
    }
    root.createDirectories(link.parent());
    root.createSymlink(link, "/etc/init.d/" + service);
  }
}
