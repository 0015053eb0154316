// The main job in a few lines of jshell: a Debian bookworm base from Debian's mirror, made a Kairos
// image, written as an OCI layout and a live ISO. As root, from the repository:
//
//   mvn -B -q -DskipTests install
//   jshell --class-path kairos-examples/target/kairos-factory.jar kairos-examples/jshell/build.jsh
//
import dev.kairos.factory.core.api.Kairos;
import dev.kairos.factory.distros.api.Bootstrap;
import dev.kairos.factory.oci.api.OciTarget;
import dev.kairos.factory.boot.api.iso.LiveIso;
import java.nio.file.Files;
import java.nio.file.Path;

var work = Files.createTempDirectory(Path.of("/var/tmp"), "kairos-jshell-");
try (var build = Kairos.from(Bootstrap.debootstrap("bookworm"))
        .workDirectory(work)
        .version("v1.0.0")
        .onEvent(System.out::println)
        .build()) {
    System.out.println(build.validate());
    System.out.println(build.output(OciTarget.layout(Path.of("out/oci"), "v1.0.0")));
    LiveIso.builder(build.rootFs()).workDirectory(work.resolve("iso")).build().writeTo(Path.of("out/kairos.iso"));
    System.out.println("ISO: out/kairos.iso, root: " + build.rootFs().root());
}
/exit
