package dev.kairos.factory.core.api.yip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kairos.factory.core.api.InvalidInputException;
import dev.kairos.factory.core.api.SourceDate;
import dev.kairos.factory.core.api.StepFailedException;
import dev.kairos.factory.core.api.distro.Model;
import dev.kairos.factory.core.api.event.KairosEvent;
import dev.kairos.factory.core.api.distro.PackageManager;
import dev.kairos.factory.core.api.fs.FileMetadata;
import dev.kairos.factory.core.api.fs.FileType;
import dev.kairos.factory.core.api.fs.ImagePath;
import dev.kairos.factory.core.api.fs.RootFs;
import dev.kairos.factory.core.api.run.Command;
import dev.kairos.factory.core.api.run.RecordingRunner;
import dev.kairos.factory.core.api.run.Runners;
import dev.kairos.factory.core.internal.yip.Sha512Crypt;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The executor's cases, run on an in-memory root ({@code YipExecutorTest}) and on a real
 * directory as root ({@code YipExecutorIT}).
 */
abstract class YipExecutorCases {
  static final Instant DATE = Instant.parse("2026-11-22T00:00:00Z");
  static final long DAYS = DATE.getEpochSecond() / 86400;

  RootFs root;
  RecordingRunner runner;

  abstract RootFs newRoot() throws IOException;

  @BeforeEach
  void setUp() throws IOException {
    root = newRoot();
    base(root);
    runner = Runners.recording();
  }

  /** A small Debian-like /etc: users, groups, shadow, hosts, os-release, a systemctl and some units. */
  static void base(RootFs r) throws IOException {
    r.writeString(ImagePath.of("/etc/passwd"), "root:x:0:0:root:/root:/bin/bash\n"
        + "daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\nkairos:x:1000:1000::/home/kairos:/bin/bash\n");
    r.writeString(ImagePath.of("/etc/group"), "root:x:0:\nusers:x:100:\nwheel:x:10:root\nkairos:x:1000:\n");
    r.writeString(ImagePath.of("/etc/shadow"), "root:*:19000:0:99999:7:::\nkairos:!:19000:0:99999:7:::\n");
    r.setMode(ImagePath.of("/etc/shadow"), 0640);
    r.writeString(ImagePath.of("/etc/hosts"), "127.0.0.1\tlocalhost old\n::1 localhost ip6-localhost\n");
    r.writeString(ImagePath.of("/etc/os-release"),
        "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nID=debian\nVERSION_ID=\"12\"\n");
    r.writeString(ImagePath.of("/etc/machine-id"), "0123456789abcdef0123456789abcdef\n");
    r.write(ImagePath.of("/usr/bin/systemctl"), new byte[0], 0755);
    r.createDirectories(ImagePath.of("/etc/systemd/system"));
    r.writeString(ImagePath.of("/usr/lib/systemd/system/sshd.service"),
        "[Unit]\nDescription=ssh\n[Service]\nExecStart=/usr/sbin/sshd\n[Install]\nWantedBy=multi-user.target\n"
            + "Alias=ssh.service\nAlso=sshd.socket\n");
    r.writeString(ImagePath.of("/usr/lib/systemd/system/sshd.socket"),
        "[Socket]\nListenStream=22\n[Install]\nWantedBy=sockets.target\n");
    r.writeString(ImagePath.of("/usr/lib/systemd/system/getty@.service"),
        "[Service]\nExecStart=agetty\n[Install]\nWantedBy=getty.target\nDefaultInstance=tty1\n");
    r.writeString(ImagePath.of("/usr/lib/systemd/system/static.service"), "[Service]\nExecStart=/bin/true\n");
    r.createDirectories(ImagePath.of("/home/kairos"));
    r.setOwner(ImagePath.of("/home/kairos"), 1000, 1000);
  }

  YipExecutor.Builder exec() {
    return YipExecutor.builder().runner(runner).architecture("amd64").random(new Random(42))
        .sourceDate(SourceDate.of(DATE));
  }

  YipReport run(String yaml) throws IOException {
    return run(yaml, "boot");
  }

  YipReport run(String yaml, String stage) throws IOException {
    return exec().build().run(root, stage, List.of(Yip.lenient().parse(yaml, "t.yaml")));
  }

  String read(String p) throws IOException {
    return root.readString(ImagePath.of(p));
  }

  FileMetadata meta(String p) throws IOException {
    return root.metadata(ImagePath.of(p));
  }

  static String gzb64(String s) throws IOException {
    ByteArrayOutputStream bo = new ByteArrayOutputStream();
    try (GZIPOutputStream g = new GZIPOutputStream(bo)) {
      g.write(s.getBytes(StandardCharsets.UTF_8));
    }
    return Base64.getEncoder().encodeToString(bo.toByteArray());
  }

  // ------------------------------------------------------------------ files and directories

