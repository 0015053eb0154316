/**
 * Squashfs images of a root, written in Java (reproducible: sorted entries, clamped times) with the
 * compression and block size a Kairos image uses.
 *
 * <p>Packages named {@code *.internal.*} are not API: they change without notice, and no other
 * module may import them.
 */
package dev.kairos.factory.boot.api.squashfs;
