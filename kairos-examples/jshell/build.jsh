// The main job in a few lines of jshell: a Debian bookworm base from Debian's mirror, made a Kairos
// image, written as an OCI layout and a live ISO. As root, from the repository:
//
//   mvn -B -q -DskipTests install
//   jshell --class-path kairos-examples/target/kairos-factory.jar kairos-examples/jshell/build.jsh
//
// Environment: KAIROS_FROM=DIR starts from a root directory instead of debootstrap. KAIROS_PLAN=1
// prints the plan and writes nothing anywhere: the base is copied into memory (so it needs
// KAIROS_FROM; a debootstrap base would have to be bootstrapped on disk first). The work directory
// (the image's root, a few GB) is made in /var/tmp, or in -R-Dkairos.work=DIR, and removed at the
// end; KAIROS_KEEP=1 keeps it and prints where the root is.
import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import dev.kairos.factory.boot.api.iso.LiveIso;
import dev.kairos.factory.core.api.Kairos;
import dev.kairos.factory.core.api.image.ImageSource;
import dev.kairos.factory.core.api.io.ScratchDirectory;
import dev.kairos.factory.distros.api.Bootstrap;
import dev.kairos.factory.distros.api.DirectorySource;
import dev.kairos.factory.oci.api.OciTarget;
import java.nio.file.Path;

var from = System.getenv("KAIROS_FROM");
ImageSource base = from == null ? Bootstrap.debootstrap("bookworm") : DirectorySource.of(Path.of(from));

if (System.getenv("KAIROS_PLAN") != null) {
    if (from == null) {
        System.out.println("KAIROS_PLAN=1 plans from a root directory: set KAIROS_FROM=DIR (a debootstrap base would be written to disk)");
    } else {
        try (var memory = Jimfs.newFileSystem(Configuration.unix())) {
            System.out.println(Kairos.from(base).workDirectory(memory.getPath("/work")).version("v1.0.0").plan());
        }
    }
} else {
    var work = ScratchDirectory.in(Path.of(System.getProperty("kairos.work", "/var/tmp")), "jshell");
    try (var build = Kairos.from(base).workDirectory(work.dir()).version("v1.0.0").onEvent(System.out::println).build()) {
        System.out.println(build.validate());
        System.out.println(build.output(OciTarget.layout(Path.of("out/oci"), "v1.0.0")));
        System.out.println(build.output(LiveIso.to(Path.of("out/kairos.iso"))));
    } finally {
        if (System.getenv("KAIROS_KEEP") != null) {
            System.out.println("root kept in " + work.dir().resolve("rootfs"));
        } else {
            work.close();
        }
    }
}
/exit
