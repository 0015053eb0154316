// The main job in a few lines of jshell: a Debian bookworm base from Debian's mirror, made a Kairos
// image, written as an OCI layout and a live ISO. As root, from the repository:
//
//   mvn -B -q -DskipTests install
//   jshell --class-path kairos-examples/target/kairos-factory.jar kairos-examples/jshell/build.jsh
//
// Environment: KAIROS_FROM=DIR starts from a root directory instead of debootstrap, KAIROS_PLAN=1
// prints the plan and changes nothing. -R-Dkairos.work=DIR puts the work directory elsewhere than
// /var/tmp (it holds the image's root: a few GB).
import dev.kairos.factory.boot.api.iso.LiveIso;
import dev.kairos.factory.core.api.Kairos;
import dev.kairos.factory.core.api.image.ImageSource;
import dev.kairos.factory.distros.api.Bootstrap;
import dev.kairos.factory.distros.api.DirectorySource;
import dev.kairos.factory.oci.api.OciTarget;
import java.nio.file.Files;
import java.nio.file.Path;

var work = Files.createTempDirectory(Path.of(System.getProperty("kairos.work", "/var/tmp")), "kairos-jshell-");
var from = System.getenv("KAIROS_FROM");
ImageSource base = from == null ? Bootstrap.debootstrap("bookworm") : DirectorySource.of(Path.of(from));
var kairos = Kairos.from(base).workDirectory(work).version("v1.0.0").onEvent(System.out::println);

if (System.getenv("KAIROS_PLAN") != null) {
    System.out.println(kairos.plan());
} else {
    try (var build = kairos.build()) {
        System.out.println(build.validate());
        System.out.println(build.output(OciTarget.layout(Path.of("out/oci"), "v1.0.0")));
        System.out.println(build.output(LiveIso.to(Path.of("out/kairos.iso"))));
        System.out.println("root: " + build.rootFs().root());
    }
}
/exit
