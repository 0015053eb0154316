/**
 * The files a PXE or iPXE server serves to boot Kairos over the network: kernel, initrd, root
 * squashfs and the iPXE script.
 *
 * <p>Packages named {@code *.internal.*} are not API: they change without notice, and no other
 * module may import them.
 */
package dev.kairos.factory.boot.api.netboot;
