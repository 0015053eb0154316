#!/bin/sh
# Makes a pacman local database (var/lib/pacman/local) by installing two tiny packages with
# pacman itself (--dbonly). Run as root on Debian with pacman-package-manager installed:
# sh make-pacman-db.sh OUTROOT
set -eu
out=$(realpath "$1"); work=$(mktemp -d); trap "rm -rf $work" EXIT
mkpkg() { # name version arch license depends provides
  d="$work/pkg-$1"; mkdir -p "$d/usr/share/doc/$1"; echo "$1" > "$d/usr/share/doc/$1/README"
  {
    echo "pkgname = $1"; echo "pkgbase = $1"; echo "pkgver = $2"; echo "pkgdesc = $1 for the SBOM reader test"
    echo "url = https://kairos.io"; echo "builddate = 1700000000"; echo "packager = Kairos Tests <tests@kairos.io>"
    echo "size = 10"; echo "arch = $3"; echo "license = $4"
    if [ -n "$5" ]; then echo "depend = $5"; fi; if [ -n "$6" ]; then echo "provides = $6"; fi
  } > "$d/.PKGINFO"
  (cd "$d" && tar --owner=0 --group=0 --numeric-owner -cf - .PKGINFO usr | zstd -q -o "$work/$1-$2-$3.pkg.tar.zst")
}
mkpkg tinyalpmbase 1:2.0-1 any MIT "" "tiny-virtual=2"
mkpkg tinyalpmhello 0.1-3 x86_64 GPL-2.0-or-later "tiny-virtual>=1" ""
mkdir -p "$out/var/lib/pacman" "$work/cache"
cat > "$work/pacman.conf" <<CONF
[options]
Architecture = x86_64
SigLevel = Never
CONF
pacman --config "$work/pacman.conf" --root "$out" --dbpath "$out/var/lib/pacman" --cachedir "$work/cache" \
  -U --dbonly --noconfirm --noscriptlet "$work"/tinyalpmbase-*.pkg.tar.zst "$work"/tinyalpmhello-*.pkg.tar.zst
rm -rf "$out/var/lib/pacman/sync"
pacman --config "$work/pacman.conf" --root "$out" --dbpath "$out/var/lib/pacman" -Q
