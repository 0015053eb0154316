/**
 * What the build knows about a base image's distribution: os-release parsing and detection
 * ({@code Distros}), the {@code DistroStrategy} service each family implements (packages, package
 * manager commands, kernel choice, initrd tool, services), and the values they exchange. The
 * strategies themselves live in {@code kairos-distros} and are found with {@link java.util.ServiceLoader}.
 *
 * <p>Packages named {@code *.internal.*} are not API: they change without notice, and no other
 * module may import them.
 */
package dev.kairos.factory.core.api.distro;
