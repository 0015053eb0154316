/**
 * Running programs: commands inside an image through a {@link dev.kairos.factory.core.api.run.CommandRunner}
 * (the sandbox runner of {@link dev.kairos.factory.core.api.run.Runners#chroot()} for real builds,
 * the {@link dev.kairos.factory.core.api.run.RecordingRunner} for tests), and programs of the build
 * host ({@link dev.kairos.factory.core.api.run.HostProcess}, {@link dev.kairos.factory.core.api.run.ProcessTree})
 * for the modules that drive host tools such as mksquashfs, debootstrap or a credential helper,
 * {@link dev.kairos.factory.core.api.run.UserNamespace} for builds by a normal user, and
 * {@link dev.kairos.factory.core.api.run.Emulation} for images of another architecture (an arm64
 * image built on amd64 runs its programs under qemu-user through binfmt_misc).
 *
 * <h2>What a command in an image can reach</h2>
 *
 * Every command run inside an image starts in namespaces of the build's own (mount, PID, IPC,
 * UTS) made by bubblewrap: a minimal {@code /dev}, a {@code /proc} of its own PID namespace,
 * {@code /sys} read-only, the host's network, and a short list of capabilities. Nothing it mounts
 * reaches the host, and nothing it starts outlives the build, whatever signal ends it. The
 * project's {@code docs/sandbox.md} has the whole table, for root and for a normal user.
 *
 * <p>Packages named {@code *.internal.*} are not API: they change without notice, and no other
 * module may import them.
 */
package dev.kairos.factory.core.api.run;