  @Test
  void filesWithEncodingsModesAndOwners() throws IOException {
    YipReport r = run("""
        stages:
          boot:
          - files:
            - {path: /opt/app/plain, content: "hello {{ .Values.os.vendor }}\\n", permissions: 0640, owner: 1000, group: 100}
            - {path: /opt/app/b64, content: "%s", encoding: b64, permissions: 0o600}
            - {path: /opt/app/gz, content: "%s", encoding: gz+b64, permissions: 0755}
            - {path: /opt/app/other, content: "x", encoding: base32, permissions: 420}
            - {path: /opt/app/tpl, content: "{{ .Values.nosuch }} {{ .Foo }}", permissions: 0644}
            - {path: /opt/app/bad, content: "{{ .Values.nosuch.x }} {{", permissions: 0644}
        """.formatted(Base64.getEncoder().encodeToString("secret".getBytes(StandardCharsets.UTF_8)),
        gzb64("zipped\n")));
    assertThat(r.succeeded()).as(r.toString()).isTrue();
    assertThat(read("/opt/app/plain")).isEqualTo("hello debian\n");
    assertThat(meta("/opt/app/plain").mode()).isEqualTo(0640);
    assertThat(meta("/opt/app/plain").uid()).isEqualTo(1000);
    assertThat(meta("/opt/app/plain").gid()).isEqualTo(100);
    // the parent is made with the file's mode plus owner-x, owned by owner/group
    assertThat(meta("/opt/app").mode()).isEqualTo(0740);
    assertThat(meta("/opt").uid()).isEqualTo(1000);
    assertThat(read("/opt/app/b64")).isEqualTo("secret");
    assertThat(meta("/opt/app/b64").mode()).isEqualTo(0600);
    assertThat(read("/opt/app/gz")).isEqualTo("zipped\n");
    assertThat(read("/opt/app/other")).isEqualTo("x");
    assertThat(meta("/opt/app/other").mode()).isEqualTo(0644);
    assertThat(read("/opt/app/tpl")).isEqualTo("<no value> <no value>");
    assertThat(read("/opt/app/bad")).isEqualTo("{{ .Values.nosuch.x }} {{");
  }

  @Test
  void missingPermissionsMeanModeZeroAndBadEncodingLeavesEmptyFile() throws IOException {
    YipReport r = run("""
        stages:
          boot:
          - files:
            - {path: /etc/zero, content: z}
            - {path: /etc/broken, content: "!!notbase64", encoding: base64, permissions: 0644}
            - {path: /etc/after, content: a, permissions: 0644}
        """);
    assertThat(meta("/etc/zero").mode()).isZero();
    assertThat(read("/etc/broken")).isEmpty();
    assertThat(read("/etc/after")).isEqualTo("a");
    assertThat(r.failures()).singleElement().satisfies(s -> assertThat(s.errors()).singleElement().asString()
        .startsWith("files /etc/broken: cannot decode content as base64"));
  }

  @Test
  void ownerNamesComeFromTheImageAndUsersRunAfterFiles() throws IOException {
    YipReport r = run("""
        stages:
          boot:
          - name: too-early
            users: {alice: {passwd: pw}}
            files: [{path: /etc/a1, content: x, permissions: 0600, ownerstring: alice}]
          - name: later
            files:
            - {path: /etc/a2, content: x, permissions: 0600, ownerstring: alice}
            - {path: /etc/a3, content: x, permissions: 0600, ownerstring: "kairos:users"}
        """);
    // files run before users within a step, so the first chown by name fails
    assertThat(r.steps().get(0).status()).isEqualTo(YipReport.Status.FAILED);
    assertThat(r.steps().get(0).errors()).singleElement().asString().contains("user alice not found");
    assertThat(meta("/etc/a1").mode()).isEqualTo(0600);
    assertThat(r.steps().get(1).status()).isEqualTo(YipReport.Status.APPLIED);
    assertThat(meta("/etc/a2").uid()).isEqualTo(1001);
    assertThat(meta("/etc/a2").gid()).isEqualTo(1001);
    assertThat(meta("/etc/a3").uid()).isEqualTo(1000);
    assertThat(meta("/etc/a3").gid()).isEqualTo(100);
  }

  @Test
  void directoriesCreateChmodAndRefuseFiles() throws IOException {
    root.createDirectories(ImagePath.of("/srv/exists"));
    YipReport r = run("""
        stages:
          boot:
          - directories:
            - {path: /srv/a/b/c, permissions: 0750, owner: 1000, group: 1000}
            - {path: /etc/hosts, permissions: 0755}
            - {path: /srv/exists, permissions: 01777, owner: 5, group: 6}
        """);
    assertThat(meta("/srv/a").mode()).isEqualTo(0750);
    assertThat(meta("/srv/a/b/c").uid()).isEqualTo(1000);
    assertThat(meta("/srv").mode()).isEqualTo(0755);
    assertThat(meta("/srv/exists").mode()).isEqualTo(01777);
    assertThat(meta("/srv/exists").uid()).isEqualTo(5);
    assertThat(r.failures().get(0).errors()).singleElement().asString().contains("not a directory");
  }

