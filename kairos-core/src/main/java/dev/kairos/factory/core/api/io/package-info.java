/**
 * Nothing lost: the file-system rules every module follows when it writes, uses a work directory
 * or deletes.
 *
 * <ul>
 *   <li>{@link dev.kairos.factory.core.api.io.AtomicFile} writes an output beside its final name
 *       and renames it into place, so a failure, a full disk or a signal never leaves a
 *       half-written file under a name a user chose.
 *   <li>{@link dev.kairos.factory.core.api.io.OwnedDirectory} is a work directory the library
 *       made or was given empty (it carries a marker); one holding someone's files is refused,
 *       and only what the library names in it is ever deleted.
 *   <li>{@link dev.kairos.factory.core.api.io.ExclusiveLock} holds a work directory or an output
 *       for a run; a second run fails at once, naming the holder's pid.
 *   <li>{@link dev.kairos.factory.core.api.io.WaitingLock} guards a store several builds share
 *       (a cache): shared or exclusive, it waits for holders in other processes and in this JVM.
 *   <li>{@link dev.kairos.factory.core.api.io.ScratchDirectory} is a private directory removed on
 *       close, and its {@code deleteTree} the one tree deletion: it never follows a symlink and
 *       never crosses a mount point ({@link dev.kairos.factory.core.api.io.MountTable}).
 *   <li>Temporary files and scratch directories carry their process id, so that a later run
 *       removes those of dead runs ({@code sweep}) and never those of a live one.
 * </ul>
 *
 * <p>Packages named {@code *.internal.*} are not API: they change without notice.
 */
package dev.kairos.factory.core.api.io;
