/**
 * FAT16 and FAT32 file system images (EFI system partitions, El Torito boot images), written
 * reproducibly without mtools or mkfs.
 *
 * <p>Packages named {@code *.internal.*} are not API: they change without notice, and no other
 * module may import them.
 */
package dev.kairos.factory.boot.api.fat;
