package dev.kairos.factory.examples.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The artifacts as a user meets them: a separate Maven project ({@code src/test/resources/downstream-project},
 * a pom and one test) that depends on kairos-core, kairos-distros, kairos-boot and kairos-oci and
 * AssertJ and JUnit in test scope, built by the real {@code mvn} against the jars and poms this
 * build just made. They are laid into a private local repository as {@code mvn install} lays them
 * out, so the shared one is never touched; third-party artifacts come from the outer build's local
 * repository, served to the inner build as a {@code file:} mirror of every remote, so nothing goes
 * to the network. The inner test runs a whole build in memory with the fixtures and writes an ISO
 * and an OCI layout.
 */
class DownstreamProjectIT {
  private static final List<String> MODULES = List.of("kairos-core", "kairos-distros", "kairos-boot", "kairos-oci");
  private static final String GROUP_PATH = "dev/kairos/factory";

  @Test
  void userProjectBuildsAndTestsAgainstThePublishedArtifacts() throws Exception {
    Path top = Path.of(property("kairos.top")).toAbsolutePath().normalize();
    String version = property("kairos.version");
    Path it = Path.of("target", "downstream-it").toAbsolutePath();
    Path repo = it.resolve("repo");
    deleteTree(repo.resolve(GROUP_PATH));

    install(repo, "kairos-factory-parent", version, top.resolve("pom.xml"), null);
    for (String m : MODULES) {
      Path jar = top.resolve(m).resolve("target").resolve(m + "-" + version + ".jar");
      assertThat(jar).as("built by this reactor's package phase").isRegularFile();
      install(repo, m, version, top.resolve(m).resolve("pom.xml"), jar);
    }

    Path project = it.resolve("project");
    deleteTree(project);
    copyResource("pom.xml", project);
    copyResource("src/test/java/com/example/edge/EdgeImageTest.java", project);
    Path pom = project.resolve("pom.xml");
    Files.writeString(pom, Files.readString(pom).replace("@KAIROS_VERSION@", version)
        .replace("@JUNIT_VERSION@", property("kairos.junit.version"))
        .replace("@ASSERTJ_VERSION@", property("kairos.assertj.version")));
    Path settings = it.resolve("settings.xml");
    Files.writeString(settings, """
        <settings>
          <mirrors>
            <mirror>
              <id>outer-local-repository</id>
              <mirrorOf>*</mirrorOf>
              <url>%s</url>
            </mirror>
          </mirrors>
        </settings>
        """.formatted(Path.of(property("kairos.outer.repo")).toUri()));

    Path log = it.resolve("mvn.log");
    List<String> argv = new ArrayList<>(List.of(Path.of(property("kairos.maven.home"), "bin", "mvn").toString(),
        "-B", "-ntp", "-s", settings.toString(), "-Dmaven.repo.local=" + repo, "test"));
    Process p = new ProcessBuilder(argv).directory(project.toFile()).redirectErrorStream(true)
        .redirectOutput(log.toFile()).start();
    if (!p.waitFor(15, TimeUnit.MINUTES)) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
      throw new AssertionError("mvn test in the downstream project did not finish in 15 minutes; see " + log);
    }
    String out = Files.readString(log);
    String tail = out.length() > 6000 ? out.substring(out.length() - 6000) : out;
    assertThat(p.exitValue()).as(tail).isZero();
    assertThat(out).as(tail).contains("Tests run: 1, Failures: 0, Errors: 0, Skipped: 0")
        .contains("BUILD SUCCESS");
    // The inner build resolved our modules from the private repository, not from anywhere else.
    assertThat(repo.resolve(GROUP_PATH).resolve("kairos-core").resolve(version).resolve("_remote.repositories"))
        .doesNotExist();
  }

  /** Lays out {@code artifactId} in {@code repo} as {@code mvn install} does: pom, and jar when it has one. */
  private static void install(Path repo, String artifactId, String version, Path pom, Path jar) throws IOException {
    Path dir = Files.createDirectories(repo.resolve(GROUP_PATH).resolve(artifactId).resolve(version));
    Files.copy(pom, dir.resolve(artifactId + "-" + version + ".pom"));
    if (jar != null) {
      Files.copy(jar, dir.resolve(artifactId + "-" + version + ".jar"));
    }
  }

  private static void copyResource(String name, Path project) throws IOException {
    Path to = project.resolve(name);
    Files.createDirectories(to.getParent());
    try (InputStream in = DownstreamProjectIT.class.getResourceAsStream("/downstream-project/" + name)) {
      assertThat(in).as("test resource downstream-project/" + name).isNotNull();
      Files.copy(in, to);
    }
  }

  private static String property(String name) {
    String v = System.getProperty(name);
    assertThat(v).as("system property " + name + " (set by the failsafe configuration)").isNotBlank();
    return v;
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
