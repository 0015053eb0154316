/**
 * Raw disk images of a Kairos root, as AuroraBoot's recovery-first raw disk: a GPT disk bootable
 * by UEFI, or by BIOS through GRUB's i386-pc core, written without loop devices.
 *
 * <p>Packages named {@code *.internal.*} are not API: they change without notice, and no other
 * module may import them.
 */
package dev.kairos.factory.boot.api.disk;
