/**
 * {@code /etc/kairos-release} and its values: reading and writing the release file
 * ({@code KairosRelease}, on the shell-style {@code EnvFile} format) and Kairos' semantic versions
 * ({@code KairosVersion}).
 *
 * <p>Packages named {@code *.internal.*} are not API: they change without notice, and no other
 * module may import them.
 */
package dev.kairos.factory.core.api.release;
