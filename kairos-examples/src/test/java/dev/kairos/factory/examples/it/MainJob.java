package dev.kairos.factory.examples.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kairos.factory.boot.it.QemuBoot;
import dev.kairos.factory.core.api.distro.Architecture;
import dev.kairos.factory.core.it.DebianFixture;
import dev.kairos.factory.core.it.Scratch;
import dev.kairos.factory.examples.cli.CliRunner;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import tools.jackson.databind.JsonNode;

/**
 * The README's main job: its inputs (the cached debootstrapped Debian base, a stage extension that
 * prints a marker at boot, version v1.0.0, an OCI layout and an ISO), the CLI's build of them, and
 * the checks of what it made. The build is made once per test run and shared by the classes that
 * ask for it ({@code @ExtendWith(MainJob.Shared.class)} and a {@code MainJob} parameter):
 * {@link MainJobIT} checks it, and the server's end-to-end test builds the same inputs through the
 * API and compares its ISO with this one byte for byte.
 */
public final class MainJob implements AutoCloseable {
  /** What the image prints on its serial console once booted. */
  public static final String MARKER = "KAIROS_E2E_MAIN_JOB_OK";
  public static final String VERSION = "v1.0.0";
  /** The artifact name the build reports for the base and version. */
  public static final String NAME = "kairos-debian-12-core-amd64-generic-v1.0.0";
  /** The stage extension's file name in the extensions directory. */
  public static final String EXTENSION_FILE = "10-marker.yaml";
  /** The stage extension: a unit, enabled after install, that prints {@link #MARKER} at boot on {@code ttyS0}. */
  public static final String EXTENSION = extension("ttyS0");

  /** The stage extension with the marker printed on serial port {@code tty} ({@code ttyAMA0} on arm64). */
  public static String extension(String tty) {
    return String.join("\n",
      "stages:",
      "  after-install:",
      "    - name: boot marker",
      "      files:",
      "        - path: /etc/systemd/system/kairos-e2e-marker.service",
      "          permissions: 0644",
      "          content: |",
      "            [Unit]",
      "            Description=Print the end-to-end marker on the serial console",
      "            After=basic.target",
      "            [Service]",
      "            Type=oneshot",
      "            ExecStart=/bin/sh -c 'echo " + MARKER + " > /dev/" + tty + "'",
      "            [Install]",
      "            WantedBy=multi-user.target",
      "      systemctl:",
      "        enable: [kairos-e2e-marker]",
      "");
  }

  /** Holds this build's base, inputs, outputs and work directory; deleted when the run ends. */
  public final Path scratch;
  /** The base root the build started from ({@code dir:} source); the build leaves it as it was. */
  public final Path base;
  /** The build's outputs: {@code oci} (the layout) and {@code kairos.iso}. */
  public final Path out;
  /** What {@code build --json} printed. */
  public final JsonNode result;
  /** The output flags and file names given besides the OCI layout, for a rebuild with the same command. */
  private final List<String> outputs;

  private MainJob(Path scratch, Path base, Path out, JsonNode result, List<String> outputs) {
    this.scratch = scratch;
    this.base = base;
    this.out = out;
    this.result = result;
    this.outputs = outputs;
  }

  public Path iso() {
    return out.resolve("kairos.iso");
  }

  /**
   * Apt's downloads, kept beside the other fixtures, so a second run (or a second build of the
   * same packages) fetches nothing.
   */
  public static Path packageCache() throws IOException {
    return DebianFixture.cacheDir().resolve("cli-cache");
  }

  /** Builds the main job with the CLI, in-process. */
  static MainJob build() throws Exception {
    DebianFixture.assumeUsable();
    return build(Architecture.AMD64, "--iso", "kairos.iso");
  }

  /**
   * Builds the main job for {@code arch} (its own cached Debian base; on arm64 the marker goes to
   * {@code ttyAMA0}) with the CLI, in-process, with {@code outputs} (pairs of an output flag and a
   * file name in {@link #out}) besides the OCI layout.
   */
  static MainJob build(Architecture arch, String... outputs) throws Exception {
    Path scratch = arch == Architecture.ARM64 ? stableScratch("kairos-main-job-arm64") : Scratch.create("main-job");
    Path base = scratch.resolve("base");
    DebianFixture.extract(arch == Architecture.ARM64 ? DebianFixture.arm64MinbaseTarball() : DebianFixture.minbaseTarball(),
        base);
    Path extensions = Files.createDirectories(scratch.resolve("extensions"));
    Files.writeString(extensions.resolve(EXTENSION_FILE), extension(serialPort(arch)));
    List<String> given = List.of(outputs);
    return new MainJob(scratch, base, scratch.resolve("out"), run(scratch, base, "work", "out", given), given);
  }

