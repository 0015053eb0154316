/**
 * Running programs inside an image: the {@code CommandRunner} SPI, the {@code Command} and
 * {@code CommandResult} values, and {@code Runners}: a chroot runner for real builds and a
 * {@code RecordingRunner} for tests, which runs nothing, records every call and answers with
 * scripted replies.
 *
 * <p>Packages named {@code *.internal.*} are not API: they change without notice, and no other
 * module may import them.
 */
package dev.kairos.factory.core.api.run;
