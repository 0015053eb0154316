package dev.kairos.factory.examples.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The build database on disk: versioned migrations, applied once, and what a restart finds. */
class BuildStoreTest {
  @TempDir Path data;

  @Test
  void migrationsRunOnceAndAReopenedDatabaseKeepsItsBuilds() throws Exception {
    try (BuildStore s = BuildStore.open(data)) {
      assertThat(s.schemaVersion()).isEqualTo(BuildStore.MIGRATIONS.size());
      s.add("a", "{}", Instant.parse("2026-01-01T00:00:00Z"));
      s.add("b", "{}", Instant.parse("2026-01-01T00:00:01Z"));
      s.started("a", Instant.now());
      assertThat(s.addEvent("a", "state", "{}", Instant.now())).isEqualTo(1);
      assertThat(s.addEvent("a", "state", "{}", Instant.now())).isEqualTo(2);
    }
    try (BuildStore s = BuildStore.open(data)) {
      assertThat(s.schemaVersion()).isEqualTo(BuildStore.MIGRATIONS.size());
      assertThat(s.list(null, 10, 0)).extracting(BuildStore.Build::id).containsExactly("b", "a");
      assertThat(s.interruptRunning(Instant.now())).containsExactly("a");
      assertThat(s.get("a").orElseThrow().state()).isEqualTo("interrupted");
      assertThat(s.get("b").orElseThrow().state()).isEqualTo("queued");
      assertThat(s.events("a", 1)).extracting(BuildStore.Event::seq).containsExactly(2L);
    }
  }

  @Test
  void aDatabaseFromANewerServerIsRefused() throws Exception {
    BuildStore.open(data).close();
    try (var c = DriverManager.getConnection("jdbc:sqlite:" + data.resolve("factory.db"));
        Statement st = c.createStatement()) {
      st.execute("INSERT INTO schema_version (version) VALUES (" + (BuildStore.MIGRATIONS.size() + 1) + ")");
    }
    assertThatThrownBy(() -> BuildStore.open(data)).isInstanceOf(IOException.class)
        .hasMessageContaining("newer than this server's");
  }
}
