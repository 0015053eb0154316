#!/bin/bash
# systemd generator: give the root mount time, and make sure initrd-root-fs.target wants it.
GENERATOR_DIR="${1:-/run/systemd/generator}"

mkdir -p "${GENERATOR_DIR}/sysroot.mount.d"
printf '[Mount]\nTimeoutSec=300\n' > "${GENERATOR_DIR}/sysroot.mount.d/timeout.conf"

mkdir -p "${GENERATOR_DIR}/initrd-root-fs.target.wants"
if [ ! -e "${GENERATOR_DIR}/initrd-root-fs.target.wants/sysroot.mount" ]; then
  ln -s ../sysroot.mount "${GENERATOR_DIR}/initrd-root-fs.target.wants/sysroot.mount"
fi
