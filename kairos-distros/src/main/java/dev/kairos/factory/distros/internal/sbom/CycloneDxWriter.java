package dev.kairos.factory.distros.internal.sbom;

import dev.kairos.factory.distros.api.sbom.Sbom;
import dev.kairos.factory.distros.api.sbom.SbomComponent;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import org.cyclonedx.Version;
import org.cyclonedx.exception.GeneratorException;
import org.cyclonedx.generators.BomGeneratorFactory;
import org.cyclonedx.model.Bom;
import org.cyclonedx.model.Component;
import org.cyclonedx.model.Dependency;
import org.cyclonedx.model.License;
import org.cyclonedx.model.LicenseChoice;
import org.cyclonedx.model.Metadata;
import org.cyclonedx.model.OrganizationalEntity;
import org.cyclonedx.model.Property;
import org.cyclonedx.model.license.Expression;

/**
 * CycloneDX 1.6 JSON through cyclonedx-core-java: the image is {@code metadata.component}
 * (type {@code operating-system}), each package a {@code components} entry whose
 * {@code bom-ref} is its purl, the architecture a {@code kairos:arch} property (CycloneDX has no
 * field for it; the purl's {@code arch} qualifier carries it too), and {@code dependencies} the
 * graph: the image on every component, each component on what it requires.
 */
public final class CycloneDxWriter {
  private CycloneDxWriter() {}

  /** The JSON bytes of {@code sbom}. */
  public static byte[] write(Sbom sbom) {
    Bom bom = new Bom();
    bom.setSerialNumber("urn:uuid:" + sbom.uuid());
    bom.setVersion(1);
    Metadata metadata = new Metadata();
    metadata.setTimestamp(Date.from(sbom.created()));
    Component image = new Component();
    image.setType(Component.Type.OPERATING_SYSTEM);
    image.setName(sbom.name());
    image.setVersion(sbom.version());
    image.setBomRef(sbom.rootRef());
    metadata.setComponent(image);
    bom.setMetadata(metadata);

    List<Component> components = new ArrayList<>();
    List<Dependency> graph = new ArrayList<>();
    Dependency root = new Dependency(sbom.rootRef());
    for (SbomComponent c : sbom.components()) {
      components.add(component(c));
      root.addDependency(new Dependency(c.purl()));
      Dependency d = new Dependency(c.purl());
      for (String on : c.dependsOn()) {
        d.addDependency(new Dependency(on));
      }
      graph.add(d);
    }
    graph.add(0, root);
    bom.setComponents(components);
    bom.setDependencies(graph);
    try {
      return BomGeneratorFactory.createJson(Version.VERSION_16, bom).toJsonString().getBytes(StandardCharsets.UTF_8);
    } catch (GeneratorException e) {
      throw new IllegalStateException("CycloneDX generator failed on a complete model", e);
    }
  }

  private static Component component(SbomComponent c) {
    Component out = new Component();
    out.setType(switch (c.kind()) {
      case KERNEL -> Component.Type.OPERATING_SYSTEM;
      case KAIROS -> Component.Type.FRAMEWORK;
      default -> Component.Type.LIBRARY;
    });
    out.setBomRef(c.purl());
    out.setName(c.name());
    out.setVersion(c.version());
    out.setPurl(c.purl());
    c.supplier().ifPresent(s -> {
      OrganizationalEntity e = new OrganizationalEntity();
      e.setName(s);
      out.setSupplier(e);
    });
    c.licence().ifPresent(l -> out.setLicenses(licence(l)));
    List<Property> props = new ArrayList<>();
    if (!c.arch().isEmpty()) {
      props.add(new Property("kairos:arch", c.arch()));
    }
    props.add(new Property("kairos:source", c.kind().name().toLowerCase(java.util.Locale.ROOT)));
    out.setProperties(props);
    return out;
  }

  /** An SPDX id where it is one, an expression where it parses as one, else a free-text name. */
  private static LicenseChoice licence(String text) {
    LicenseChoice choice = new LicenseChoice();
    Licences.Parsed p = Licences.classify(text);
    switch (p) {
      case ID -> {
        License l = new License();
        l.setId(text);
        choice.addLicense(l);
      }
      case EXPRESSION -> choice.setExpression(new Expression(text));
      default -> {
        License l = new License();
        l.setName(text);
        choice.addLicense(l);
      }
    }
    return choice;
  }
}
