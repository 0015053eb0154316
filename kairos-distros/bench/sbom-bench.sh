#!/usr/bin/env bash
# Benchmarks `kairos-factory sbom` against `dpkg-query -W` over the same root (not a test): wall
# time and peak memory of each, best of 3, and the ratios. The CLI run is the whole thing a user
# runs: JVM start, reading dpkg's status, kairos-release and /lib/modules, writing the JSON.
# Usage: kairos-distros/bench/sbom-bench.sh [ROOTFS_DIR]
#   Default: the kairosified Debian from the test cache (made by KairosifyDebianIT), unpacked to
#   a temporary directory. Needs the CLI jar: mvn -o -q -B -pl kairos-examples -am -DskipTests package
set -euo pipefail
cd "$(dirname "$0")/../.."
cache=${KAIROS_TEST_CACHE:-/var/cache/kairos-factory-tests}
jar=kairos-examples/target/kairos-factory.jar
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
tree=${1:-}
if [ -z "$tree" ]; then
  tree=$work/rootfs
  mkdir -p "$tree"
  zstd -dc "$cache/debian-bookworm-kairos-v1.tar.zst" | tar -x -C "$tree" --numeric-owner
fi
# best of 3: prints "SECONDS MAXRSS_KIB"
best() {
  local b="" r
  for i in 1 2 3; do
    r=$(/usr/bin/time -f '%e %M' "$@" 2>&1 >/dev/null | tail -1)
    if [ -z "$b" ] || awk -v a="${r% *}" -v c="${b% *}" 'BEGIN{exit !(a<c)}'; then b=$r; fi
  done
  echo "$b"
}
packages=$(dpkg-query --admindir="$tree/var/lib/dpkg" -W -f '${Package}\n' | wc -l)
peer=$(best dpkg-query --admindir="$tree/var/lib/dpkg" -W -f '${Package} ${Version} ${Architecture}\n')
for f in cyclonedx spdx; do
  ours=$(best java -Xmx64m -jar "$jar" sbom --root "$tree" --format "$f" -o "$work/sbom.$f.json")
  awk -v f="$f" -v n="$packages" -v o="$ours" -v p="$peer" 'BEGIN {
    split(o, a, " "); split(p, b, " ");
    printf "%-9s %d packages: ours %.2f s %d MiB RSS (-Xmx64m) | dpkg-query %.2f s %d MiB RSS | time ratio %.1f\n",
      f, n, a[1], a[2] / 1024, b[1], b[2] / 1024, (b[1] > 0 ? a[1] / b[1] : 0) }'
done
