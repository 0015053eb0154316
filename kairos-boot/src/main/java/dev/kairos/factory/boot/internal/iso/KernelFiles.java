package dev.kairos.factory.boot.internal.iso;

import dev.kairos.factory.core.api.KairosException;
import dev.kairos.factory.core.api.distro.KernelImage;
import dev.kairos.factory.core.api.fs.FileType;
import dev.kairos.factory.core.api.fs.ImagePath;
import dev.kairos.factory.core.api.fs.RootFs;
import java.io.IOException;
import java.util.List;
import java.util.Optional;

/**
 * Finds the kernel and the initrd of a prepared rootfs. The kernel as kairos-init finds it
 * ({@link KernelImage#find(RootFs)}) when the rootfs says enough for that; else, and for the
 * initrd, as AuroraBoot does: the first name in
 * {@code /boot}, in sorted order, that starts with a kernel prefix (or an initrd prefix), with
 * symlinks resolved inside the rootfs.
 */
public record KernelFiles(ImagePath kernel, ImagePath initrd) {
  private static final List<String> KERNEL_PREFIXES = List.of("uImage", "Image", "zImage", "vmlinuz", "image");
  private static final List<String> INITRD_PREFIXES = List.of("initrd", "initramfs");

  public static KernelFiles find(RootFs root) throws IOException {
    ImagePath boot = ImagePath.of("/boot");
    if (!root.isDirectory(boot)) {
      throw new KairosException("the rootfs has no /boot directory, so no kernel to boot");
    }
    List<String> names = root.list(boot);
    ImagePath kernel;
    try {
      kernel = KernelImage.find(root).path(); // /boot/vmlinuz, else the kernel kairos-init would choose
    } catch (KairosException e) {
      // No distro knowledge for this tree (no os-release, no /lib/modules): AuroraBoot's rule.
      kernel = first(root, boot, names, KERNEL_PREFIXES)
          .orElseThrow(() -> new KairosException("no kernel in /boot (a file named " + KERNEL_PREFIXES + "*); found " + names));
    }
    ImagePath initrd = first(root, boot, names, INITRD_PREFIXES)
        .orElseThrow(() -> new KairosException("no initrd in /boot (a file named " + INITRD_PREFIXES + "*); found " + names));
    return new KernelFiles(kernel, initrd);
  }

  private static Optional<ImagePath> first(RootFs root, ImagePath boot, List<String> names, List<String> prefixes)
      throws IOException {
    for (String n : names) {
      if (prefixes.stream().anyMatch(n::startsWith)) {
        ImagePath real = root.realPath(boot.resolve(n), true);
        if (root.stat(real).map(m -> m.type() == FileType.REGULAR).orElse(false)) {
          return Optional.of(real);
        }
      }
    }
    return Optional.empty();
  }
}
