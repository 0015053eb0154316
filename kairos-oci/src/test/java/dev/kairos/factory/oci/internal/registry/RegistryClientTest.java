package dev.kairos.factory.oci.internal.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.kairos.factory.oci.api.ImageReference;
import dev.kairos.factory.oci.api.RegistryUnreachableException;
import dev.kairos.factory.oci.internal.util.Pools;
import java.net.InetAddress;
import java.net.ServerSocket;
import org.junit.jupiter.api.Test;

class RegistryClientTest {
  @Test
  void aClosedPortReadsAsConnectionRefusedNamingHostPortAndReference() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort(); // free now, and nothing listens once closed
    }
    ImageReference ref = ImageReference.parse("127.0.0.1:" + port + "/kairos/closed:v1");
    RegistryClient client = new RegistryClient(ref, true, null, null, Pools.shared());

    RegistryUnreachableException e = catchThrowableOfType(() -> client.manifest("v1"), RegistryUnreachableException.class);

    assertThat(e).isNotNull();
    assertThat(e.hostPort()).isEqualTo("127.0.0.1:" + port);
    assertThat(e.reason()).isEqualTo("connection refused");
    assertThat(e.reference()).isEqualTo(ref.toString());
    assertThat(e).hasMessage(ref + ": cannot connect to registry 127.0.0.1:" + port + ": connection refused");
  }
}
