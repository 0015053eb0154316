#!/usr/bin/env bash
# Installs every host tool the test suite and the main job use, from Debian's packages.
# Idempotent: a tool already present costs one dpkg query.
set -euo pipefail

packages=(
  # build
  openjdk-17-jdk-headless maven
  # rootfs bootstrap, the sandbox every command in an image runs in, rootless bootstrap
  debootstrap util-linux mount bubblewrap mmdebstrap uidmap
  # OCI peers
  docker-registry skopeo umoci curl
  # archive and compression peers
  cpio zstd xz-utils lz4 gzip
  # file capabilities (setcap, getcap) for the xattr tests
  libcap2-bin
  # setfattr, for the roots the diff tests make
  attr
  # boot artifact peers
  systemd-boot-efi sbsigntool osslsigncode binutils xorriso mtools dosfstools
  squashfs-tools fdisk gdisk e2fsprogs grub-common grub-efi-amd64-bin grub-pc-bin
  busybox-static openssl efitools
  # the lock replay test: a local apt repository (apt-ftparchive) of rebuilt packages (dpkg-deb)
  apt-utils dpkg-dev
  # boot tests
  qemu-system-x86 ovmf seabios
  # cloud disk images (qemu-img info reads the VHD)
  qemu-utils
  # SBOM reader tests: the package managers that check our readers (and rebuild their fixtures)
  rpm pacman-package-manager
  # the web UI's browser test (headless, through its WebDriver)
  chromium chromium-driver
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing host tools: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
echo "host tools ready"
