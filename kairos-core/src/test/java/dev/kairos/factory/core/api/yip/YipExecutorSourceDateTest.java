package dev.kairos.factory.core.api.yip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kairos.factory.core.api.InvalidInputException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.api.Test;

class YipExecutorSourceDateTest {
  private static final Clock NOW = Clock.fixed(Instant.parse("2026-12-07T05:00:00Z"), ZoneOffset.UTC);

  @Test
  void withoutSourceDateEpochItIsToday() throws Exception {
    assertThat(YipExecutor.defaultSourceDate(Map.of(), NOW).instant()).isEqualTo(NOW.instant());
    assertThat(YipExecutor.defaultSourceDate(Map.of("SOURCE_DATE_EPOCH", " "), NOW).instant())
        .isEqualTo(NOW.instant());
  }

  @Test
  void sourceDateEpochWins() throws Exception {
    assertThat(YipExecutor.defaultSourceDate(Map.of("SOURCE_DATE_EPOCH", "86400"), NOW).instant())
        .isEqualTo(Instant.ofEpochSecond(86400));
    assertThatThrownBy(() -> YipExecutor.defaultSourceDate(Map.of("SOURCE_DATE_EPOCH", "soon"), NOW))
        .isInstanceOf(InvalidInputException.class);
  }
}
