/**
 * UEFI Secure Boot: key sets (PK, KEK, db), EFI signature lists, PEM
 * files, and Authenticode signing of PE binaries.
 *
 * <p>Packages named {@code *.internal.*} are not API: they change without notice, and no other
 * module may import them.
 */
package dev.kairos.factory.boot.api.secureboot;