  // ------------------------------------------------------------------ users and keys

  @Test
  void newUsersGetLowestFreeIdsGroupsShadowAndHome() throws IOException {
    YipReport r = run("""
        stages:
          boot:
          - users:
              zed: {passwd: "s3cret", groups: [wheel, nosuchgroup], shell: /bin/zsh, gecos: Zed}
              bob: {lock_passwd: true, homedir: /srv/bob, primary_group: users}
              carl: {uid: "2000", passwd: "$6$abc$hash", no_create_home: true}
        """);
    assertThat(r.succeeded()).as(r.toString()).isTrue();
    String passwd = read("/etc/passwd");
    // sorted by name: bob 1001, carl 2000 (explicit), zed 1001? no: bob took 1001, so zed gets 1002
    assertThat(passwd).contains("bob:x:1001:100:Created by entities:/srv/bob:/bin/sh\n");
    assertThat(passwd).contains("carl:x:2000:1001:Created by entities:/home/carl:/bin/sh\n");
    assertThat(passwd).contains("zed:x:1002:1002:Zed:/home/zed:/bin/zsh\n");
    String group = read("/etc/group");
    assertThat(group).contains("users:x:100:bob\n").contains("carl:x:1001:carl\n").contains("zed:x:1002:zed\n")
        .contains("wheel:x:10:root,zed\n").doesNotContain("nosuchgroup");
    String shadow = read("/etc/shadow");
    assertThat(shadow).contains("bob:!:" + DAYS + "::::::\n").contains("carl:$6$abc$hash:" + DAYS + "::::::\n");
    String zedHash = shadow.lines().filter(l -> l.startsWith("zed:")).findFirst().orElseThrow().split(":")[1];
    assertThat(Sha512Crypt.crypt("s3cret", zedHash)).isEqualTo(zedHash);
    assertThat(meta("/etc/shadow").mode()).isEqualTo(0640);
    assertThat(meta("/srv/bob").uid()).isEqualTo(1001);
    assertThat(meta("/home/zed").gid()).isEqualTo(1002);
    assertThat(root.exists(ImagePath.of("/home/carl"))).isFalse();
    assertThat(r.effects()).extracting(YipEffect::kind).contains(YipEffect.Kind.USER_ADDED);
  }

  @Test
  void existingUserOnlyGetsPasswordAndKeys() throws IOException {
    YipReport r = run("""
        stages:
          boot:
          - users:
              kairos: {passwd: "newpw", lock_passwd: true, shell: /bin/zsh, groups: [wheel], ssh_authorized_keys: ["ssh-ed25519 AAAA k@h"]}
        """);
    assertThat(r.succeeded()).as(r.toString()).isTrue();
    assertThat(read("/etc/passwd")).contains("kairos:x:1000:1000::/home/kairos:/bin/bash\n");
    assertThat(read("/etc/group")).contains("wheel:x:10:root\n");
    String line = read("/etc/shadow").lines().filter(l -> l.startsWith("kairos:")).findFirst().orElseThrow();
    String[] f = line.split(":", -1);
    assertThat(Sha512Crypt.crypt("newpw", f[1])).isEqualTo(f[1]);
    assertThat(f[2]).isEqualTo(String.valueOf(DAYS));
    assertThat(String.join(":", List.of(f).subList(3, 9))).isEqualTo("0:99999:7:::");
    assertThat(read("/home/kairos/.ssh/authorized_keys")).isEqualTo("ssh-ed25519 AAAA k@h\n");
    assertThat(r.steps().get(0).notes()).anyMatch(n -> n.contains("only passwd and keys"));
  }

  @Test
  void gshadowFollowsGroupWhereItExists() throws IOException {
    root.writeString(ImagePath.of("/etc/gshadow"), "root:*::\nusers:*::\n");
    run("stages:\n  boot:\n  - users: {zed: {groups: [users, wheel]}}\n");
    assertThat(read("/etc/gshadow")).isEqualTo("root:*::\nusers:*::zed\nzed:!::zed\nwheel:!::zed\n");
  }

  @Test
  void sameNamedGroupKeepsItsGid() throws IOException {
    root.writeString(ImagePath.of("/etc/group"), read("/etc/group") + "dave:x:1500:\n");
    run("stages:\n  boot:\n  - users: {dave: {}}\n");
    assertThat(read("/etc/group")).contains("dave:x:1500:dave\n");
    assertThat(read("/etc/passwd")).contains("dave:x:1001:1500:");
  }

