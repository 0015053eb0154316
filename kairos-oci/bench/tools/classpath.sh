# Sourced by the OCI benches (in tools/, so that run-all.sh does not run it as one): compiles
# kairos-oci and what it needs in the reactor (no install) and sets $cp to its test class path,
# our own modules from their target directories. The class path is built in the same reactor run:
# alone, it would look for kairos-core in the local repository.
mvn -B -q -o -pl kairos-oci -am test-compile dependency:build-classpath -Dmdep.includeScope=test \
  -Dmdep.outputFile=target/bench.classpath
deps=$(tr ':' '\n' < kairos-oci/target/bench.classpath | grep -v -e '/dev/kairos/factory/' -e '/target/' | paste -sd:)
cp="kairos-core/target/classes:kairos-core/target/test-classes:kairos-oci/target/classes:kairos-oci/target/test-classes:$deps"
