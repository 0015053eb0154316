/**
 * Test fixtures for projects that build on this library, published in the kairos-core jar:
 * in-memory roots ({@code InMemoryRootFs}), a synthetic Kairos framework, a fake package manager
 * for whole builds in memory, and AssertJ assertions on a {@code RootFs} ({@code RootFsAssertions};
 * AssertJ is an optional dependency: add it in test scope to use them).
 *
 * <p>Packages named {@code *.internal.*} are not API: they change without notice, and no other
 * module may import them.
 */
package dev.kairos.factory.core.testing;
