/**
 * Distribution support beyond detection: bootstrapping a base root from a distro's package
 * repositories ({@code Bootstrap}, {@code Debootstrap}) and using a directory as an image source
 * ({@code DirectorySource}), and re-resolving a package lock against a mirror with apt
({@code LockUpdate}). The per-family strategies in this module are found through
 * {@link java.util.ServiceLoader} by {@code dev.kairos.factory.core.api.distro.Distros}; they have no
 * public classes.
 *
 * <p>Packages named {@code *.internal.*} are not API: they change without notice, and no other
 * module may import them.
 */
package dev.kairos.factory.distros.api;
