/**
 * Initial ramdisks written in Java: newc cpio archives of a root, compressed (gzip, xz, zstd,
 * lz4), with early CPU microcode archives in front as the kernel expects.
 *
 * <p>Packages named {@code *.internal.*} are not API: they change without notice, and no other
 * module may import them.
 */
package dev.kairos.factory.boot.api.initrd;