  /**
   * The same build again, the same command but for its work and output directories
   * ({@code WORK}, {@code OUT} under this job's scratch directory), as a user rebuilding would.
   */
  public MainJob rebuild(String work, String out) throws Exception {
    return new MainJob(scratch, base, scratch.resolve(out), run(scratch, base, work, out, outputs), outputs);
  }

  private static JsonNode run(Path scratch, Path base, String work, String outName, List<String> outputs)
      throws Exception {
    Path out = scratch.resolve(outName);
    List<String> argv = new ArrayList<>(List.of("build", "--from", "dir:" + base, "--version", VERSION,
        "-x", scratch.resolve("extensions").toString(), "--work", scratch.resolve(work).toString(),
        "--cache", packageCache().toString(), "--oci-layout", out.resolve("oci").toString()));
    for (int i = 0; i < outputs.size(); i += 2) {
      argv.addAll(List.of(outputs.get(i), out.resolve(outputs.get(i + 1)).toString()));
    }
    argv.add("--json");
    long t0 = System.nanoTime();
    CliRunner build = CliRunner.run(argv.toArray(String[]::new));
    assertThat(build.exit()).as(build.err()).isZero();
    JsonNode json = MainJobIT.JSON.readTree(build.out());
    // the build's time and each step's, in the test's output: the main job's measurement
    System.out.printf("MainJob: build %.1f s, steps %s%n", (System.nanoTime() - t0) / 1e9, json.get("steps"));
    return json;
  }

  /**
   * An empty directory of this name under the JVM's temporary directory, the same in every run:
   * the step cache keys the base by where it came from ({@code dir:PATH}), so an emulated build,
   * which takes an hour cold, is reused by the next run only from the same path.
   */
  private static Path stableScratch(String name) throws IOException {
    Path dir = Path.of(System.getProperty("java.io.tmpdir")).resolve(name);
    Scratch.delete(dir);
    return Files.createDirectories(dir).toRealPath();
  }

  /** The serial port QEMU's machine for {@code arch} logs: the 16550 of q35, the PL011 of virt. */
  static String serialPort(Architecture arch) {
    return arch == Architecture.ARM64 ? "ttyAMA0" : "ttyS0";
  }

  /** The built ISO boots under QEMU + OVMF to {@link #MARKER} (skipped without QEMU or OVMF). */
  public static void assertBootsToMarker(Path iso, Path work) throws Exception {
    assertBootsToMarker(Architecture.AMD64, QemuBoot.builder(Files.createDirectories(work)).cdrom(iso),
        Duration.ofMinutes(12));
  }

  /**
   * {@code qemu} (an ISO or a disk to boot) boots on {@code arch}'s machine (q35 + OVMF, or virt +
   * AAVMF) to {@link #MARKER} within {@code timeout}; skipped without QEMU or the firmware.
   */
  static QemuBoot.Result assertBootsToMarker(Architecture arch, QemuBoot.Builder qemu, Duration timeout) throws Exception {
    if (arch == Architecture.ARM64) {
      assumeTrue(QemuBoot.availableAarch64(), "qemu-system-aarch64 or AAVMF is not installed");
    } else {
      assumeTrue(QemuBoot.available(false), "qemu-system-x86_64 or OVMF is not installed");
    }
    QemuBoot.Result r = qemu.aarch64(arch == Architecture.ARM64).marker(MARKER).memoryMiB(2048)
        .timeout(timeout).build().run();
    assertThat(r.outcome()).as(r + "\n" + r.log()).isEqualTo(QemuBoot.Outcome.MARKER);
    return r;
  }

  /** The ISO is this build's to the byte. */
  public void assertSameIso(Path iso) throws Exception {
    assertThat(Files.size(iso)).isEqualTo(Files.size(iso()));
    assertThat(Files.mismatch(iso, iso())).as("first differing byte of %s and %s", iso, iso()).isEqualTo(-1L);
  }

  @Override
  public void close() throws Exception {
    Scratch.delete(scratch);
  }

  /**
   * Gives a test class's lifecycle methods the shared {@link MainJob}, built on first use and
   * deleted when the whole test run ends.
   */
  public static final class Shared implements ParameterResolver {
    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
      return parameter.getParameter().getType() == MainJob.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
      DebianFixture.assumeUsable();
      return context.getRoot().getStore(ExtensionContext.Namespace.create(MainJob.class))
          .computeIfAbsent(MainJob.class, k -> {
            try {
              return build();
            } catch (Exception e) {
              throw new IllegalStateException("the main job's build failed", e);
            }
          }, MainJob.class);
    }
  }
}
