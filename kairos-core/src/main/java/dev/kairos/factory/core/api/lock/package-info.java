/**
 * The package lock: {@link dev.kairos.factory.core.api.lock.Lock} records what one build
 * installed (the base, every package with the SHA-256 of its file, the sources, the source date
 * and the options) in a stable, sorted, line-based text format with a format version, so that a
 * later build replays it ({@code ImageBuilder.lock}) and two locks diff for review
 * ({@link dev.kairos.factory.core.api.lock.Lock#diff}). A replay verifies every package file
 * before it is unpacked and raises {@link dev.kairos.factory.core.api.lock.LockMismatchException}
 * naming the package, the expected and found hashes and where it looked.
 *
 * <p>Packages named {@code *.internal.*} are not API: they change without notice.
 */
package dev.kairos.factory.core.api.lock;
