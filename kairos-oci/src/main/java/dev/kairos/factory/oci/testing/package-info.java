/**
 * Test fixtures for projects that build on kairos-oci, published in its jar: {@code LocalRegistry}
 * starts a real OCI registry (Debian's {@code docker-registry}) on 127.0.0.1 on a free port and
 * stops it by its pid; {@code TokenServer} issues the bearer tokens of a registry that asks for
 * them. Use them in test scope only.
 *
 * <p>Packages named {@code *.internal.*} are not API: they change without notice, and no other
 * module may import them.
 */
package dev.kairos.factory.oci.testing;
