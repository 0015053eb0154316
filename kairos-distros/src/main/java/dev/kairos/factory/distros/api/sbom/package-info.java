/**
 * Software bills of materials of an image: what its own package database says is installed, plus
 * the Kairos release and provider the framework brought and the kernel, written as CycloneDX 1.6
 * JSON or SPDX 2.3 JSON.
 *
 * <p>{@link dev.kairos.factory.distros.api.sbom.Sbom#read} reads the database of whichever
 * package manager the image has: dpkg ({@code /var/lib/dpkg/status}), apk
 * ({@code /lib/apk/db/installed}), rpm (the SQLite {@code rpmdb.sqlite} of Fedora, RHEL 9+ and
 * openSUSE, whose header blobs it decodes itself) and pacman ({@code /var/lib/pacman/local}). It
 * does not scan files: a binary copied into the image by hand is not in the bill, as it is in no
 * database. Every read goes through the image's {@code RootFs} (symlinks resolve inside the
 * root) and is bounded; a database past a bound is refused naming the file and the bound.
 *
 * <p>Outputs are reproducible: the CycloneDX serial number and the SPDX document namespace are
 * derived from the image's identity (its name, version and package set) and the source date,
 * and the only timestamp is the source date, so the same root and date give the same bytes.
 * Package URLs follow the purl spec: {@code pkg:deb}, {@code pkg:apk}, {@code pkg:rpm},
 * {@code pkg:alpm}, with {@code arch} and {@code distro} qualifiers.
 */
package dev.kairos.factory.distros.api.sbom;
