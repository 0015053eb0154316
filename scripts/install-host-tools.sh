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
  # arm64 from this machine: qemu-user for commands in an arm64 root (binfmt_misc, below), the
  # arm64 system emulator and its UEFI firmware (AAVMF) for the arm64 boot tests
  qemu-user-static qemu-system-arm qemu-efi-aarch64
  # objdump for arm64 PE files (the arm64 UKI's sections)
  binutils-aarch64-linux-gnu
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

# Commands inside an arm64 root run through qemu-aarch64, which the kernel starts for arm64 ELF
# binaries once binfmt_misc knows it. The entry's F flag makes the kernel open the interpreter now,
# so it also works inside a chroot. Idempotent: an entry already there is left as it is.
register_binfmt() {
  local name=$1 conf=/usr/lib/binfmt.d/$1.conf dir=/proc/sys/fs/binfmt_misc
  if [ "$(uname -m)" = aarch64 ] && [ "$name" = qemu-aarch64 ]; then
    echo "binfmt_misc: $name not needed, this machine is aarch64"
    return 0
  fi
  if [ ! -f "$conf" ]; then
    echo "ERROR: $conf is missing; install qemu-user-static (apt-get install qemu-user-static)" >&2
    return 1
  fi
  if [ ! -e "$dir/register" ]; then
    if ! mount -t binfmt_misc binfmt_misc "$dir" 2>/dev/null; then
      echo "ERROR: binfmt_misc is not mounted on $dir and mounting it failed; as root on the host run" \
        "'mount -t binfmt_misc binfmt_misc $dir' (a container needs it from its host, or --privileged)," \
        "then run this script again. arm64 tests skip until then." >&2
      return 1
    fi
  fi
  if [ -e "$dir/$name" ]; then
    echo "binfmt_misc: $name already registered ($(head -n1 "$dir/$name"))"
    return 0
  fi
  if ! grep -v '^#' "$conf" > "$dir/register" 2>/dev/null; then
    echo "ERROR: could not register $name in $dir/register (needs root with CAP_SYS_ADMIN over binfmt_misc);" \
      "as root run: grep -v '^#' $conf > $dir/register. arm64 tests skip until then." >&2
    return 1
  fi
  echo "binfmt_misc: registered $name ($(head -n1 "$dir/$name"))"
}
# A machine without arm64 emulation still builds and tests amd64: say so, do not fail.
if register_binfmt qemu-aarch64; then
  echo "host tools ready"
else
  echo "host tools ready, except arm64 emulation (see the error above; arm64 builds fail and arm64 tests skip)" >&2
fi
