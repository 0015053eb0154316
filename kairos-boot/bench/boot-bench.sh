#!/usr/bin/env bash
# Benchmarks kairos-boot against the reference tools (not a test):
#   our initrd vs find | cpio -o -H newc | zstd, our UKI build+sign vs objcopy + sbsign,
#   our FAT ESP vs mkfs.vfat + mcopy. Prints times, ratios, sizes and our peak heap.
# Usage: kairos-boot/bench/boot-bench.sh [ROOTFS_DIR] [KERNEL]
#   Defaults: the debootstrapped minbase from the test cache (unpacked to a temp dir) and the
#   cached Debian kernel that the boot tests download.
set -euo pipefail
cd "$(dirname "$0")/../.."
cache=${KAIROS_TEST_CACHE:-/var/cache/kairos-factory-tests}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
tree=${1:-}
if [ -z "$tree" ]; then
  tree=$work/rootfs
  mkdir -p "$tree"
  zstd -dc "$cache/debian-bookworm-minbase-v1.tar.zst" | tar -x -C "$tree" --numeric-owner
fi
kernel=${2:-$(ls "$cache"/debian-kernel/vmlinuz-* | head -1)}
mvn -B -q -o -pl kairos-boot -am install -DskipTests
# The test class path, as surefire records it (works offline, unlike resolving a plugin).
mvn -B -q -o -pl kairos-boot surefire:test -Dtest=UkiNamesTest
cp=$(grep -o 'name="surefire.test.class.path" value="[^"]*"' \
  kairos-boot/target/surefire-reports/TEST-dev.kairos.factory.boot.api.uki.UkiNamesTest.xml | sed 's/.*value="//; s/"$//')
timeout 1200 java -Xmx256m -cp "$cp" dev.kairos.factory.boot.bench.BootBench "$tree" "$kernel" "$work/out"
