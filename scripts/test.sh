#!/usr/bin/env bash
# The whole test suite, from a fresh Debian machine: installs the host tools the tests use
# (apt-get; needs root), then runs unit, integration and boot tests with Maven.
# Large fixtures (debootstrapped bases) are cached outside the repository, in
# ${KAIROS_TEST_CACHE:-/var/cache/kairos-factory-tests}; a cold cache is rebuilt.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-host-tools.sh
cache=${KAIROS_TEST_CACHE:-/var/cache/kairos-factory-tests}
mkdir -p "$cache"
exec mvn -B -ntp verify -Dkairos.test.cache="$cache" "$@"
