/**
 * Checks that an image is Kairos-ready, as {@code kairos-init validate} does: binaries, kernel
 * and initrd (read in-process, compressed or not), release keys, services, no SSH host keys.
 * {@code Validator} reports every failure at once in a {@code ValidationReport}.
 *
 * <p>Packages named {@code *.internal.*} are not API: they change without notice, and no other
 * module may import them.
 */
package dev.kairos.factory.core.api.validate;