  @Test
  void authorizedKeysAreDedupedAndUrlKeysNotFetched() throws IOException {
    String yaml = """
        stages:
          boot:
          - authorized_keys:
              kairos: ["ssh-ed25519 AAAA one", "ssh-ed25519 AAAA one", "github:someone"]
              root: ["ssh-rsa BBBB two"]
              ghost: ["x"]
        """;
    root.createDirectories(ImagePath.of("/root"));
    YipReport first = run(yaml);
    run(yaml);
    assertThat(read("/home/kairos/.ssh/authorized_keys")).isEqualTo("ssh-ed25519 AAAA one\n");
    assertThat(meta("/home/kairos/.ssh").mode()).isEqualTo(0700);
    assertThat(meta("/home/kairos/.ssh").uid()).isEqualTo(1000);
    assertThat(meta("/home/kairos/.ssh/authorized_keys").mode()).isEqualTo(0600);
    assertThat(meta("/home/kairos/.ssh/authorized_keys").uid()).isEqualTo(1000);
    assertThat(read("/root/.ssh/authorized_keys")).isEqualTo("ssh-rsa BBBB two\n");
    assertThat(first.failures().get(0).errors()).singleElement().asString().contains("user ghost not found");
    assertThat(first.effects()).anyMatch(e -> e.kind() == YipEffect.Kind.NOT_APPLICABLE
        && e.detail().contains("github:someone"));
  }

  @Test
  void entitiesEnsureAndDelete() throws IOException {
    YipReport r = run("""
        stages:
          boot:
          - ensure_entities:
            - entity: |
                kind: user
                username: svc
                uid: -1
                group: users
                homedir: /var/lib/svc
                shell: /usr/sbin/nologin
            - entity: |
                kind: group
                group_name: wheel
                users: svc
            - entity: |
                kind: group
                group_name: fresh
                gid: -1
          - delete_entities:
            - entity: |
                kind: group
                group_name: nosuchgroup
            - entity: |
                kind: user
                username: daemon
                password: x
                uid: 1
                gid: 1
                info: daemon
                homedir: /usr/sbin
                shell: /usr/sbin/nologin
        """);
    assertThat(r.succeeded()).as(r.toString()).isTrue();
    // an entity's omitted password stays empty; the exact daemon line is deleted
    assertThat(read("/etc/passwd")).contains("svc::1001:100:Created by entities:/var/lib/svc:/usr/sbin/nologin\n")
        .doesNotContain("daemon:");
    assertThat(read("/etc/group")).startsWith("root:x:0:\n").contains("wheel:x:10:root,svc\n")
        .contains("fresh::1001:\n");
  }

  @Test
  void shadowAndGshadowEntitiesKeepWhatIsNotGiven() throws IOException {
    root.writeString(ImagePath.of("/etc/gshadow"), "root:*::\n");
    YipReport r = run("""
        stages:
          boot:
          - ensure_entities:
            - entity: |
                kind: shadow
                username: kairos
                last_changed: now
                maximum_changed: 90
            - entity: |
                kind: gshadow
                name: ops
                administrators: kairos
                members: kairos,root
          - ensure_entities:
            - entity: |
                kind: shadow
                password: x
        """);
    assertThat(read("/etc/shadow")).contains("kairos:!:" + DAYS + ":0:90:7:::\n");
    assertThat(read("/etc/gshadow")).isEqualTo("root:*::\nops::kairos:kairos,root\n");
    assertThat(r.failures()).singleElement().satisfies(f -> assertThat(f.errors()).singleElement().asString()
        .contains("shadow entity without username"));
  }

  // ------------------------------------------------------------------ services

  @Test
  void systemctlEnableDisableMaskOffline() throws IOException {
    YipReport r = run("""
        stages:
          boot:
          - systemctl:
              enable: [sshd, getty@tty2.service, static, getty@]
              mask: [bluetooth.service]
              start: [sshd]
              overrides:
              - {service: sshd, content: "[Service]\\nNice=5\\n"}
          - systemctl:
              disable: [sshd.service]
              enable: [nosuch]
        """);
    ImagePath wants = ImagePath.of("/etc/systemd/system/multi-user.target.wants/sshd.service");
    assertThat(r.steps().get(0).errors()).as(r.toString()).isEmpty();
    assertThat(root.readSymlink(ImagePath.of("/etc/systemd/system/sockets.target.wants/sshd.socket")))
        .isEqualTo("/usr/lib/systemd/system/sshd.socket");
    assertThat(root.readSymlink(ImagePath.of("/etc/systemd/system/getty.target.wants/getty@tty2.service")))
        .isEqualTo("/usr/lib/systemd/system/getty@.service");
    assertThat(root.readSymlink(ImagePath.of("/etc/systemd/system/getty.target.wants/getty@tty1.service")))
        .isEqualTo("/usr/lib/systemd/system/getty@.service");
    assertThat(root.readSymlink(ImagePath.of("/etc/systemd/system/bluetooth.service"))).isEqualTo("/dev/null");
    assertThat(read("/etc/systemd/system/sshd.service.d/override-yip.conf")).isEqualTo("[Service]\nNice=5\n");
    assertThat(r.steps().get(0).notes()).anyMatch(n -> n.contains("static.service") && n.contains("no [Install]"))
        .anyMatch(n -> n.contains("start sshd"));
    // second step: disabled again, and an unknown unit is an error that does not stop the step
    assertThat(root.exists(wants)).isFalse();
    assertThat(root.exists(ImagePath.of("/etc/systemd/system/ssh.service"))).isFalse();
    assertThat(r.steps().get(1).errors()).singleElement().asString().contains("nosuch.service not found");
  }

