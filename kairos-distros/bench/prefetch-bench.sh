#!/usr/bin/env bash
# The install stage's package downloads, cold (not a test): `init -s install` on a fresh copy of
# the cached Debian minbase fixture with an empty --cache, and the lines that time the downloads:
# apt's own ("Need to get", "Fetched") and the prefetch's ("prefetched N package files ...").
# Usage: kairos-distros/bench/prefetch-bench.sh JAR [DELAY]
#   JAR    a CLI jar: this tree's (mvn -o -q -B -pl kairos-examples -am -DskipTests package), or one
#          built from the commit before the prefetch, to compare
#   DELAY  when given, apt's sources are a local mirror on 127.0.0.1 holding the packages of a first
#          run against Debian's mirror, which answers each request after DELAY seconds (python3)
# PARALLEL_DOWNLOADS (default 4): init's --parallel-downloads; 0 leaves the downloads to apt (give
# 0 too for a jar from before the flag, which always prefetched)
# As root. Writes under a temporary directory, removed at the end.
set -euo pipefail
jar=$(realpath "$1")
delay=${2:-}
parallel=${PARALLEL_DOWNLOADS:-4}
flag=()
if [ "$parallel" != 0 ]; then flag=(--parallel-downloads "$parallel"); fi
cache=${KAIROS_TEST_CACHE:-/var/cache/kairos-factory-tests}
work=$(mktemp -d)
server=
trap '[ -n "$server" ] && kill "$server"; rm -rf "$work"' EXIT

# one cold run into $work/$1, apt's sources replaced by $2 when given
run() {
  mkdir -p "$work/$1/root" "$work/$1/cache"
  tar --zstd -xpf "$cache/debian-bookworm-minbase-v1.tar.zst" --numeric-owner -C "$work/$1/root"
  if [ -n "${2:-}" ]; then echo "$2" > "$work/$1/root/etc/apt/sources.list"; fi
  uptime
  java -jar "$jar" init --root "$work/$1/root" -v v1.0.0 -p "" -s install --verbose --cache "$work/$1/cache" ${flag[@]+"${flag[@]}"} 2>&1 \
    | perl -MTime::HiRes=time -ne 'printf "%.2f %s", time, $_' > "$work/$1/log" || true
  grep -E '==> install(Packages|Kernel) [0-9]|Need to get|Fetched [0-9.]+ [kM]B in|prefetched' "$work/$1/log" \
    | grep -v 'kB in [0-9]*s (' || true
}

if [ -z "$delay" ]; then
  run mirror
  exit 0
fi
run seed > /dev/null
mkdir "$work/repo"
cp -l "$work"/seed/cache/apt-archives/*.deb "$work/repo/"
(cd "$work/repo" && apt-ftparchive packages . > Packages && apt-ftparchive release . > Release)
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
python3 - "$work/repo" "$port" "$delay" <<'EOF' &
import http.server, os, sys, threading, time
os.chdir(sys.argv[1])
delay = float(sys.argv[3])
class Slow(http.server.SimpleHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, so apt can pipeline
    def send_head(self):
        time.sleep(delay)
        return super().send_head()
    def log_message(self, *args):
        pass
s = http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[2])), Slow)
threading.Timer(3600, s.shutdown).start()  # stops by itself
s.serve_forever()
EOF
server=$!
sleep 1
run local "deb [trusted=yes] http://127.0.0.1:$port/ ./"
