/**
 * ISO 9660 images with El Torito boot records: the Kairos live ISO (GRUB, squashfs root) and the
 * UKI ISO, written without xorriso.
 *
 * <p>Packages named {@code *.internal.*} are not API: they change without notice, and no other
 * module may import them.
 */
package dev.kairos.factory.boot.api.iso;