  @Test
  void systemctlEnableWritesAliasAndWants() throws IOException {
    run("stages:\n  boot:\n  - systemctl: {enable: [sshd]}\n");
    assertThat(root.readSymlink(ImagePath.of("/etc/systemd/system/multi-user.target.wants/sshd.service")))
        .isEqualTo("/usr/lib/systemd/system/sshd.service");
    assertThat(root.readSymlink(ImagePath.of("/etc/systemd/system/ssh.service")))
        .isEqualTo("/usr/lib/systemd/system/sshd.service");
  }

  @Test
  void openrcRunlevels() throws IOException {
    root.delete(ImagePath.of("/usr/bin/systemctl"));
    root.write(ImagePath.of("/sbin/openrc"), new byte[0], 0755);
    root.write(ImagePath.of("/etc/init.d/sshd"), "#!/sbin/openrc-run\n".getBytes(StandardCharsets.UTF_8), 0755);
    root.createDirectories(ImagePath.of("/etc/runlevels/boot"));
    root.createSymlink(ImagePath.of("/etc/runlevels/boot/sshd"), "/etc/init.d/sshd");
    YipReport r = run("""
        stages:
          boot:
          - only_service_manager: openrc
            systemctl: {enable: [sshd]}
          - only_service_manager: systemd
            commands: [never]
          - systemctl: {disable: [sshd]}
        """);
    assertThat(r.steps().get(1).status()).isEqualTo(YipReport.Status.SKIPPED);
    assertThat(root.exists(ImagePath.of("/etc/runlevels/default/sshd"))).isFalse();
    assertThat(root.exists(ImagePath.of("/etc/runlevels/boot/sshd"))).isFalse();
    assertThat(r.effects()).filteredOn(e -> e.kind() == YipEffect.Kind.UNIT_ENABLED).singleElement()
        .extracting(YipEffect::target).isEqualTo("sshd");
  }

  // ------------------------------------------------------------------ configuration files

  @Test
  void environmentSysctlModulesTimesyncdDnsHostname() throws IOException {
    root.writeString(ImagePath.of("/etc/environment"), "# c\nexport OLD='keep me'\nNUM=\"1\"\n");
    YipReport r = run("""
        stages:
          boot:
          - environment: {ZERO: "007", PLUS: "+5", TEXT: 'a "q" $HOME !x', ARCH: "{{ .Values.os.architecture }}"}
            sysctl: {net.ipv4.ip_forward: "1", vm.swappiness: "10"}
            modules: [br_netfilter, "nf_conntrack hashsize=4096"]
            timesyncd: {NTP: 0.pool.ntp.org, FallbackNTP: "a;b"}
            dns: {nameservers: [1.1.1.1, 9.9.9.9], search: [lan], options: [rotate]}
            hostname: "node-{{ trunc 4 .MachineID }}"
          - environment: {EXTRA: x}
            environment_file: /etc/app/env
        """);
    assertThat(r.succeeded()).as(r.toString()).isTrue();
    assertThat(read("/etc/environment")).isEqualTo(
        "ARCH=\"amd64\"\nNUM=1\nOLD=\"keep me\"\nPLUS=5\nTEXT=\"a \\\"q\\\" \\$HOME \\!x\"\nZERO=7\n");
    assertThat(meta("/etc/environment").mode()).isEqualTo(0644);
    assertThat(read("/etc/app/env")).isEqualTo("EXTRA=\"x\"\n");
    assertThat(meta("/etc/app").mode()).isEqualTo(0744);
    assertThat(read("/etc/sysctl.d/99-yip.conf")).isEqualTo("net.ipv4.ip_forward = 1\nvm.swappiness = 10\n");
    assertThat(read("/etc/modules-load.d/yip.conf")).isEqualTo("br_netfilter\nnf_conntrack\n");
    assertThat(read("/etc/modprobe.d/yip.conf")).isEqualTo("options nf_conntrack hashsize=4096\n");
    assertThat(read("/etc/systemd/timesyncd.conf.d/10-yip.conf"))
        .isEqualTo("[Time]\nFallbackNTP = `a;b`\nNTP         = 0.pool.ntp.org\n");
    assertThat(read("/etc/resolv.conf")).isEqualTo("search lan\nnameserver 1.1.1.1\nnameserver 9.9.9.9\noptions rotate\n");
    assertThat(read("/etc/hostname")).isEqualTo("node-0123\n");
    assertThat(read("/etc/hosts")).isEqualTo("127.0.0.1 localhost node-0123\n::1 localhost ip6-localhost\n");
  }

  // ------------------------------------------------------------------ commands, conditionals, errors

