package dev.kairos.factory.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Text and archives from a hostile image, given to the CLI on real files: nothing from the image
 * reaches the terminal raw, errors stay short and say what is wrong.
 */
class HostileInputTest {
  private static final String ESC = "\033";
  @TempDir Path tmp;

  private Path root(String osRelease) throws IOException {
    Path root = Files.createDirectories(tmp.resolve("root/etc")).getParent();
    Files.writeString(root.resolve("etc/os-release"), osRelease);
    return root;
  }

  @Test
  void anEscapeSequenceInOsReleaseIsShownNotSent() throws Exception {
    Path root = root("ID=debian\nVERSION_ID=12\nPRETTY_NAME=\"x\"\nbad line " + ESC + "]0;pwned" + (char) 7 + ESC + "[31m\n");
    CliRunner r = CliRunner.run("detect", "--root", root.toString());
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).contains("/etc/os-release:4:1:").contains("'bad line \\x1b]0;pwned\\x07\\x1b[31m'")
        .doesNotContain(ESC, "\007");
    CliRunner json = CliRunner.run("detect", "--root", root.toString(), "--json");
    assertThat(json.out() + json.err()).doesNotContain(ESC, "\007");
  }

  @Test
  void anUnknownDistroIdIsQuotedEscaped() throws Exception {
    Path root = root("ID=\"evil" + ESC + "[2J\"\nVERSION_ID=1\n");
    CliRunner r = CliRunner.run("detect", "--root", root.toString());
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).contains("unsupported distro 'evil\\x1b[2J'").doesNotContain(ESC);
  }

  @Test
  void aHugeOsReleaseLineGivesAShortError() throws Exception {
    Path root = root("ID=debian\n" + "A".repeat(1 << 20) + "\n");
    CliRunner r = CliRunner.run("detect", "--root", root.toString());
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).startsWith("kairos-factory: error: /etc/os-release: larger than 65536 bytes").hasSizeLessThan(300);
    Files.writeString(root.resolve("etc/os-release"), "ID=debian\n" + "A".repeat(60_000) + "\n");
    r = CliRunner.run("detect", "--root", root.toString());
    assertThat(r.err()).contains("/etc/os-release:2:1: expected NAME=value").contains("(60,000 characters)")
        .hasSizeLessThan(400);
  }

  @Test
  void nameRefusesAReleaseValueThatWouldMakeAPath() throws Exception {
    Path root = root("ID=debian\nVERSION_ID=12\n");
    Files.writeString(root.resolve("etc/kairos-release"), String.join("\n", "KAIROS_FLAVOR=\"../../../etc\"",
        "KAIROS_FLAVOR_RELEASE=12", "KAIROS_VARIANT=core", "KAIROS_TARGETARCH=amd64", "KAIROS_MODEL=generic",
        "KAIROS_RELEASE=v1.0.0", ""));
    CliRunner r = CliRunner.run("name", "--root", root.toString());
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.out()).isEmpty();
    assertThat(r.err()).contains("KAIROS_FLAVOR '../../../etc' cannot be part of an artifact name: it holds '..'")
        .doesNotContain("kairos-../");
  }

  @Test
  void aMissingOciLayoutIsAUsageError() {
    Path missing = tmp.resolve("no-such-layout");
    CliRunner r = CliRunner.run("pull", "oci-layout:" + missing, "--to", tmp.resolve("to").toString());
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains(missing + ": no such directory");
    assertThat(tmp.resolve("to")).doesNotExist();
    CliRunner archive = CliRunner.run("pull", "docker-archive:" + tmp.resolve("none.tar"), "--to", tmp.resolve("to").toString());
    assertThat(archive.exit()).isEqualTo(2);
    assertThat(archive.err()).contains("none.tar: no such file");
  }

  @Test
  void aMalformedDockerManifestSaysWhatIsWrong() throws Exception {
    Path empty = tmp.resolve("empty.tar");
    Files.write(empty, tar(Map.of("manifest.json", "[]".getBytes(StandardCharsets.UTF_8))));
    CliRunner r = CliRunner.run("pull", "docker-archive:" + empty, "--to", tmp.resolve("a").toString());
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).contains("empty.tar:manifest.json: lists no image (an empty array)");
    Path number = tmp.resolve("number.tar");
    Files.write(number, tar(Map.of("manifest.json", "{\"Config\":5}".getBytes(StandardCharsets.UTF_8))));
    r = CliRunner.run("pull", "docker-archive:" + number, "--to", tmp.resolve("b").toString());
    assertThat(r.err()).contains("number.tar:manifest.json: expected an array of images, as docker save writes, got an object");
  }

  @Test
  void aTenThousandLevelLayerFailsInOneLine() throws Exception {
    Map<String, byte[]> layer = new LinkedHashMap<>();
    StringBuilder name = new StringBuilder();
    for (int i = 0; i < 10_000; i++) {
      name.append("a/");
      layer.put(name.toString(), null);
    }
    layer.put(name + "deep", "x".getBytes(StandardCharsets.UTF_8));
    byte[] layerTar = tar(layer);
    String diffId = "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(layerTar));
    Map<String, byte[]> archive = new LinkedHashMap<>();
    archive.put("manifest.json", "[{\"Config\":\"config.json\",\"RepoTags\":[\"deep:1\"],\"Layers\":[\"layer.tar\"]}]"
        .getBytes(StandardCharsets.UTF_8));
    archive.put("config.json", ("{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\""
        + diffId + "\"]}}").getBytes(StandardCharsets.UTF_8));
    archive.put("layer.tar", layerTar);
    Path file = tmp.resolve("deep.tar");
    Files.write(file, tar(archive));
    CliRunner r = CliRunner.run("pull", "docker-archive:" + file, "--to", tmp.resolve("deep").toString());
    assertThat(r.exit()).isEqualTo(1);
    String error = r.err().lines().filter(l -> l.startsWith("kairos-factory: error:")).findFirst().orElseThrow();
    assertThat(error).contains("257 levels deep").hasSizeLessThan(500);
    assertThat(r.err().length()).isLessThan(2000);
  }

  /** A tar of {@code members} (null content: a directory), names of any length in PAX headers. */
  static byte[] tar(Map<String, byte[]> members) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (Map.Entry<String, byte[]> m : members.entrySet()) {
      byte[] content = m.getValue() == null ? new byte[0] : m.getValue();
      char type = m.getValue() == null ? '5' : '0';
      String name = m.getKey();
      if (name.length() > 99) {
        String rec = " path=" + name + "\n";
        int len = rec.length();
        len += Integer.toString(len + Integer.toString(len).length()).length();
        byte[] pax = (len + rec).getBytes(StandardCharsets.UTF_8);
        header(out, "PaxHeader", 'x', pax.length);
        body(out, pax);
        name = "long";
      }
      header(out, name, type, content.length);
      body(out, content);
    }
    out.write(new byte[1024]);
    return out.toByteArray();
  }

  private static void header(ByteArrayOutputStream out, String name, char type, long size) {
    byte[] h = new byte[512];
    put(h, 0, name);
    put(h, 100, type == '5' ? "0000755" : "0000644");
    put(h, 108, "0000000");
    put(h, 116, "0000000");
    put(h, 124, String.format("%011o", size));
    put(h, 136, "00000000000");
    put(h, 148, "        ");
    h[156] = (byte) type;
    put(h, 257, "ustar");
    put(h, 263, "00");
    int sum = 0;
    for (byte b : h) {
      sum += b & 0xff;
    }
    put(h, 148, String.format("%06o", sum));
    h[155] = ' ';
    out.writeBytes(h);
  }

  private static void body(ByteArrayOutputStream out, byte[] content) {
    out.writeBytes(content);
    out.writeBytes(new byte[(512 - content.length % 512) % 512]);
  }

  private static void put(byte[] h, int at, String s) {
    byte[] b = s.getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(b, 0, h, at, b.length);
  }
}
