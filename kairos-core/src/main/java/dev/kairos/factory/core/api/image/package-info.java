/**
 * Where images come from and where they go: {@code ImageSource} (a registry, a layout, a
 * directory), {@code ArtifactTarget} (an OCI image, an ISO, a disk, ...), the {@code Artifact} a
 * target reports (path, size, digest) and the {@code BuiltImage} a build hands to targets.
 * Implementations live in the modules that know the formats ({@code kairos-oci}, {@code kairos-boot}).
 *
 * <p>Packages named {@code *.internal.*} are not API: they change without notice, and no other
 * module may import them.
 */
package dev.kairos.factory.core.api.image;
