package dev.kairos.factory.core.api.run;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UserNamespaceTest {
  @Test
  void findsTheUsersRangeByNameOrByUidAndSkipsMalformedLines(@TempDir Path tmp) throws Exception {
    Path subuid = tmp.resolve("subuid");
    Files.writeString(subuid, "alice:100000:65536\nbob:x:65536\nbob:165536:65536\n1003:231072:70000\n");
    assertThat(UserNamespace.range(subuid, "alice", 1001)).hasValueSatisfying(r -> assertThat(r).containsExactly(100000, 65536));
    assertThat(UserNamespace.range(subuid, "bob", 1002)).hasValueSatisfying(r -> assertThat(r).containsExactly(165536, 65536));
    assertThat(UserNamespace.range(subuid, "carol", 1003)).hasValueSatisfying(r -> assertThat(r).containsExactly(231072, 70000));
    assertThat(UserNamespace.range(subuid, "dave", 1004)).isEmpty();
    assertThat(UserNamespace.range(tmp.resolve("absent"), "alice", 1001)).isEmpty();
  }

  @Test
  void suggestsARangeAfterEveryRangeInTheFile(@TempDir Path tmp) throws Exception {
    Path subuid = tmp.resolve("subuid");
    assertThat(UserNamespace.freeStart(subuid)).isEqualTo(100000);
    Files.writeString(subuid, "");
    assertThat(UserNamespace.freeStart(subuid)).isEqualTo(100000);
    // Out of order, one malformed line, one range below useradd's minimum.
    Files.writeString(subuid, "bob:165536:65536\nalice:100000:65536\ncarol:x:1\nold:1000:500\n");
    assertThat(UserNamespace.freeStart(subuid)).isEqualTo(231072);
  }

  @Test
  void wrapRefusesNamingWhatIsMissingOrMapsTheUserAndItsSubordinateIds() throws Exception {
    // As whatever user runs the tests: either the build could run in a user namespace, and the
    // command says how, or it cannot, and the error lists exactly what missing() found.
    if (UserNamespace.missing().isEmpty()) {
      assertThat(UserNamespace.wrap(java.util.List.of("true"))).startsWith(
          "/usr/bin/unshare", "--map-user=0", "--map-group=0").endsWith("--", "true");
    } else {
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> UserNamespace.wrap(java.util.List.of("true")))
          .hasMessageContaining("cannot build without root")
          .hasMessageContaining(UserNamespace.missing().get(0));
    }
  }
}
