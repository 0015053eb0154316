#!/usr/bin/env bash
# Times our pull+unpack and pack+push against skopeo+umoci on a debootstrapped Debian with a
# kernel, through one local registry, and prints the ratios and our peak heap.
# Needs root, docker-registry, skopeo, umoci, debootstrap (first run builds the cached fixture).
# Usage: kairos-oci/bench/oci-bench.sh [WORKDIR [ROOT.tar.zst]]
#   WORKDIR defaults to /var/tmp/kairos-oci-bench (removed afterwards); ROOT.tar.zst, a root to time
#   instead of the fixture, e.g. the kairosified Debian the tests cache (debian-bookworm-kairos-v1.tar.zst).
set -euo pipefail
cd "$(dirname "$0")/../.."
. kairos-oci/bench/tools/classpath.sh
export CONTAINERS_REGISTRIES_CONF="$PWD/kairos-oci/src/test/resources/registries.conf"
exec timeout 3600 java -Xmx512m -cp "$cp" \
  -Dkairos.test.cache="${KAIROS_TEST_CACHE:-/var/cache/kairos-factory-tests}" \
  dev.kairos.factory.oci.bench.OciBench "${1:-/var/tmp/kairos-oci-bench}" ${2:+"$2"}