  @Test
  void commandsAndIfGoThroughTheRunner() throws IOException {
    runner.when(c -> c.argv().get(2).startsWith("test -e /nope"), (r, c) -> RecordingRunner.Reply.exit(1));
    runner.when(c -> c.argv().get(2).equals("false"), (r, c) -> RecordingRunner.Reply.exit(3, "boom"));
    YipReport r = run("""
        stages:
          boot:
          - name: skipped
            if: test -e /nope
            commands: [never]
          - name: runs
            if: "test -e /etc/{{ .Values.os.vendor }}"
            commands: ["echo {{ .Values.os.version }}", "false", "echo after"]
          - name: next
            commands: ["echo next"]
        """);
    assertThat(runner.argvs()).extracting(a -> a.get(2)).containsExactly("test -e /nope", "test -e /etc/debian",
        "echo 12", "false", "echo after", "echo next");
    assertThat(runner.argvs().get(0).subList(0, 2)).containsExactly("/bin/sh", "-c");
    assertThat(r.steps()).extracting(YipReport.StepResult::status).containsExactly(YipReport.Status.SKIPPED,
        YipReport.Status.FAILED, YipReport.Status.APPLIED);
    assertThat(r.steps().get(1).errors()).singleElement().asString().contains("exit code 3").contains("boom");
    assertThatThrownBy(r::requireSuccess).isInstanceOf(StepFailedException.class)
        .hasMessageContaining("t.yaml.runs");
  }

  @Test
  void eventsForStepsCommandOutputAndErrors() throws IOException {
    runner.whenPrefix(List.of("/bin/sh", "-c", "echo hi"), RecordingRunner.Reply.ok("hi"));
    List<KairosEvent> events = new ArrayList<>();
    YipDocument d = Yip.lenient().parse("""
        name: e
        stages:
          boot:
          - {name: a, commands: ["echo hi"], systemctl: {enable: [nosuch]}}
          - {name: b, only_arch: arm64}
        """, "e.yaml");
    exec().onEvent(events::add).build().run(root, "boot", List.of(d));
    assertThat(events).extracting(e -> e.getClass().getSimpleName() + (e instanceof KairosEvent.StepFinished f
        ? " " + f.step() + " " + f.skipped() : e instanceof KairosEvent.StepStarted st ? " " + st.step()
        : e instanceof KairosEvent.CommandOutput o ? " " + o.line() : e instanceof KairosEvent.Log l ? " " + l.level() : ""))
        .containsExactly("StepStarted e.a", "CommandOutput hi", "Log ERROR", "StepFinished e.a false",
            "StepStarted e.b", "StepFinished e.b true");
  }

  @Test
  void strictStopsAtTheFirstFailingStep() throws IOException {
    runner.whenPrefix(List.of("/bin/sh", "-c", "false"), RecordingRunner.Reply.exit(1));
    YipDocument d = Yip.lenient().parse("stages:\n  boot:\n  - commands: [\"false\"]\n  - commands: [\"echo 2\"]\n",
        "t.yaml");
    assertThatThrownBy(() -> exec().strict(true).build().run(root, "boot", List.of(d)))
        .isInstanceOf(StepFailedException.class).hasMessageContaining("step t.yaml..0 failed"); // unnamed duplicates: "" + ".0"
    assertThat(runner.argvs()).hasSize(1);
  }

  @Test
  void conditionalsOnOsArchFilesAndNode() throws IOException {
    root.writeString(ImagePath.of("/etc/hostname"), "worker-1\n");
    YipReport r = run("""
        stages:
          boot:
          - {name: os, only_os: "Debian.*", commands: [a]}
          - {name: os-id, only_os: "^debian$", commands: [b]}
          - {name: ver, only_os_version: "^12$", commands: [c]}
          - {name: arch, only_arch: arm64, commands: [d]}
          - {name: lookahead, only_os: "^(?!ubuntu).*", commands: [e]}
          - {name: files, if_files: {all: [/etc/hosts], none: [/nope], any: []}, commands: [f]}
          - {name: files-no, if_files: {any: [/nope, /nope2]}, commands: [g]}
          - {name: node, node: "^worker-", commands: [h]}
          - {name: sm, only_service_manager: SystemD, commands: [i]}
        """);
    assertThat(runner.argvs()).extracting(a -> a.get(2)).containsExactly("a", "c", "f", "h", "i");
    assertThat(r.steps().get(3).reason()).contains("only_arch");
  }

  @Test
  void hostnameTemplateErrorWritesNothingAndUnknownIfFilesCheckSkips() throws IOException {
    YipReport r = run("""
        stages:
          boot:
          - hostname: "{{ .UUID"
          - {name: odd, if_files: {some: [/etc/hosts]}, commands: [x]}
          - hostname: "h-{{ .Values.nosuch }}"
        """);
    assertThat(r.steps().get(0).status()).isEqualTo(YipReport.Status.FAILED);
    assertThat(r.steps().get(1).status()).isEqualTo(YipReport.Status.SKIPPED);
    // .Values is not part of the hostname context: walking into it fails the step too
    assertThat(r.steps().get(2).status()).isEqualTo(YipReport.Status.FAILED);
    assertThat(root.exists(ImagePath.of("/etc/hostname"))).isFalse();
    assertThat(runner.argvs()).isEmpty();
  }

