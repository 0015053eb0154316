package dev.kairos.factory.oci.internal.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kairos.factory.core.api.InvalidInputException;
import java.net.http.HttpClient;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TokenAuthTest {
  @Test
  void bearerChallengeParametersInAnyOrderQuotedOrNot() throws Exception {
    TokenAuth.Challenge c = TokenAuth.Challenge.parse(
        "Bearer scope=\"repository:a/b:pull,push repository:c:pull\", realm=\"https://auth.example/token?x=1\",service=reg,error=\"insufficient_scope\"");
    assertThat(c.scheme()).isEqualTo("bearer");
    assertThat(c.params()).containsExactlyInAnyOrderEntriesOf(Map.of(
        "realm", "https://auth.example/token?x=1", "service", "reg",
        "scope", "repository:a/b:pull,push repository:c:pull", "error", "insufficient_scope"));
    assertThat(TokenAuth.Challenge.parse("Basic realm=\"kairos-test\"").scheme()).isEqualTo("basic");
    assertThatThrownBy(() -> TokenAuth.Challenge.parse("Bearer service=\"x\""))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("realm");
  }

  @Test
  void credentialsGoFirstAsBasicUntilATokenIsCached() throws Exception {
    TokenAuth anonymous = new TokenAuth(HttpClient.newHttpClient(), null, null);
    assertThat(anonymous.preemptive("repository:a:pull")).isEmpty();
    assertThat(anonymous.describe()).isEqualTo("anonymous access");
    TokenAuth user = new TokenAuth(HttpClient.newHttpClient(), "me", "pw");
    assertThat(user.preemptive("repository:a:pull")).contains("Basic bWU6cHc=");
    // A Basic challenge is answered with the same credentials; an unknown scheme is refused.
    assertThat(user.answer("Basic realm=\"r\"", "repository:a:pull", "test")).contains("Basic bWU6cHc=");
    assertThatThrownBy(() -> user.answer("Negotiate", "repository:a:pull", "test")).hasMessageContaining("negotiate");
  }

  @Test
  void scopesAreSpelledOneWayWhateverOrderTheRegistryUses() {
    assertThat(TokenAuth.canonicalScope("repository:b/derived:push,pull repository:a/base:pull"))
        .isEqualTo("repository:a/base:pull repository:b/derived:pull,push");
    assertThat(TokenAuth.canonicalScope("repository:a:pull,push")).isEqualTo("repository:a:pull,push");
    assertThat(TokenAuth.canonicalScope("registry:catalog:*")).isEqualTo("registry:catalog:*");
  }
}
