#!/usr/bin/env bash
# Times our layer unpack alone: applies one uncompressed layer tar to DEST (a new directory) and
# prints wall time and CPU (the process's, and the writing thread's user and system time).
# With STRACE=FILE set, runs under strace -f -c and leaves the system-call counts in FILE.
# Needs root (owners are set for real). Usage: kairos-oci/bench/unpack-bench.sh LAYER.tar DEST
set -euo pipefail
layer=$(realpath "$1")
dest=$(realpath -m "$2")
cd "$(dirname "$0")/../.."
. kairos-oci/bench/classpath.sh
exec ${STRACE:+strace -f -c -o "$STRACE"} java -Xmx512m -cp "$cp" dev.kairos.factory.oci.bench.UnpackBench "$layer" "$dest"
