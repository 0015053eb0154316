#!/usr/bin/env bash
# Times our layer unpack alone, a phase of oci-bench.sh (in tools/: it takes arguments and has no
# peer, so run-all.sh leaves it out). Applies one uncompressed layer tar to DEST (a new directory)
# and prints wall time and CPU (the process's, and the writing thread's user and system time).
# With STRACE=FILE set, runs under strace -f -c and leaves the system-call counts in FILE.
# Needs root (owners are set for real). Usage: kairos-oci/bench/tools/unpack-only.sh LAYER.tar DEST
set -euo pipefail
layer=$(realpath "$1")
dest=$(realpath -m "$2")
cd "$(dirname "$0")/../../.."
. kairos-oci/bench/tools/classpath.sh
exec ${STRACE:+strace -f -c -o "$STRACE"} java -Xmx512m -cp "$cp" dev.kairos.factory.oci.bench.UnpackBench "$layer" "$dest"
