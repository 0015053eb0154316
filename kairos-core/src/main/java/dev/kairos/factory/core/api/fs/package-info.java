/**
 * The image's file system: {@code ImagePath} (absolute, normalised in-image paths, never host
 * paths) and {@code RootFs}, which wraps any {@link java.nio.file.Path} root (a directory on disk or
 * an in-memory file system), resolves symlinks inside the root as a chroot would, refuses writes
 * that would land outside it, and keeps Unix metadata (owners, 12-bit modes, devices, xattrs) where
 * the backing store cannot.
 *
 * <p>Packages named {@code *.internal.*} are not API: they change without notice, and no other
 * module may import them.
 */
package dev.kairos.factory.core.api.fs;
