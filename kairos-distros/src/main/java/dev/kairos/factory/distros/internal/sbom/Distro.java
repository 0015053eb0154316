package dev.kairos.factory.distros.internal.sbom;

/**
 * What package URLs need from /etc/os-release: the purl namespace ({@code ID}, e.g.
 * {@code debian}) and the {@code distro} qualifier ({@code ID-VERSION_ID}, e.g. {@code debian-12};
 * empty when the image has no version, as Arch).
 */
record Distro(String namespace, String qualifier) {}
