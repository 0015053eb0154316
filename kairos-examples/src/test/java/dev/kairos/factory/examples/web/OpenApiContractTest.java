package dev.kairos.factory.examples.web;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** The contract check the API tests run on every answer does catch a handler that drifts from the document. */
class OpenApiContractTest {
  private static final String BUILD = "{\"id\":\"b\",\"state\":\"queued\",\"request\":{\"from\":\"dir:/r\",\"version\":"
      + "\"v1.0.0\"},\"createdAt\":\"2026-01-01T00:00:00Z\",\"startedAt\":null,\"finishedAt\":null,\"exitCode\":null,"
      + "\"steps\":[],\"artifacts\":[],\"validation\":null,\"error\":null,\"name\":null,\"stepCache\":null}";

  @Test
  void aBuildAsTheHandlersWriteItConforms() {
    JsonNode b = ApiClient.JSON.readTree(BUILD);
    assertThat(ApiClient.violations("GET", "/api/v1/builds/b", 200, b)).isEmpty();
    assertThat(ApiClient.violations("POST", "/api/v1/builds", 201, b)).isEmpty();
  }

  @Test
  void aFinishedBuildWithARestoredStepAndItsStepCacheConforms() {
    ObjectNode b = (ObjectNode) ApiClient.JSON.readTree(BUILD.replace("\"steps\":[]",
        "\"steps\":[{\"step\":\"installPackages\",\"seconds\":0.0,\"skipped\":false,\"cached\":true},"
            + "{\"step\":\"initrd\",\"seconds\":61.5,\"skipped\":false,\"cached\":false}]")
        .replace("\"stepCache\":null", "\"stepCache\":{\"key\":\"k\",\"restored\":[\"r\"],"
            + "\"reused\":[\"installPackages\"],\"ran\":[\"initrd\"],\"saved\":[]}"));
    assertThat(ApiClient.violations("GET", "/api/v1/builds/b", 200, b)).isEmpty();
    ObjectNode noCachedFlag = b.deepCopy();
    ((ObjectNode) noCachedFlag.get("steps").get(0)).remove("cached");
    assertThat(ApiClient.violations("GET", "/api/v1/builds/b", 200, noCachedFlag)).isNotEmpty();
    ObjectNode badReport = b.deepCopy();
    ((ObjectNode) badReport.get("stepCache")).remove("reused");
    assertThat(ApiClient.violations("GET", "/api/v1/builds/b", 200, badReport)).isNotEmpty();
  }

  @Test
  void anUnknownStateAMissingFieldOrAnExtraFieldIsCaught() {
    ObjectNode b = (ObjectNode) ApiClient.JSON.readTree(BUILD);
    assertThat(ApiClient.violations("GET", "/api/v1/builds/b", 200, b.deepCopy().put("state", "complete")))
        .isNotEmpty();
    ObjectNode missing = b.deepCopy();
    missing.remove("steps");
    assertThat(ApiClient.violations("GET", "/api/v1/builds/b", 200, missing)).isNotEmpty();
    assertThat(ApiClient.violations("GET", "/api/v1/builds/b", 200, b.deepCopy().put("stage", "x"))).isNotEmpty();
  }

  @Test
  void anErrorWithoutItsFindingsIsCaught() {
    JsonNode e = ApiClient.JSON.readTree("{\"error\":\"no\"}");
    assertThat(ApiClient.violations("POST", "/api/v1/builds", 400, e)).isNotEmpty();
  }
}
