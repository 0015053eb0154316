/**
 * Boot artifacts made in Java from a Kairos root: the sub-packages hold one format or medium
 * each (initrd, GRUB, UKI, Secure Boot, GPT, FAT, ISO, squashfs, raw disk, netboot).
 *
 * <p>Packages named {@code *.internal.*} are not API: they change without notice, and no other
 * module may import them.
 */
package dev.kairos.factory.boot.api;
