// Imports for jshell: every api package of the library, so that a session starts ready to build.
//
//   jshell --class-path kairos-examples/target/kairos-factory.jar --startup DEFAULT --startup kairos-examples/jshell/imports.jsh
//
// Then, e.g.: Kairos.fromRoot(RootFs.at(Path.of("/var/tmp/rootfs"))).version("v1.0.0").plan()
import dev.kairos.factory.boot.api.*;
import dev.kairos.factory.boot.api.disk.*;
import dev.kairos.factory.boot.api.gpt.*;
import dev.kairos.factory.boot.api.grub.*;
import dev.kairos.factory.boot.api.initrd.*;
import dev.kairos.factory.boot.api.iso.*;
import dev.kairos.factory.boot.api.netboot.*;
import dev.kairos.factory.boot.api.secureboot.*;
import dev.kairos.factory.boot.api.squashfs.*;
import dev.kairos.factory.boot.api.uki.*;
import dev.kairos.factory.core.api.*;
import dev.kairos.factory.core.api.distro.*;
import dev.kairos.factory.core.api.event.*;
import dev.kairos.factory.core.api.fs.*;
import dev.kairos.factory.core.api.image.*;
import dev.kairos.factory.core.api.io.*;
import dev.kairos.factory.core.api.release.*;
import dev.kairos.factory.core.api.run.*;
import dev.kairos.factory.core.api.validate.*;
import dev.kairos.factory.core.api.yip.*;
import dev.kairos.factory.distros.api.*;
import dev.kairos.factory.oci.api.*;
import java.nio.file.*;
import java.time.*;