  @Test
  void orderAcrossFilesAndAfter() throws IOException {
    YipDocument a = Yip.lenient().parse("""
        name: a
        stages:
          boot:
          - {name: one, commands: [a1], after: [{name: /oem/30_b.yaml.first}]}
          - {name: two, commands: [a2]}
        """, "/oem/10_a.yaml");
    YipDocument empty = Yip.lenient().parse("stages: {other: [{commands: [x]}]}\n", "/oem/20_empty.yaml");
    YipDocument b = Yip.lenient().parse("""
        stages:
          boot:
          - {name: first, commands: [b1]}
          - {commands: [b2]}
        """, "/oem/30_b.yaml");
    YipPlan plan = YipPlan.of("boot", List.of(a, empty, b));
    assertThat(plan.steps()).extracting(YipPlan.PlannedStep::id).containsExactly("a.two", "/oem/30_b.yaml.first",
        "a.one", "/oem/30_b.yaml.1");
    assertThatThrownBy(() -> YipPlan.of("boot", List.of(a))).isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("/oem/10_a.yaml:4:5").hasMessageContaining("/oem/30_b.yaml.first");
    exec().build().run(root, "boot", List.of(a, empty, b));
    assertThat(runner.argvs()).extracting(x -> x.get(2)).containsExactly("a2", "b1", "a1", "b2");
  }

  @Test
  void duplicateNamesAndCollidingIds() throws IOException {
    YipDocument d1 = Yip.lenient().parse("name: n\nstages:\n  s:\n  - {name: a}\n  - {name: b}\n  - {name: a}\n", "1");
    YipDocument d2 = Yip.lenient().parse("name: n\nstages:\n  s:\n  - {name: x}\n", "2");
    YipDocument d3 = Yip.lenient().parse("name: n\nstages:\n  s:\n  - {name: x}\n", "3");
    YipDocument d4 = Yip.lenient().parse("name: n\nstages:\n  s:\n  - {name: x}\n", "4");
    assertThat(YipPlan.of("s", List.of(d1, d2, d3, d4)).steps()).extracting(YipPlan.PlannedStep::id)
        .containsExactly("n.a.0", "n.b.1", "n.a.2", "n.x", "n.x.1", "n.x.2");
  }

  @Test
  void cycleIsAnError() {
    assertThatThrownBy(() -> YipPlan.of("s", List.of(Yip.lenient().parse(
        "name: c\nstages:\n  s:\n  - {name: a, after: [{name: c.b}]}\n  - {name: b, after: [{name: c.a}]}\n", "c.yaml"))))
        .hasMessageContaining("cycle");
  }

  // ------------------------------------------------------------------ packages, not applicable, dry run

  /** A package manager that spells its commands like apt-get. */
  static final class FakeApt implements PackageManager {
    @Override
    public String name() {
      return "apt-get";
    }

    @Override
    public java.util.Map<String, String> environment() {
      return java.util.Map.of("DEBIAN_FRONTEND", "noninteractive");
    }

    @Override
    public Command refresh() {
      return Command.of("apt-get", "-y", "update");
    }

    @Override
    public Command upgrade() {
      return Command.of("apt-get", "-y", "upgrade");
    }

    @Override
    public Command install(List<String> packages) {
      List<String> a = new ArrayList<>(List.of("apt-get", "-y", "install"));
      a.addAll(packages);
      return Command.of(a);
    }

    @Override
    public Command remove(List<String> packages) {
      List<String> a = new ArrayList<>(List.of("apt-get", "-y", "remove"));
      a.addAll(packages);
      return Command.of(a);
    }

    @Override
    public List<Command> clean() {
      return List.of();
    }

    @Override
    public List<Command> addRepositories(Model model) {
      return List.of();
    }

    @Override
    public List<TemporaryFile> serviceStartBlockers() {
      return List.of();
    }
  }

  @Test
  void packagesThroughTheDistroPackageManagerAndPins() throws IOException {
    runner.whenPrefix(List.of("apt-get", "-y", "install"), RecordingRunner.Reply.exit(100, "E: no such package"));
    YipDocument d = Yip.lenient().parse("""
        stages:
          boot:
          - packages: {refresh: true, upgrade: true, install: ["vim-{{ .Values.os.vendor }}"], remove: [nano]}
            package_pins: {vim: "2:9.0", empty: ""}
          - packages: {upgrade: true}
        """, "t.yaml");
    YipReport r = exec().packageManager(new FakeApt()).build().run(root, "boot", List.of(d));
    assertThat(runner.argvs()).containsExactly(List.of("apt-get", "-y", "update"), List.of("apt-get", "-y", "upgrade"),
        List.of("apt-get", "-y", "install", "vim-debian"));
    assertThat(r.steps().get(0).errors()).singleElement().asString().contains("exit code 100");
    assertThat(read("/etc/apt/preferences.d/99-yip-pins")).contains("Package: vim\nPin: version 2:9.0\nPin-Priority: 1001\n")
        .doesNotContain("empty");
    assertThat(r.steps().get(1).status()).isEqualTo(YipReport.Status.APPLIED);
  }

