#!/usr/bin/env bash
# Times signing an image and pushing its signature (cosign's layout) with our code against the same
# done by hand with openssl + curl, through one local registry, and prints the ratio.
# Needs docker-registry, openssl, curl. Usage: kairos-oci/bench/sign-bench.sh [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/../.."
mvn -B -q -o -pl kairos-oci -am test-compile
mvn -B -q -o -pl kairos-oci dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/bench.classpath
cp="kairos-core/target/classes:kairos-core/target/test-classes:kairos-oci/target/classes:kairos-oci/target/test-classes:$(cat kairos-oci/target/bench.classpath)"
exec timeout 1800 java -Xmx256m -cp "$cp" dev.kairos.factory.oci.bench.SignBench "${1:-20}"
