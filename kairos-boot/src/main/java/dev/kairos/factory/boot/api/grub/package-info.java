/**
 * GRUB for Kairos media: the configurations Kairos boots with, the {@code grubenv} block, and
 * the EFI loader choice (the image's signed shim and GRUB, or the host's GRUB).
 *
 * <p>Packages named {@code *.internal.*} are not API: they change without notice, and no other
 * module may import them.
 */
package dev.kairos.factory.boot.api.grub;
