#!/bin/bash
# dracut module that puts immucore (the Kairos root mounter) into the initramfs.

check() {
  return 0
}

depends() {
  echo rootfs-block dm fs-lib lvm
  return 0
}

installkernel() {
  instmods overlay
}

install() {
  # Fail the build rather than produce an initramfs that cannot mount the root.
  inst_multiple immucore kairos-agent sync udevadm blkid lsblk e2fsck mount umount rsync cryptsetup \
    gawk awk mkfs.ext2 mkfs.ext3 mkfs.ext4 mkfs.vfat || return 1
  inst_multiple -o mkfs.fat
  inst_libdir_file "libsigsegv.so*" "libmpfr.so*"
  inst_script "${moddir}/generator.sh" "${systemdutildir}/system-generators/immucore-generator"
  inst_simple "${moddir}/immucore.service" "${systemdsystemunitdir}/immucore.service"
  mkdir -p "${initdir}/${systemdsystemunitdir}/initrd.target.requires"
  ln_r "${systemdsystemunitdir}/immucore.service" "${systemdsystemunitdir}/initrd.target.requires/immucore.service"
  dracut_need_initqueue
}
