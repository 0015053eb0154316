package dev.kairos.factory.distros.internal.sbom;

import dev.kairos.factory.distros.api.sbom.Sbom;
import dev.kairos.factory.distros.api.sbom.SbomComponent;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.spdx.core.InvalidSPDXAnalysisException;
import org.spdx.jacksonstore.MultiFormatStore;
import org.spdx.library.LicenseInfoFactory;
import org.spdx.library.ModelCopyManager;
import org.spdx.library.model.v2.ReferenceType;
import org.spdx.library.model.v2.SpdxConstantsCompatV2;
import org.spdx.library.model.v2.SpdxDocument;
import org.spdx.library.model.v2.SpdxModelFactoryCompatV2;
import org.spdx.library.model.v2.SpdxPackage;
import org.spdx.library.model.v2.Version;
import org.spdx.library.model.v2.enumerations.Purpose;
import org.spdx.library.model.v2.enumerations.ReferenceCategory;
import org.spdx.library.model.v2.enumerations.RelationshipType;
import org.spdx.library.model.v2.license.AnyLicenseInfo;
import org.spdx.library.model.v2.license.SpdxNoAssertionLicense;
import org.spdx.storage.simple.InMemSpdxStore;

/**
 * SPDX 2.3 JSON through the SPDX Java library (its Jackson store): the document DESCRIBES the
 * image package, which CONTAINS every component; a component DEPENDS_ON what it requires. The
 * purl is a {@code PACKAGE-MANAGER purl} external reference; the licence is the declared licence
 * when it is SPDX (a listed id or an expression of them), else NOASSERTION with the database's
 * text as the licence comment.
 */
public final class SpdxWriter {
  private SpdxWriter() {}

  /** The JSON bytes of {@code sbom}. */
  public static byte[] write(Sbom sbom) throws IOException {
    Licences.classify("MIT"); // loads the licence list before the store is made
    String namespace = "https://kairos.io/spdxdocs/" + sbom.name().replaceAll("[^A-Za-z0-9._-]", "-") + "-" + sbom.uuid();
    try {
      MultiFormatStore store = new MultiFormatStore(new InMemSpdxStore(), MultiFormatStore.Format.JSON_PRETTY);
      ModelCopyManager copies = new ModelCopyManager();
      SpdxDocument doc = SpdxModelFactoryCompatV2.createSpdxDocumentV2(store, namespace, copies);
      doc.setSpecVersion(Version.TWO_POINT_THREE_VERSION);
      doc.setName(sbom.name() + " " + sbom.version());
      doc.setDataLicense(LicenseInfoFactory.getListedLicenseByIdCompatV2("CC0-1.0"));
      doc.setCreationInfo(doc.createCreationInfo(List.of("Tool: kairos-factory"),
          DateTimeFormatter.ISO_INSTANT.format(sbom.created().truncatedTo(ChronoUnit.SECONDS))));
      AnyLicenseInfo noAssertion = new SpdxNoAssertionLicense(store, namespace);

      SpdxPackage image = doc.createPackage("SPDXRef-Image", sbom.name(), noAssertion, "NOASSERTION", noAssertion)
          .setVersionInfo(sbom.version())
          .setDownloadLocation("NOASSERTION")
          .setFilesAnalyzed(false)
          .setPrimaryPurpose(Purpose.OPERATING_SYSTEM)
          .build();
      doc.addRelationship(doc.createRelationship(image, RelationshipType.DESCRIBES, null));

      ReferenceType purlType = new ReferenceType(SpdxConstantsCompatV2.SPDX_LISTED_REFERENCE_TYPES_PREFIX + "purl");
      Map<String, SpdxPackage> byPurl = new HashMap<>();
      for (SbomComponent c : sbom.components()) {
        AnyLicenseInfo declared = noAssertion;
        String comment = null;
        if (c.licence().isPresent()) {
          String text = c.licence().get();
          if (Licences.classify(text) != Licences.Parsed.TEXT) {
            declared = LicenseInfoFactory.parseSPDXLicenseStringCompatV2(text, store, namespace, copies);
          } else {
            comment = "The package database records the licence as: " + text;
          }
        }
        SpdxPackage.SpdxPackageBuilder b = doc.createPackage(id(c), c.name(), noAssertion, "NOASSERTION", declared)
            .setVersionInfo(c.version())
            .setDownloadLocation("NOASSERTION")
            .setFilesAnalyzed(false)
            .setSupplier(c.supplier().map(s -> "Organization: " + s.replace('\n', ' ')).orElse("NOASSERTION"))
            .setExternalRefs(List.of(doc.createExternalRef(ReferenceCategory.PACKAGE_MANAGER, purlType, c.purl(), null)));
        if (comment != null) {
          b.setLicenseComments(comment);
        }
        SpdxPackage p = b.build();
        byPurl.put(c.purl(), p);
        image.addRelationship(image.createRelationship(p, RelationshipType.CONTAINS, null));
      }
      for (SbomComponent c : sbom.components()) {
        SpdxPackage p = byPurl.get(c.purl());
        for (String on : c.dependsOn()) {
          p.addRelationship(p.createRelationship(byPurl.get(on), RelationshipType.DEPENDS_ON, null));
        }
      }
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      store.serialize(out, doc);
      return out.toByteArray();
    } catch (InvalidSPDXAnalysisException e) {
      throw new IOException("SPDX document of " + sbom.name() + ": " + e.getMessage(), e);
    }
  }

  /** {@code SPDXRef-Package-NAME-HASH}: SPDX ids allow letters, digits, '.' and '-' only. */
  private static String id(SbomComponent c) {
    try {
      byte[] h = MessageDigest.getInstance("SHA-256").digest(c.purl().getBytes(java.nio.charset.StandardCharsets.UTF_8));
      return "SPDXRef-Package-" + c.name().replaceAll("[^A-Za-z0-9.-]", "-") + "-" + HexFormat.of().formatHex(h, 0, 6);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
