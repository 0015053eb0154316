package dev.kairos.factory.core.api.yip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kairos.factory.core.api.InvalidInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class YipParseTest {
  private static YipDocument parse(String yaml) throws Exception {
    return Yip.lenient().parse(yaml, "t.yaml");
  }

  @Test
  void everyStepKeyIsTyped() throws Exception {
    YipDocument d = parse("""
        name: doc
        stages:
          boot:
          - name: all
            after: [{name: other.x}]
            if: test -e /x
            node: "^node"
            only_os: "Debian.*"
            only_os_version: "12"
            only_arch: amd64
            only_service_manager: systemd
            if_files: {all: [/a], none: [/b]}
            files:
            - {path: /etc/f, content: hi, encoding: b64, permissions: 0644, owner: 1, group: 2, ownerstring: "a:b"}
            directories: [{path: /d, permissions: 0o755, owner: 3, group: 4}]
            downloads: [{path: /dl, url: "http://x/y", permissions: 0x1ed, timeout: 5}]
            git: {url: "https://g/r", path: /src, branch: main, branch_only: yes, auth: {username: u, insecure: on}}
            commands: ["echo 1", "echo 2"]
            ensure_entities: [{path: /etc/passwd, entity: "kind: user"}]
            delete_entities: [{entity: "kind: group"}]
            dns: {nameservers: [1.1.1.1], search: [lan], options: [rotate], path: /etc/r}
            hostname: "host-{{ .Random }}"
            sysctl: {net.ipv4.ip_forward: 1}
            users:
              bob: {passwd: pw, lock_passwd: true, uid: 1500, groups: [wheel], ssh_authorized_keys: [k1]}
            authorized_keys: {root: [k2]}
            modules: [br_netfilter]
            timesyncd: {NTP: pool}
            systemctl: {enable: [a], disable: [b], start: [c], mask: [d], overrides: [{service: s, name: n, content: c}]}
            environment: {FOO: 0x10}
            environment_file: /etc/env
            systemd_firstboot: {keymap: us}
            datasource: {providers: [cdrom], path: /p, userdata_name: u.yaml}
            layout: {device: {path: /dev/sda, init_disk: true}, expand_partition: {size: 0}, add_partitions: [{fsLabel: L, pLabel: p, size: 100, filesystem: ext4, bootable: true}]}
            package_pins: {vim: "2:9"}
            packages: {install: [vim], remove: [nano], refresh: true, upgrade: false}
            unpack_images: [{source: "quay.io/x:y", target: /t, platform: linux/amd64}]
        """);
    assertThat(d.diagnostics()).isEmpty();
    YipStep s = d.stage("boot").get(0);
    assertThat(s.name()).isEqualTo("all");
    assertThat(s.after()).containsExactly("other.x");
    assertThat(s.ifCommand()).isEqualTo("test -e /x");
    assertThat(s.onlyServiceManager()).isEqualTo("systemd");
    assertThat(s.ifFiles()).containsEntry("all", List.of("/a")).containsEntry("none", List.of("/b"));
    assertThat(s.files().get(0)).isEqualTo(new YipStep.FileEntry("/etc/f", "hi", "b64", 0644, 1, 2, "a:b"));
    assertThat(s.directories().get(0).permissions()).isEqualTo(0755);
    assertThat(s.downloads().get(0).permissions()).isEqualTo(0755);
    assertThat(s.git().branchOnly()).isTrue();
    assertThat(s.git().insecure()).isTrue();
    assertThat(s.commands()).containsExactly("echo 1", "echo 2");
    assertThat(s.ensureEntities().get(0).path()).isEqualTo("/etc/passwd");
    assertThat(s.dns().nameservers()).containsExactly("1.1.1.1");
    assertThat(s.sysctl()).containsEntry("net.ipv4.ip_forward", "1");
    YipStep.User bob = s.users().get("bob");
    assertThat(bob.name()).isEqualTo("bob");
    assertThat(bob.uid()).isEqualTo("1500");
    assertThat(bob.lockPasswd()).isTrue();
    assertThat(s.environment()).containsEntry("FOO", "0x10");
    assertThat(s.systemctl().overrides().get(0).service()).isEqualTo("s");
    assertThat(s.layout().expandPartition()).contains(0L);
    assertThat(s.layout().addPartitions().get(0).size()).isEqualTo(100);
    assertThat(s.packages().install()).containsExactly("vim");
    assertThat(s.packages().refresh()).isTrue();
    assertThat(s.unpackImages().get(0).platform()).isEqualTo("linux/amd64");
    assertThat(s.location()).isEqualTo(new YipLocation("t.yaml", 4, 5));
  }

  @Test
  void integerRulesFollowYamlV3() throws Exception {
    String tpl = "stages:\n  s:\n  - files: [{path: /f, permissions: %s}]\n";
    assertThat(parse(tpl.formatted("0644")).stage("s").get(0).files().get(0).permissions()).isEqualTo(0644);
    assertThat(parse(tpl.formatted("0o600")).stage("s").get(0).files().get(0).permissions()).isEqualTo(0600);
    YipDocument decimal = parse(tpl.formatted("644"));
    assertThat(decimal.stage("s").get(0).files().get(0).permissions()).isEqualTo(644);
    assertThat(decimal.diagnostics()).singleElement().asString().contains("t.yaml:3:37").contains("decimal");
    assertThat(parse(tpl.formatted("0888")).stage("s").get(0).files().get(0).permissions()).isEqualTo(888);
    assertThatThrownBy(() -> parse(tpl.formatted("\"0644\"")))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("t.yaml:3:37").hasMessageContaining("integer field 'permissions'");
  }

  @Test
  void booleansOnlyUnquoted() throws Exception {
    assertThat(parse("stages:\n  s:\n  - users: {a: {lock_passwd: yes}}\n").stage("s").get(0).users().get("a")
        .lockPasswd()).isTrue();
    assertThatThrownBy(() -> parse("stages:\n  s:\n  - users: {a: {lock_passwd: \"true\"}}\n"))
        .hasMessageContaining("t.yaml:3:30").hasMessageContaining("boolean");
  }

  @Test
  void typeMismatchesNameLineAndColumn() {
    assertThatThrownBy(() -> parse("stages:\n  boot:\n  - commands: echo hi\n"))
        .isInstanceOf(InvalidInputException.class).hasMessageStartingWith("t.yaml:3:15: ");
    assertThatThrownBy(() -> parse("stages:\n  boot:\n  - users:\n    - name: bob\n"))
        .hasMessageStartingWith("t.yaml:4:5: ").hasMessageContaining("not a list");
    assertThatThrownBy(() -> parse("stages:\n  boot:\n    commands: []\n"))
        .hasMessageStartingWith("t.yaml:3:5: ").hasMessageContaining("a list is expected");
    assertThatThrownBy(() -> parse("stages:\n  boot:\n  - users: {a: {groups: \"x,y\"}}\n"))
        .hasMessageContaining("t.yaml:3:25");
  }

  @Test
  void badYamlAndDuplicateKeys() {
    assertThatThrownBy(() -> parse("stages:\n  boot:\n  - commands: [\"a\"\n  - x: [\n"))
        .isInstanceOf(InvalidInputException.class).hasMessageMatching("(?s)t\\.yaml:\\d+:\\d+: YAML syntax error: .*");
    assertThatThrownBy(() -> parse("stages:\n  boot:\n  - name: a\n   bad: indent\n"))
        .hasMessageMatching("(?s)t\\.yaml:4:\\d+: YAML syntax error: .*");
    assertThatThrownBy(() -> parse("a: *nosuch\n")).hasMessageMatching("(?s)t\\.yaml:1:\\d+: .*");
    assertThatThrownBy(() -> parse("stages:\n  boot:\n  - name: a\n    name: b\n"))
        .hasMessageStartingWith("t.yaml:4:5: ").hasMessageContaining("already defined at line 3");
  }

  @Test
  void unknownKeysAreWarningsOrStrictErrors() throws Exception {
    String yaml = "stages:\n  boot:\n  - systctl: {a: b}\n    files:\n    - {path: /f, permissions: 0644, owner_string: bob}\n";
    YipDocument d = parse(yaml);
    assertThat(d.diagnostics()).extracting(Object::toString).containsExactly(
        "t.yaml:3:5: warning: unknown key 'systctl' in step (yip ignores it); did you mean 'sysctl'?",
        "t.yaml:5:37: warning: unknown key 'owner_string' in files entry (yip ignores it); did you mean 'ownerstring'?");
    assertThatThrownBy(() -> Yip.strict().parse(yaml, "t.yaml"))
        .hasMessageStartingWith("t.yaml:3:5: unknown key 'systctl'");
  }

  @Test
  void onlyFirstDocumentAnchorsAndMerge() throws Exception {
    YipDocument d = parse("""
        base: &b {permissions: 0600, owner: 5}
        stages:
          s:
          - files:
            - <<: *b
              path: /x
              owner: 7
        ---
        stages: {other: []}
        """);
    assertThat(d.stages()).containsOnlyKeys("s");
    assertThat(d.stage("s").get(0).files().get(0)).isEqualTo(new YipStep.FileEntry("/x", "", "", 0600, 7, 0, ""));
  }

  @Test
  void modelRefusesImpossibleModes() {
    assertThatThrownBy(() -> new YipStep.FileEntry("/f", "", "", 010000, 0, 0, ""))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("010000");
    assertThatThrownBy(() -> parse("stages:\n  s:\n  - directories: [{path: /d, permissions: 0o17777}]\n"))
        .hasMessageContaining("t.yaml:3:43").hasMessageContaining("0o17777");
  }

  @Test
  void emptyDocument() throws Exception {
    assertThat(parse("").stages()).isEmpty();
    assertThat(parse("# only a comment\n").stages()).isEmpty();
  }

  @Test
  void cloudConfigIsMappedOntoStages() throws Exception {
    YipDocument d = Yip.lenient().parse("""
        ## template: jinja
        #cloud-config
        name: ignored
        hostname: kairos-{{ .Random }}
        install: {device: auto}
        write_files:
        - path: /etc/a
          content: hi
          permissions: "0640"
          owner: "bob:users"
        runcmd: ["echo run"]
        ssh_authorized_keys: ["github:someone", "ssh-ed25519 AAAA top"]
        users:
        - name: bob
          passwd: pw
          groups: [admin]
          ssh_authorized_keys: ["ssh-rsa BBBB bob"]
        growpart: {devices: [/dev/sda]}
        stages:
          boot:
          - commands: ["echo later"]
        """, "/oem/90.yaml");
    assertThat(d.cloudConfig()).isTrue();
    assertThat(d.idRoot()).isEqualTo("/oem/90.yaml");
    List<YipStep> boot = d.stage("boot");
    assertThat(boot).hasSize(3);
    YipStep synthetic = boot.get(0);
    assertThat(synthetic.files()).containsExactly(new YipStep.FileEntry("/etc/a", "hi", "", 0640, 0, 0, "bob:users"));
    assertThat(synthetic.commands()).containsExactly("echo run");
    assertThat(synthetic.users().get("bob").groups()).containsExactly("admin");
    assertThat(synthetic.authorizedKeys()).isEqualTo(Map.of("bob", List.of("ssh-rsa BBBB bob", "ssh-ed25519 AAAA top")));
    assertThat(boot.get(1).layout().devicePath()).isEqualTo("/dev/sda");
    assertThat(boot.get(2).commands()).containsExactly("echo later");
    assertThat(d.stage("initramfs")).singleElement().extracting(YipStep::hostname).isEqualTo("kairos-{{ .Random }}");
    assertThat(d.stage("network").get(0).authorizedKeys()).isEqualTo(Map.of("bob", List.of("github:someone")));
  }

  @Test
  void cloudConfigHeaderDetection() throws Exception {
    assertThat(parse("#cloud-config  \r\nrunsmd: []\n").cloudConfig()).isTrue();
    assertThat(parse(" #cloud-config\n").cloudConfig()).isFalse();
    assertThat(parse("a: 1\n#cloud-config\n").cloudConfig()).isFalse();
    assertThat(parse("#Cloud-Config\n").cloudConfig()).isFalse();
    YipDocument keysToRoot = parse("#cloud-config\nssh_authorized_keys: [k]\n");
    assertThat(keysToRoot.stage("boot").get(0).authorizedKeys()).isEqualTo(Map.of("root", List.of("k")));
    assertThatThrownBy(() -> parse("#cloud-config\nwrite_files: [{path: /x, permissions: \"9z\"}]\n"))
        .hasMessageContaining("t.yaml:2:39").hasMessageContaining("octal");
    assertThat(parse("#cloud-config\nwrite_files: [{path: /x, permissions: 644}]\n").stage("boot").get(0)
        .files().get(0).permissions()).isEqualTo(0644);
  }

  @Test
  void dotNotationCmdline() throws Exception {
    YipDocument d = Yip.lenient().parseCmdline("console=tty1 quiet kairos.config=http://x "
        + "stages.boot[0].commands[0]=\"echo hi there\" stages.boot[0].commands[1]=two stages.boot[0].name=n "
        + "stages.initramfs[0].hostname=box");
    assertThat(d.source()).isEqualTo("<cmdline>");
    assertThat(d.stage("boot").get(0).commands()).containsExactly("echo hi there", "two");
    assertThat(d.stage("boot").get(0).name()).isEqualTo("n");
    assertThat(d.stage("initramfs").get(0).hostname()).isEqualTo("box");
    // dots always nest, so a sysctl key cannot be set from the command line (as in yip)
    assertThatThrownBy(() -> Yip.lenient().parseCmdline("stages.initramfs[0].sysctl.vm.x=1"))
        .hasMessageContaining("sysctl.vm");
    assertThatThrownBy(() -> Yip.lenient().parseCmdline("stages.boot[0].files[0].permissions=420"))
        .hasMessageContaining("<cmdline>:1:1").hasMessageContaining("integer");
  }

  @Test
  void directoriesLoadInByteOrderYamlOnly(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("9_b.yaml"), "name: b\n");
    Files.writeString(dir.resolve("10_a.yml"), "name: a\n");
    Files.writeString(dir.resolve("README.md"), "not: yaml: [\n");
    Files.writeString(dir.resolve("x.YAML"), "name: upper\n");
    Files.createDirectory(dir.resolve("5sub"));
    Files.writeString(dir.resolve("5sub/z.yaml"), "name: sub\n");
    Files.writeString(dir.resolve(".h.yaml"), "name: hidden\n");
    assertThat(Yip.lenient().load(dir)).extracting(YipDocument::name)
        .containsExactly("hidden", "a", "sub", "b");
    Files.writeString(dir.resolve("7_bad.yaml"), "stages: [\n");
    assertThatThrownBy(() -> Yip.lenient().load(dir)).hasMessageContaining("7_bad.yaml:");
    assertThatThrownBy(() -> Yip.lenient().load(dir.resolve("missing"))).isInstanceOf(java.nio.file.NoSuchFileException.class);
  }

  @Test
  void aFileLargerThanTheLimitIsRefusedBeforeItIsRead(@TempDir Path dir) throws Exception {
    Path big = dir.resolve("big.yaml");
    try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(big.toFile(), "rw")) {
      f.setLength(Yip.MAX_FILE_BYTES + 1); // sparse: no disk used
    }
    Files.writeString(dir.resolve("ok.yaml"), "stages:\n  boot:\n    - name: a\n      systctl: {}\n");
    assertThatThrownBy(() -> Yip.lenient().load(big)).isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("big.yaml").hasMessageContaining("limit of 64 MiB");
    YipValidator.Result r = YipValidator.validate(dir, false);
    assertThat(r.documents()).isEqualTo(2);
    assertThat(r.findings()).extracting(YipDiagnostic::toString)
        .anySatisfy(f -> assertThat(f).contains("big.yaml: error: larger than the limit of 64 MiB"))
        .anySatisfy(f -> assertThat(f).contains("ok.yaml:4:7: warning: unknown key 'systctl'"));
  }
}
