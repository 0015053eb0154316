/**
 * Unified kernel images: the PE file that carries kernel, initrd, command line and os-release
 * (assembled in Java and signed for Secure Boot), the PCR 11 prediction, systemd-boot's layout and
 * Secure Boot key enrolment for trusted boot.
 *
 * <p>Packages named {@code *.internal.*} are not API: they change without notice, and no other
 * module may import them.
 */
package dev.kairos.factory.boot.api.uki;
