package dev.kairos.factory.boot.api.netboot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.kairos.factory.boot.it.DracutRootfs;
import dev.kairos.factory.boot.it.QemuBoot;
import dev.kairos.factory.core.api.SourceDate;
import dev.kairos.factory.core.api.event.EventListener;
import dev.kairos.factory.core.api.fs.ImagePath;
import dev.kairos.factory.core.api.fs.RootFs;
import dev.kairos.factory.core.api.image.BuiltImage;
import dev.kairos.factory.core.api.run.Command;
import dev.kairos.factory.core.api.run.CommandRunner;
import dev.kairos.factory.core.api.run.Runners;
import dev.kairos.factory.core.it.DebianFixture;
import dev.kairos.factory.core.it.Scratch;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Network-boots the {@link NetbootSet} of a Debian root under QEMU (SeaBIOS, TCG, user network):
 * the set is served by an HTTP server on the host's 127.0.0.1, which the guest reaches as
 * 10.0.2.2. The initrd is dracut's with {@code livenet}, so the kernel command line the set
 * writes ({@code root=live:http://…/kairos.squashfs ip=dhcp rd.neednet=1 …}) must bring the
 * network up, download the squashfs and boot it to a unit that prints a marker.
 */
class NetbootBootIT {
  static final String MARKER = "KAIROS_NETBOOT_OK";
  /** What a Kairos image's initrd needs for livenet that the with-kernel fixture lacks. */
  static final List<String> NETWORK_PACKAGES = List.of("dracut-network", "curl", "procps");

  static Path scratch;
  static HttpServer http;
  static ExecutorService httpThreads;
  static final List<String> requests = new CopyOnWriteArrayList<>();
  static String baseUrl;
  static NetbootSet.Files set;
  static String cmdline;

  @BeforeAll
  static void build() throws Exception {
    DebianFixture.assumeUsable();
    assumeTrue(QemuBoot.available(false), "qemu missing");
    scratch = Scratch.create("netboot-boot");
    long start = System.nanoTime();
    RootFs root = netbootRootfs(scratch.resolve("rootfs"));
    long prepared = System.nanoTime();
    Path served = Files.createDirectories(scratch.resolve("http"));
    http = serve(served);
    baseUrl = "http://10.0.2.2:" + http.getAddress().getPort();
    NetbootSet target = NetbootSet.to(served).baseUrl(baseUrl);
    target.write(BuiltImage.of(root, SourceDate.of(Instant.parse("2025-01-01T00:00:00Z"))), EventListener.NONE);
    set = target.files();
    cmdline = target.cmdline();
    System.out.printf("netboot set: rootfs and initrd %.1f s, set written %.1f s, squashfs %d bytes%n",
        (prepared - start) / 1e9, (System.nanoTime() - prepared) / 1e9, Files.size(set.squashfs()));
  }

  /**
   * The cached Debian with the network dracut modules and their tools installed, a marker unit,
   * and an initrd with livenet (as a Kairos image has, see the spec's dracut config) made with
   * network-legacy (dhclient), which is the handler the Kairos config ends up choosing. The
   * kernel modules and documentation are then dropped from the root: the booted system needs
   * none of them, and the squashfs the guest downloads halves (about 150 MB).
   */
  static RootFs netbootRootfs(Path dir) throws Exception {
    RootFs root = DebianFixture.extract(DebianFixture.withKernelTarball(), dir);
    CommandRunner chroot = Runners.chroot();
    chroot.run(root, Command.builder("apt-get", "update").timeout(Duration.ofMinutes(5)).build()).requireSuccess();
    chroot.run(root, Command.builder("/bin/sh", "-c", "apt-get install -y --no-install-recommends "
                + String.join(" ", NETWORK_PACKAGES) + " && apt-get clean && rm -rf /var/lib/apt/lists/*")
            .env("DEBIAN_FRONTEND", "noninteractive").env("INITRD", "No").timeout(Duration.ofMinutes(10)).build())
        .requireSuccess();
    DracutRootfs.markerUnit(root, MARKER, "root=$(findmnt -n -o FSTYPE /run/rootfsbase) cmdline=$(cat /proc/cmdline)");
    DracutRootfs.initrd(root, "network-legacy livenet dmsquash-live", "virtio_pci virtio_net squashfs overlay loop dm_mod");
    for (String unneeded : List.of("/usr/lib/modules", "/usr/share/doc", "/usr/share/man", "/usr/share/locale")) {
      root.deleteRecursively(ImagePath.of(unneeded));
    }
    return root;
  }

  /** A plain HTTP file server for {@code dir} on 127.0.0.1, on a free port; records request paths. */
  static HttpServer serve(Path dir) throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    httpThreads = Executors.newFixedThreadPool(2);
    server.setExecutor(httpThreads);
    server.createContext("/", exchange -> {
      try (exchange) {
        requests.add(exchange.getRequestURI().getPath());
        sendFile(exchange, dir);
      }
    });
    server.start();
    return server;
  }

  private static void sendFile(HttpExchange exchange, Path dir) throws IOException {
    String name = exchange.getRequestURI().getPath().substring(1);
    Path file = dir.resolve(name).normalize();
    if (!exchange.getRequestMethod().equals("GET") || !file.getParent().equals(dir) || !Files.isRegularFile(file)) {
      exchange.sendResponseHeaders(404, -1);
      return;
    }
    exchange.getResponseHeaders().set("Content-Type", "application/octet-stream");
    exchange.sendResponseHeaders(200, Files.size(file));
    try (OutputStream out = exchange.getResponseBody()) {
      Files.copy(file, out);
    }
  }

  @AfterAll
  static void clean() throws Exception {
    if (http != null) {
      http.stop(0);
      httpThreads.shutdownNow();
    }
    if (scratch != null) {
      Scratch.delete(scratch);
    }
  }

  @Test
  void kernelInitrdAndCmdlineBootTheSquashfsOverHttp() throws Exception {
    requests.clear();
    QemuBoot.Result r = QemuBoot.builder(scratch.resolve("qemu-kernel")).seabios(true).userNetwork(true)
        .kernel(set.kernel(), set.initrd(), cmdline)
        .marker(MARKER).failOn("FATAL:").failOn("System halted").failOn("failed to download live image")
        .timeout(Duration.ofMinutes(6)).memoryMiB(1536).build().run();
    System.out.println("netboot (kernel): " + r + ", HTTP requests " + requests);
    assertThat(r.outcome()).as(r + "\n" + r.log()).isEqualTo(QemuBoot.Outcome.MARKER);
    String line = r.log().substring(r.log().indexOf(MARKER)).lines().findFirst().orElseThrow();
    assertThat(line).contains("root=squashfs").contains("cmdline=" + cmdline);
    assertThat(cmdline).contains("root=live:" + baseUrl + "/kairos.squashfs").contains("ip=dhcp");
    assertThat(requests).contains("/kairos.squashfs");
  }

  @Test
  void ipxeScriptFetchesKernelAndInitrdOverHttp() throws Exception {
    // iPXE (the NIC's ROM) runs the script, fetches both files, then starts the kernel, which
    // prints the command line it got first thing; the rest of that boot is the test above
    String started = "Command line: initrd=kairos-initrd " + cmdline;
    requests.clear();
    QemuBoot.Result r = QemuBoot.builder(scratch.resolve("qemu-ipxe")).seabios(true)
        .pxeBoot(baseUrl + "/kairos.ipxe").marker(started).failOn("No bootable device")
        .timeout(Duration.ofMinutes(3)).memoryMiB(1536).build().run();
    System.out.println("netboot (iPXE): " + r + ", HTTP requests " + requests);
    assertThat(r.outcome()).as(r + "\n" + r.log()).isEqualTo(QemuBoot.Outcome.MARKER);
    assertThat(requests).containsExactly("/kairos.ipxe", "/kairos-kernel", "/kairos-initrd");
  }
}
