package dev.kairos.factory.distros.api.sbom;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.List;
import org.cyclonedx.Version;
import org.cyclonedx.exception.ParseException;
import org.cyclonedx.parsers.JsonParser;
import org.spdx.jacksonstore.MultiFormatStore;
import org.spdx.library.ModelCopyManager;
import org.spdx.library.model.v2.SpdxDocument;
import org.spdx.storage.simple.InMemSpdxStore;

/**
 * The independent checks of a bill's two outputs: CycloneDX against the official 1.6 JSON schema
 * (the one cyclonedx-core-java ships), SPDX read back by the SPDX library's JSON store into a fresh
 * store and checked with its verifier (the checks tools-java's Verify runs).
 */
final class SbomFormatsCheck {
  private static final ObjectMapper JSON = new ObjectMapper();

  private SbomFormatsCheck() {}

  /** Validates the CycloneDX bytes and returns the parsed document. */
  static JsonNode cycloneDx(byte[] bytes) throws IOException {
    List<ParseException> problems = new JsonParser().validate(bytes, Version.VERSION_16);
    assertThat(problems).as("CycloneDX 1.6 schema").isEmpty();
    JsonNode doc = JSON.readTree(bytes);
    assertThat(doc.path("specVersion").asText()).isEqualTo("1.6");
    return doc;
  }

  /** Verifies the SPDX bytes and returns the parsed document. */
  static JsonNode spdx(byte[] bytes) throws Exception {
    MultiFormatStore store = new MultiFormatStore(new InMemSpdxStore(), MultiFormatStore.Format.JSON);
    SpdxDocument doc = store.deSerialize(new ByteArrayInputStream(bytes), false);
    doc.setCopyManager(new ModelCopyManager());
    assertThat(doc.verify()).as("SPDX verifier").isEmpty();
    JsonNode json = JSON.readTree(bytes);
    assertThat(json.path("spdxVersion").asText()).isEqualTo("SPDX-2.3");
    return json;
  }
}
