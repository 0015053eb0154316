package dev.kairos.factory.examples.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import tools.jackson.databind.JsonNode;

/**
 * The README's main job built a second time, the same command as {@link MainJob}'s first build but
 * for its work and output directories: every step comes from the step cache the first build
 * filled, and the image and the ISO are the first build's to the byte.
 */
@Tag("slow") // a warm rebuild of the main job: 541 s on the loaded 2-core machine (restore, layout, ISO); runs with -Pslow
@ExtendWith(MainJob.Shared.class)
class MainJobRebuildIT {
  @Test
  void theSameBuildAgainReusesEveryStepFromTheStepCacheAndGivesTheSameBytes(MainJob job) throws Exception {
    long start = System.nanoTime();
    MainJob again = job.rebuild("work-again", "out-again");
    System.out.printf("MainJobRebuildIT: the second build took %.1f s%n", (System.nanoTime() - start) / 1e9);
    JsonNode first = job.result.get("stepCache");
    JsonNode second = again.result.get("stepCache");
    List<String> firstSteps = new ArrayList<>();
    first.get("reused").forEach(s -> firstSteps.add(s.asString()));
    first.get("ran").forEach(s -> firstSteps.add(s.asString()));
    assertThat(firstSteps).contains("installPackages", "initrd");
    // Every step the first build ran or reused came from the cache; none ran.
    assertThat(second.get("ran")).as("steps that ran again: %s", second).isEmpty();
    List<String> reused = new ArrayList<>();
    second.get("reused").forEach(s -> reused.add(s.asString()));
    assertThat(reused).containsExactlyInAnyOrderElementsOf(firstSteps);
    assertThat(second.get("restored")).isNotEmpty();
    assertThat(second.get("key")).isEqualTo(first.get("key"));
    // The same image and the same ISO, to the byte.
    JsonNode before = job.result.get("artifacts");
    JsonNode after = again.result.get("artifacts");
    for (int i = 0; i < 2; i++) {
      assertThat(after.get(i).get("digest")).as("digest of %s", before.get(i).get("kind")).isEqualTo(before.get(i).get("digest"));
    }
    assertThat(Files.readAllBytes(again.out.resolve("oci/index.json"))).isEqualTo(Files.readAllBytes(job.out.resolve("oci/index.json")));
    job.assertSameIso(again.iso());
  }
}