  @Test
  void runtimeOnlyKeysAreReportedNotDropped() throws IOException {
    YipReport r = run("""
        stages:
          boot:
          - layout: {device: {label: COS_OEM}, expand_partition: {size: 0}}
            datasource: {providers: [cdrom]}
            downloads: [{url: "https://example.com/x", path: /x, permissions: 0644}]
            git: {url: "https://example.com/r.git", path: /r}
            unpack_images: [{source: "quay.io/a:b", target: /t}]
        """);
    assertThat(r.succeeded()).isTrue();
    assertThat(r.effects()).filteredOn(e -> e.kind() == YipEffect.Kind.NOT_APPLICABLE).hasSize(5);
    assertThat(r.steps().get(0).notes()).hasSize(5).allMatch(n -> n.contains("not applicable at build time"));
  }

  @Test
  void dryRunReportsEveryEffectAndChangesNothing() throws IOException {
    List<String> before = snapshot();
    YipDocument d = Yip.lenient().parse("""
        stages:
          boot:
          - if: "test -e /x"
            files: [{path: /etc/motd, content: hi, permissions: 0644}]
            users: {eve: {passwd: pw}}
            systemctl: {enable: [sshd]}
            commands: ["echo hi"]
            packages: {install: [vim]}
          - authorized_keys: {eve: ["ssh-ed25519 AAAA eve"]}
            files: [{path: /etc/owned, content: x, permissions: 0600, ownerstring: eve}]
        """, "t.yaml");
    YipReport r = exec().dryRun(true).packageManager(new FakeApt()).build().run(root, "boot", List.of(d));
    assertThat(r.succeeded()).as(r.toString()).isTrue();
    assertThat(runner.argvs()).isEmpty();
    assertThat(snapshot()).isEqualTo(before);
    assertThat(r.effects()).extracting(e -> e.kind() + " " + e.target()).contains(
        "FILE_WRITTEN /etc/motd", "USER_ADDED eve", "DIRECTORY_CREATED /home/eve", "UNIT_ENABLED sshd.service",
        "SYMLINK_CREATED /etc/systemd/system/multi-user.target.wants/sshd.service", "COMMAND_RUN /bin/sh -c echo hi",
        "COMMAND_RUN apt-get -y install vim", "KEY_ADDED eve", "OWNER_CHANGED /etc/owned");
    assertThat(r.effects()).filteredOn(e -> e.target().equals("/etc/owned") && e.kind() == YipEffect.Kind.OWNER_CHANGED)
        .singleElement().extracting(YipEffect::detail).isEqualTo("1001:1001");
    assertThat(r.steps().get(0).notes()).anyMatch(n -> n.contains("not evaluated in a dry run"));
  }

  List<String> snapshot() throws IOException {
    List<String> out = new ArrayList<>();
    root.walk(ImagePath.ROOT, e -> {
      String content = "";
      if (e.metadata().type() == FileType.REGULAR) {
        try (var in = e.openContent()) {
          content = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
      }
      out.add(e.path() + " " + e.metadata().type() + " " + Integer.toOctalString(e.metadata().mode()) + " "
          + e.metadata().uid() + " " + content + e.symlinkTarget().orElse(""));
    });
    return out;
  }

  @Test
  void cloudConfigRunsOnItsStages() throws IOException {
    YipDocument d = Yip.lenient().parse("""
        #cloud-config
        hostname: cc-host
        users:
        - name: kairos
          passwd: kairos
        - name: ops
          groups: [wheel]
          ssh_authorized_keys: ["ssh-ed25519 AAAA ops"]
        write_files:
        - {path: /etc/cc, content: "owned", owner: "ops:users", permissions: "0640"}
        runcmd: ["echo cc"]
        """, "/oem/90_custom.yaml");
    YipExecutor ex = exec().build();
    YipReport boot = ex.run(root, "boot", List.of(d));
    // write_files runs before users in the synthetic step: chown by the new user's name fails there
    assertThat(boot.failures()).singleElement().satisfies(s -> assertThat(s.errors().get(0)).contains("user ops not found"));
    assertThat(read("/etc/passwd")).contains("ops:x:1001:1001:");
    assertThat(read("/home/ops/.ssh/authorized_keys")).isEqualTo("ssh-ed25519 AAAA ops\n");
    assertThat(runner.argvs()).extracting(a -> a.get(2)).containsExactly("echo cc");
    ex.run(root, "initramfs", List.of(d)).requireSuccess();
    assertThat(read("/etc/hostname")).isEqualTo("cc-host\n");
    assertThat(boot.steps().get(0).id()).isEqualTo("/oem/90_custom.yaml.0");
  }
}
