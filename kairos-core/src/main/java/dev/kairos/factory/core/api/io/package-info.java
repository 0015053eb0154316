/**
 * Safe file output for every module: {@link dev.kairos.factory.core.api.io.AtomicFile} writes an
 * output beside its final name and renames it into place, so a failure, a full disk or a signal
 * never leaves a half-written file under a name a user chose.
 *
 * <p>Packages named {@code *.internal.*} are not API: they change without notice.
 */
package dev.kairos.factory.core.api.io;
