package dev.kairos.factory.examples.cli;

import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code build}: the whole pipeline, from a base image to artifacts. */
@Command(name = "build", sortOptions = false,
    description = "Build a Kairos image from a base image and write the artifacts asked for.")
final class BuildCommand extends Verb {
  @Option(names = "--from", required = true, paramLabel = "SRC", converter = Converters.Source.class,
      description = "Base image: REF, oci-layout:DIR[:TAG], oci-archive:FILE, docker-archive:FILE,"
          + " dir:DIR or debootstrap:SUITE[:MIRROR].")
  SourceSpec from;

  @Mixin InitOptions options;

  @Option(names = "--push", paramLabel = "REF", description = "Push the image to this registry reference.")
  String push;

  @Option(names = "--oci-layout", paramLabel = "DIR", description = "Write the image as an OCI layout.")
  Path ociLayout;

  @Option(names = "--iso", paramLabel = "FILE", description = "Write the live/installer ISO.")
  Path iso;

  @Option(names = "--uki", paramLabel = "FILE", description = "Write a signed UKI (needs --keys).")
  Path uki;

  @Option(names = "--keys", paramLabel = "DIR", description = "Secure Boot keys (from genkey) to sign with.")
  Path keys;

  @Option(names = "--disk", paramLabel = "FILE", description = "Write the raw disk image.")
  Path disk;

  @Option(names = "--netboot", paramLabel = "DIR", description = "Write kernel, initrd, squashfs and iPXE script.")
  Path netboot;

  @Option(names = "--work", paramLabel = "DIR",
      defaultValue = "${env:XDG_CACHE_HOME:-${sys:user.home}/.cache}/kairos-factory",
      description = "Work directory for the root filesystem and caches (default: ${DEFAULT-VALUE}).")
  Path work;

  @Override
  int run(Output out) throws Exception {
    if (uki != null && keys == null) {
      throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--uki needs --keys DIR");
    }
    options.toBuildOptions(spec, Sources.framework(options.framework));
    throw new NotAvailableException("build (the Kairosification pipeline of kairos-core)");
  }
}
