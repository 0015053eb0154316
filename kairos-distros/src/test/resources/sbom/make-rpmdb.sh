#!/bin/sh
# Makes rpmdb.sqlite: two tiny packages built with rpmbuild and recorded with rpm --justdb.
# Run on Debian with the rpm package installed: sh make-rpmdb.sh OUTDIR
set -eu
out=$(realpath "$1"); work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
mkdir -p "$work/SPECS" "$out"
cat > "$work/SPECS/tinybase.spec" <<'SPEC'
Name: tinybase
Version: 1.2.3
Release: 4.fc40
Epoch: 2
Summary: A base package for the SBOM reader test
License: MIT
Vendor: Kairos Test Vendor
Packager: Kairos Tests <tests@kairos.io>
BuildArch: noarch
Provides: tiny-virtual
%description
Base.
%files
SPEC
cat > "$work/SPECS/tinyhello.spec" <<'SPEC'
Name: tinyhello
Version: 0.9+git1
Release: 1.fc40
Summary: A package requiring the base, for the SBOM reader test
License: GPL-2.0-or-later AND MIT
Packager: Kairos Tests <tests@kairos.io>
BuildArch: x86_64
Requires: tiny-virtual >= 1
Requires: /bin/sh
%description
Hello.
%files
SPEC
for s in tinybase tinyhello; do
  rpmbuild --define "_topdir $work" --define "_build_id_links none" -bb "$work/SPECS/$s.spec" >/dev/null
done
mkdir -p "$work/db"
rpm --define "_db_backend sqlite" --dbpath "$work/db" --initdb
rpm --define "_db_backend sqlite" --dbpath "$work/db" -i --justdb --nodeps --ignorearch --ignoreos \
  "$work"/RPMS/*/*.rpm
cp "$work/db/rpmdb.sqlite" "$out/rpmdb.sqlite"
rpm --define "_db_backend sqlite" --dbpath "$work/db" -qa --qf '%{NAME} %{EPOCHNUM}:%{VERSION}-%{RELEASE} %{ARCH}\n' | sort
