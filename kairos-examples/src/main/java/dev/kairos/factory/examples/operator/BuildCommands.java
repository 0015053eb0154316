package dev.kairos.factory.examples.operator;

import dev.kairos.factory.examples.operator.ArtifactRequest.Output;
import java.util.ArrayList;
import java.util.List;

/**
 * The kairos-factory command lines that make what an {@link ArtifactRequest} asks for: one
 * {@code build} from a base image ({@code image.buildOptions}), or, for a pre-built Kairos image
 * ({@code image.ref}), {@code pull} and then each artifact verb. The builder Job runs them in its
 * pod; the matrix verb runs the same {@code build} in this JVM.
 *
 * <p>The image itself is always written too, as an OCI archive beside the artifacts, so that an
 * exporter can push it (the Kairos Operator's stage 1 image).
 *
 * @param artifacts where the artifacts go ({@code /artifacts} in the pod)
 * @param work the work directory, or null for each verb's default
 * @param cloudConfig the cloud-config file, or null
 * @param ukiKeys the Secure Boot keys directory, or null
 */
public record BuildCommands(String artifacts, String work, String cloudConfig, String ukiKeys) {

  /** The command lines, each without the leading {@code kairos-factory}, in the order they run. */
  public List<List<String>> of(ArtifactRequest r, String name) {
    if (!r.buildable()) {
      throw new IllegalArgumentException("the request is not buildable: " + r.problems() + " " + r.unsupported());
    }
    String a = artifacts.endsWith("/") ? artifacts : artifacts + "/";
    if (r.build() != null) {
      ArtifactRequest.BuildOptions b = r.build();
      List<String> c = new ArrayList<>(List.of("build", "--from", b.baseImage(), "--version", b.version()));
      if (b.model() != null && !b.model().isEmpty()) {
        c.addAll(List.of("--model", b.model()));
      }
      if (b.kubernetesDistro() != null && !b.kubernetesDistro().isEmpty()) {
        c.addAll(List.of("--provider", b.kubernetesDistro()));
        if (b.kubernetesVersion() != null && !b.kubernetesVersion().isEmpty()) {
          c.addAll(List.of("--provider-" + b.kubernetesDistro() + "-version", b.kubernetesVersion()));
        }
      }
      if (b.fips()) {
        c.add("--fips");
      }
      if (b.trustedBoot()) {
        c.add("--trusted=true");
      }
      if (r.arch() != null) {
        c.addAll(List.of("--arch", r.arch()));
      }
      c.addAll(List.of("--oci-archive", a + name + ".oci.tar"));
      for (Output o : r.outputs()) {
        c.addAll(switch (o) {
          case ISO -> List.of("--iso", a + name + ".iso");
          case CLOUD_IMAGE -> List.of("--disk", a + name + ".raw");
          case AZURE_IMAGE -> List.of("--vhd", a + name + ".vhd");
          case GCE_IMAGE -> List.of("--gce", a + name + ".gce.tar.gz");
          case NETBOOT -> List.of("--netboot", a + "netboot");
          case UKI -> List.of("--uki", a + name + ".efi", "--keys", ukiKeys);
        });
      }
      if (cloudConfig != null) {
        c.addAll(List.of("--cloud-config", cloudConfig));
      }
      if (work != null) {
        c.addAll(List.of("--work", work));
      }
      return List.of(c);
    }
    if (work == null) {
      throw new IllegalArgumentException("image.ref needs a work directory for the pulled root");
    }
    String root = work + "/rootfs";
    List<List<String>> all = new ArrayList<>();
    List<String> pull = new ArrayList<>(List.of("pull", r.ref(), "--to", root));
    if (r.arch() != null) {
      pull.addAll(List.of("--platform", "linux/" + r.arch()));
    }
    all.add(pull);
    for (Output o : r.outputs()) {
      List<String> c = new ArrayList<>(switch (o) {
        case ISO -> List.of("build-iso", "--root", root, "-o", a + name + ".iso");
        case CLOUD_IMAGE -> List.of("build-disk", "--root", root, "--format", "raw", "-o", a + name + ".raw");
        case AZURE_IMAGE -> List.of("build-disk", "--root", root, "--format", "vhd", "-o", a + name + ".vhd");
        case GCE_IMAGE -> List.of("build-disk", "--root", root, "--format", "gce", "-o", a + name + ".gce.tar.gz");
        case NETBOOT -> List.of("netboot", "--root", root, "-o", a + "netboot");
        case UKI -> List.of("build-uki", "--root", root, "--keys", ukiKeys, "-o", a + name + ".efi");
      });
      if (cloudConfig != null && (o == Output.ISO || o.name().endsWith("_IMAGE"))) {
        c.addAll(List.of("--cloud-config", cloudConfig));
      }
      if (o != Output.NETBOOT) {
        c.addAll(List.of("--work", work + "/" + o.field));
      }
      all.add(c);
    }
    return all;
  }
}
