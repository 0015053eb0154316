package dev.kairos.factory.core.internal.yip;

import dev.kairos.factory.core.api.InvalidInputException;
import dev.kairos.factory.core.api.yip.YipDiagnostic;
import dev.kairos.factory.core.api.yip.YipDocument;
import dev.kairos.factory.core.api.yip.YipLocation;
import dev.kairos.factory.core.api.yip.YipStep;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Turns a {@link YamlNode} tree into the typed yip model with yaml.v3's decoding rules: a type
 * mismatch anywhere rejects the document (an {@link InvalidInputException} naming file, line and
 * column); plain scalars go into string fields as their source text; integers accept YAML 1.1
 * octal ({@code 0644}), {@code 0o}, {@code 0x}; booleans accept the YAML 1.1 yes/no words but
 * only when unquoted. Unknown keys, which yip silently ignores, are warnings (errors when strict).
 */
public final class YipBinder {
  static final Set<String> STEP_KEYS = Set.of("name", "after", "if", "node", "only_os", "only_os_version",
      "only_arch", "only_service_manager", "if_files", "files", "directories", "downloads", "git", "commands",
      "ensure_entities", "delete_entities", "dns", "hostname", "sysctl", "users", "authorized_keys", "modules",
      "timesyncd", "systemctl", "environment", "environment_file", "systemd_firstboot", "datasource", "layout",
      "package_pins", "packages", "unpack_images");
  private static final Set<String> USER_KEYS = Set.of("name", "passwd", "lock_passwd", "uid", "homedir", "shell",
      "gecos", "primary_group", "groups", "no_create_home", "ssh_authorized_keys", "system", "no_user_group",
      "no_log_init");
  private static final Set<String> BOOL_TRUE = Set.of("true", "True", "TRUE", "y", "Y", "yes", "Yes", "YES", "on",
      "On", "ON");
  private static final Set<String> BOOL_FALSE = Set.of("false", "False", "FALSE", "n", "N", "no", "No", "NO", "off",
      "Off", "OFF");

  private final String source;
  private final boolean strict;
  private final List<YipDiagnostic> diagnostics = new ArrayList<>();
  /** Every reason to reject the document, in source order; binding goes on past each one. */
  private final List<InvalidInputException> errors = new ArrayList<>();

  private YipBinder(String source, boolean strict) {
    this.source = source;
    this.strict = strict;
  }

  /**
   * A document bound as far as it could be, with every error found in it. {@code document} is
   * null when the YAML itself did not read (then {@code errors} holds that one syntax error).
   */
  public record Checked(YipDocument document, List<InvalidInputException> errors) {
    public Checked {
      errors = List.copyOf(errors);
    }
  }

  /** Parses the text of one document (plain or {@code #cloud-config}); throws its first error. */
  public static YipDocument parse(String source, String text, boolean strict) throws InvalidInputException {
    return orFirstError(check(source, text, strict));
  }

  /** Parses the text of one document, collecting every error instead of stopping at the first. */
  public static Checked check(String source, String text, boolean strict) {
    YamlNode root;
    try {
      root = YamlReader.read(source, text);
    } catch (InvalidInputException e) {
      return new Checked(null, List.of(e));
    }
    return new YipBinder(source, strict).checked(root, isCloudConfig(text));
  }

  /** Binds an already built node tree (the dot-notation loader makes one). */
  public static YipDocument bind(String source, YamlNode root, boolean cloudConfig, boolean strict)
      throws InvalidInputException {
    return orFirstError(new YipBinder(source, strict).checked(root, cloudConfig));
  }

  private static YipDocument orFirstError(Checked c) throws InvalidInputException {
    if (!c.errors().isEmpty()) {
      throw c.errors().get(0);
    }
    return c.document();
  }

  private Checked checked(YamlNode root, boolean cloudConfig) {
    YipDocument doc = null;
    try {
      doc = document(root, cloudConfig);
    } catch (InvalidInputException e) {
      errors.add(e);
    }
    if (doc == null) {
      doc = new YipDocument(source, "", cloudConfig, Map.of(), diagnostics);
    }
    return new Checked(doc, errors);
  }

  /**
   * yip's header test: among the first ten lines, skipping blank lines and other comments, the
   * line {@code #cloud-config} (trailing whitespace allowed, leading not) comes before any
   * non-comment line.
   */
  public static boolean isCloudConfig(String text) {
    String[] lines = text.split("\n", 11);
    for (int i = 0; i < Math.min(10, lines.length); i++) {
      String l = lines[i];
      if (l.strip().isEmpty()) {
        continue;
      }
      if (l.stripTrailing().equals("#cloud-config")) {
        return true;
      }
      if (!l.startsWith("#")) {
        return false;
      }
    }
    return false;
  }

  // ------------------------------------------------------------------ documents

  private YipDocument document(YamlNode root, boolean cloudConfig) throws InvalidInputException {
    if (root == null || isNull(root)) {
      return new YipDocument(source, "", cloudConfig, Map.of(), diagnostics);
    }
    YamlNode.Mapping top = mapping(root, "the document");
    String name = "";
    Map<String, List<YipStep>> stages = new LinkedHashMap<>();
    YamlNode stagesNode = null;
    for (YamlNode.Entry e : top.entries()) {
      if (e.key().text().equals("name")) {
        name = string(e.value(), "name");
      } else if (e.key().text().equals("stages")) {
        stagesNode = e.value();
      }
    }
    if (cloudConfig) {
      cloudConfig(top, stages);
    }
    if (stagesNode != null && !isNull(stagesNode)) {
      for (YamlNode.Entry e : mapping(stagesNode, "stages").entries()) {
        String stage = e.key().text();
        List<YipStep> steps = stages.computeIfAbsent(stage, k -> new ArrayList<>());
        if (!isNull(e.value())) {
          attempt(() -> {
            for (YamlNode item : sequence(e.value(), "stage '" + stage + "'").items()) {
              attempt(() -> steps.add(step(item)));
            }
          });
        }
      }
    }
    return new YipDocument(source, name, cloudConfig, stages, diagnostics);
  }

  private void cloudConfig(YamlNode.Mapping top, Map<String, List<YipStep>> stages) throws InvalidInputException {
    List<YipStep.FileEntry> files = new ArrayList<>();
    List<String> commands = new ArrayList<>();
    List<YipStep.User> users = new ArrayList<>();
    List<String> topKeys = new ArrayList<>();
    String hostname = "";
    List<String> growpart = new ArrayList<>();
    YipLocation at = loc(top);
    for (YamlNode.Entry e : top.entries()) {
      YamlNode v = e.value();
      switch (e.key().text()) {
        case "write_files":
        case "milpa_files":
          for (YamlNode f : list(v, e.key().text())) {
            files.add(writeFile(f));
          }
          break;
        case "runcmd":
          commands.addAll(strings(v, "runcmd"));
          break;
        case "users":
          for (YamlNode u : list(v, "users")) {
            users.add(user(u, null, true));
          }
          break;
        case "ssh_authorized_keys":
          topKeys.addAll(strings(v, "ssh_authorized_keys"));
          break;
        case "hostname":
          hostname = string(v, "hostname");
          break;
        case "growpart":
          if (!isNull(v)) {
            for (YamlNode.Entry g : mapping(v, "growpart").entries()) {
              if (g.key().text().equals("devices")) {
                growpart.addAll(strings(g.value(), "growpart.devices"));
              } else {
                unknown(g.key(), "growpart", Set.of("devices"));
              }
            }
          }
          break;
        default:
          break; // other top-level keys belong to Kairos' configuration, not to yip
      }
    }
    Map<String, List<String>> bootKeys = new LinkedHashMap<>();
    Map<String, List<String>> networkKeys = new LinkedHashMap<>();
    Map<String, YipStep.User> userMap = new LinkedHashMap<>();
    for (YipStep.User u : users) {
      List<String> keys = new ArrayList<>(u.sshAuthorizedKeys());
      keys.addAll(topKeys);
      splitKeys(u.name(), keys, bootKeys, networkKeys);
      userMap.put(u.name(), u);
    }
    if (users.isEmpty() && !topKeys.isEmpty()) {
      splitKeys("root", topKeys, bootKeys, networkKeys);
    }
    YipStep.Builder boot = YipStep.builder().location(at).files(files).commands(commands).users(userMap)
        .authorizedKeys(bootKeys);
    stages.computeIfAbsent("boot", k -> new ArrayList<>()).add(boot.build());
    for (String dev : growpart) {
      stages.get("boot").add(YipStep.builder().location(at)
          .layout(new YipStep.Layout(dev, "", false, "", Optional.of(0L), List.of())).build());
    }
    stages.computeIfAbsent("initramfs", k -> new ArrayList<>())
        .add(YipStep.builder().location(at).hostname(hostname).build());
    stages.computeIfAbsent("network", k -> new ArrayList<>())
        .add(YipStep.builder().location(at).authorizedKeys(networkKeys).build());
  }

  private static void splitKeys(String user, List<String> keys, Map<String, List<String>> boot,
      Map<String, List<String>> network) {
    for (String k : keys) {
      Map<String, List<String>> into = k.startsWith("github") || k.startsWith("gitlab") ? network : boot;
      into.computeIfAbsent(user, x -> new ArrayList<>()).add(k);
    }
  }

  private YipStep.FileEntry writeFile(YamlNode node) throws InvalidInputException {
    Fields f = fields(node, "write_files entry", Set.of("path", "content", "encoding", "owner", "permissions"));
    int perms = 0;
    YamlNode p = f.get("permissions");
    if (p != null && !isNull(p)) {
      String text = string(p, "permissions");
      if (!text.isEmpty()) {
        try {
          perms = Integer.parseInt(text, 8);
        } catch (NumberFormatException e) {
          throw error(p, "write_files permissions must be an octal string such as \"0644\", got '" + text + "'");
        }
        if (perms < 0 || perms > 07777) {
          throw error(p, "write_files permissions out of range: '" + text + "'");
        }
      }
    } else {
      warn(node, "write_files entry without permissions: yip creates the file with mode 0000");
    }
    return new YipStep.FileEntry(f.string("path"), f.string("content"), f.string("encoding"), perms, 0, 0,
        f.string("owner"));
  }

  // ------------------------------------------------------------------ steps

  /**
   * One step: its keys bound by concern, each concern on its own, so that a type mismatch in one
   * is recorded and the others are still checked ({@code yip validate} reports them all).
   */
  private YipStep step(YamlNode node) throws InvalidInputException {
    Fields f = fields(node, "step", STEP_KEYS);
    YipStep.Builder b = YipStep.builder().location(loc(node));
    attempt(() -> order(f, b));
    attempt(() -> conditions(f, b));
    attempt(() -> filesystem(f, b));
    attempt(() -> remote(f, b));
    attempt(() -> b.commands(f.strings("commands")));
    attempt(() -> b.ensureEntities(entities(f, "ensure_entities")));
    attempt(() -> b.deleteEntities(entities(f, "delete_entities")));
    attempt(() -> system(f, b));
    attempt(() -> accounts(f, b));
    attempt(() -> services(f, b));
    attempt(() -> environment(f, b));
    attempt(() -> platform(f, b));
    attempt(() -> packages(f, b));
    return b.build();
  }

  private interface Binding {
    void run() throws InvalidInputException;
  }

  /** Runs one binding; its error is recorded (the document is rejected) and binding goes on. */
  private void attempt(Binding binding) {
    try {
      binding.run();
    } catch (InvalidInputException e) {
      errors.add(e);
    }
  }

  /** {@code name} and {@code after}. */
  private void order(Fields f, YipStep.Builder b) throws InvalidInputException {
    b.name(f.string("name"));
    List<String> after = new ArrayList<>();
    for (YamlNode a : f.list("after")) {
      after.add(fields(a, "after entry", Set.of("name")).string("name"));
    }
    b.after(after);
  }

  /** Whether the step runs: {@code if}, {@code node}, {@code only_*}, {@code if_files}. */
  private void conditions(Fields f, YipStep.Builder b) throws InvalidInputException {
    b.ifCommand(f.string("if")).node(f.string("node")).onlyOs(f.string("only_os"))
        .onlyOsVersion(f.string("only_os_version")).onlyArch(f.string("only_arch"))
        .onlyServiceManager(f.string("only_service_manager"));
    Map<String, List<String>> ifFiles = new LinkedHashMap<>();
    for (YamlNode.Entry e : f.entries("if_files")) {
      if (!Set.of("any", "all", "none").contains(e.key().text())) {
        warn(e.key(), "unknown if_files check '" + e.key().text() + "': yip skips the step (use any, all or none)");
      }
      ifFiles.put(e.key().text(), strings(e.value(), "if_files." + e.key().text()));
    }
    b.ifFiles(ifFiles);
  }

  /** {@code files} and {@code directories}. */
  private void filesystem(Fields f, YipStep.Builder b) throws InvalidInputException {
    b.files(each(f, "files", "files entry", Set.of("path", "content", "encoding", "permissions", "owner", "group",
        "ownerstring"), x -> new YipStep.FileEntry(x.string("path"), x.string("content"), x.string("encoding"),
            x.permissions(), x.integer("owner"), x.integer("group"), x.string("ownerstring"))));
    b.directories(each(f, "directories", "directories entry", Set.of("path", "permissions", "owner", "group"),
        x -> new YipStep.DirectoryEntry(x.string("path"), x.permissions(), x.integer("owner"),
            x.integer("group"))));
  }

  /** What comes from the network: {@code downloads}, {@code git}. */
  private void remote(Fields f, YipStep.Builder b) throws InvalidInputException {
    b.downloads(each(f, "downloads", "downloads entry", Set.of("path", "url", "permissions", "owner", "group",
        "ownerstring", "timeout"), x -> new YipStep.Download(x.string("path"), x.string("url"), x.permissions(),
            x.integer("owner"), x.integer("group"), x.string("ownerstring"), x.integer("timeout"))));
    YamlNode git = f.get("git");
    if (git != null && !isNull(git)) {
      Fields x = fields(git, "git", Set.of("url", "path", "branch", "branch_only", "auth"));
      Fields auth = x.get("auth") == null || isNull(x.get("auth")) ? null
          : fields(x.get("auth"), "git.auth", Set.of("username", "password", "private_key", "public_key",
              "insecure"));
      b.git(new YipStep.GitRepo(x.string("url"), x.string("path"), x.string("branch"), x.bool("branch_only"),
          auth == null ? "" : auth.string("username"), auth == null ? "" : auth.string("password"),
          auth == null ? "" : auth.string("private_key"), auth == null ? "" : auth.string("public_key"),
          auth != null && auth.bool("insecure")));
    }
  }

  /** The machine's settings: {@code dns}, {@code hostname}, {@code sysctl}, {@code modules}, {@code timesyncd}. */
  private void system(Fields f, YipStep.Builder b) throws InvalidInputException {
    YamlNode dns = f.get("dns");
    if (dns != null && !isNull(dns)) {
      Fields x = fields(dns, "dns", Set.of("nameservers", "search", "options", "path"));
      b.dns(new YipStep.Dns(x.strings("nameservers"), x.strings("search"), x.strings("options"), x.string("path")));
    }
    b.hostname(f.string("hostname"));
    b.sysctl(f.stringMap("sysctl"));
    b.modules(f.strings("modules"));
    b.timesyncd(f.stringMap("timesyncd"));
  }

  /** {@code users} and {@code authorized_keys}. */
  private void accounts(Fields f, YipStep.Builder b) throws InvalidInputException {
    Map<String, YipStep.User> users = new LinkedHashMap<>();
    YamlNode usersNode = f.get("users");
    if (usersNode != null && !isNull(usersNode)) {
      if (usersNode instanceof YamlNode.Sequence) {
        throw error(usersNode, "users must be a mapping from user name to its fields, not a list"
            + " (yip rejects the document)");
      }
      for (YamlNode.Entry e : mapping(usersNode, "users").entries()) {
        users.put(e.key().text(), user(e.value(), e.key().text(), false));
      }
    }
    b.users(users);
    Map<String, List<String>> keys = new LinkedHashMap<>();
    for (YamlNode.Entry e : f.entries("authorized_keys")) {
      keys.put(e.key().text(), strings(e.value(), "authorized_keys." + e.key().text()));
    }
    b.authorizedKeys(keys);
  }

  /** {@code systemctl} and {@code systemd_firstboot}. */
  private void services(Fields f, YipStep.Builder b) throws InvalidInputException {
    YamlNode sc = f.get("systemctl");
    if (sc != null && !isNull(sc)) {
      Fields x = fields(sc, "systemctl", Set.of("enable", "disable", "start", "mask", "overrides"));
      List<YipStep.UnitOverride> overrides = each(x, "overrides", "systemctl.overrides entry",
          Set.of("service", "name", "content"),
          y -> new YipStep.UnitOverride(y.string("service"), y.string("name"), y.string("content")));
      b.systemctl(new YipStep.Systemctl(x.strings("enable"), x.strings("disable"), x.strings("start"),
          x.strings("mask"), overrides));
    }
    b.systemdFirstboot(f.stringMap("systemd_firstboot"));
  }

  /** {@code environment} and {@code environment_file}. */
  private void environment(Fields f, YipStep.Builder b) throws InvalidInputException {
    b.environment(f.stringMap("environment"));
    b.environmentFile(f.string("environment_file"));
  }

  /** What only a booted machine does: {@code datasource}, {@code layout}, {@code unpack_images}. */
  private void platform(Fields f, YipStep.Builder b) throws InvalidInputException {
    YamlNode ds = f.get("datasource");
    if (ds != null && !isNull(ds)) {
      Fields x = fields(ds, "datasource", Set.of("providers", "path", "userdata_name"));
      b.datasource(new YipStep.Datasource(x.strings("providers"), x.string("path"), x.string("userdata_name")));
    }
    YamlNode layout = f.get("layout");
    if (layout != null && !isNull(layout)) {
      b.layout(layout(layout));
    }
    b.unpackImages(each(f, "unpack_images", "unpack_images entry", Set.of("source", "target", "platform"),
        x -> new YipStep.ImageUnpack(x.string("source"), x.string("target"), x.string("platform"))));
  }

  /** {@code packages} and {@code package_pins}. */
  private void packages(Fields f, YipStep.Builder b) throws InvalidInputException {
    b.packagePins(f.stringMap("package_pins"));
    YamlNode pk = f.get("packages");
    if (pk != null && !isNull(pk)) {
      Fields x = fields(pk, "packages", Set.of("install", "remove", "refresh", "upgrade"));
      YipStep.Packages p = new YipStep.Packages(x.strings("install"), x.strings("remove"), x.bool("refresh"),
          x.bool("upgrade"));
      if (p.upgrade() && !p.isActive()) {
        warn(pk, "packages: upgrade alone does nothing in yip (it needs install, remove or refresh)");
      }
      b.packages(p);
    }
  }

  private YipStep.Layout layout(YamlNode node) throws InvalidInputException {
    Fields x = fields(node, "layout", Set.of("device", "expand_partition", "add_partitions"));
    Fields dev = x.get("device") == null || isNull(x.get("device")) ? null
        : fields(x.get("device"), "layout.device", Set.of("path", "label", "init_disk", "disk_name"));
    Optional<Long> expand = Optional.empty();
    if (x.get("expand_partition") != null && !isNull(x.get("expand_partition"))) {
      expand = Optional.of(fields(x.get("expand_partition"), "layout.expand_partition", Set.of("size"))
          .longValue("size"));
    }
    List<YipStep.Partition> parts = each(x, "add_partitions", "layout.add_partitions entry", Set.of("fsLabel",
        "pLabel", "size", "filesystem", "bootable"), y -> new YipStep.Partition(y.string("fsLabel"),
            y.string("pLabel"), y.longValue("size"), y.string("filesystem"), y.bool("bootable")));
    return new YipStep.Layout(dev == null ? "" : dev.string("path"), dev == null ? "" : dev.string("label"),
        dev != null && dev.bool("init_disk"), dev == null ? "" : dev.string("disk_name"), expand, parts);
  }

  private List<YipStep.EntityEdit> entities(Fields f, String key) throws InvalidInputException {
    return each(f, key, key + " entry", Set.of("path", "entity"),
        x -> new YipStep.EntityEdit(x.string("path"), x.string("entity")));
  }

  /** Binds one list entry's fields. */
  private interface EntryBinding<T> {
    T bind(Fields entry) throws InvalidInputException;
  }

  /** The entries of the list under {@code key}, each a mapping of {@code known} keys bound by {@code binding}. */
  private <T> List<T> each(Fields f, String key, String what, Set<String> known, EntryBinding<T> binding)
      throws InvalidInputException {
    List<T> out = new ArrayList<>();
    for (YamlNode n : f.list(key)) {
      out.add(binding.bind(fields(n, what, known)));
    }
    return out;
  }

  private YipStep.User user(YamlNode node, String key, boolean cloudConfig) throws InvalidInputException {
    Fields x = fields(node, "user", USER_KEYS);
    String name = key != null ? key : x.string("name");
    if (cloudConfig && name.isEmpty()) {
      throw error(node, "cloud-config users entry without a name");
    }
    return new YipStep.User(name, x.string("passwd"), x.bool("lock_passwd"), x.string("uid"), x.string("homedir"),
        x.string("shell"), x.string("gecos"), x.string("primary_group"), x.strings("groups"),
        x.bool("no_create_home"), x.strings("ssh_authorized_keys"), x.bool("system"), x.bool("no_user_group"),
        x.bool("no_log_init"));
  }

  // ------------------------------------------------------------------ typed access

  /** The keys of one mapping, checked against the known set. */
  private final class Fields {
    private final YamlNode node;
    private final Map<String, YamlNode> values = new LinkedHashMap<>();

    Fields(YamlNode node) {
      this.node = node;
    }

    YamlNode get(String k) {
      return values.get(k);
    }

    String string(String k) throws InvalidInputException {
      YamlNode n = values.get(k);
      return n == null ? "" : YipBinder.this.string(n, k);
    }

    List<YamlNode> list(String k) throws InvalidInputException {
      YamlNode n = values.get(k);
      return n == null ? List.of() : YipBinder.this.list(n, k);
    }

    List<String> strings(String k) throws InvalidInputException {
      YamlNode n = values.get(k);
      return n == null ? List.of() : YipBinder.this.strings(n, k);
    }

    List<YamlNode.Entry> entries(String k) throws InvalidInputException {
      YamlNode n = values.get(k);
      return n == null || isNull(n) ? List.of() : mapping(n, k).entries();
    }

    Map<String, String> stringMap(String k) throws InvalidInputException {
      Map<String, String> out = new LinkedHashMap<>();
      for (YamlNode.Entry e : entries(k)) {
        out.put(e.key().text(), YipBinder.this.string(e.value(), k + "." + e.key().text()));
      }
      return out;
    }

    boolean bool(String k) throws InvalidInputException {
      YamlNode n = values.get(k);
      if (n == null || isNull(n)) {
        return false;
      }
      YamlNode.Scalar s = scalar(n, k);
      if (s.plain() && BOOL_TRUE.contains(s.text())) {
        return true;
      }
      if (s.plain() && BOOL_FALSE.contains(s.text())) {
        return false;
      }
      throw error(n, "cannot unmarshal " + s.kind() + " into boolean field '" + k + "'");
    }

    int integer(String k) throws InvalidInputException {
      long v = longValue(k);
      if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
        throw error(values.get(k), "value of '" + k + "' out of range: " + v);
      }
      return (int) v;
    }

    long longValue(String k) throws InvalidInputException {
      YamlNode n = values.get(k);
      if (n == null || isNull(n)) {
        return 0;
      }
      YamlNode.Scalar s = scalar(n, k);
      Long v = s.plain() ? parseInteger(s.text()) : null;
      if (v == null) {
        String hint = !s.plain() && parseInteger(s.text()) != null
            ? " (quoted: write it without quotes, e.g. " + k + ": " + s.text() + ")" : "";
        throw error(n, "cannot unmarshal " + s.kind() + " into integer field '" + k + "'" + hint);
      }
      return v;
    }

    /** {@code permissions}: an integer; warns where yip's rules surprise (absent = 0000, decimal). */
    int permissions() throws InvalidInputException {
      YamlNode n = values.get("permissions");
      if (n == null || isNull(n)) {
        warn(node, "no permissions given: yip creates this with mode 0000");
        return 0;
      }
      int v = integer("permissions");
      String text = ((YamlNode.Scalar) n).text();
      if (v < 0 || v > 07777) {
        throw error(n, "permissions out of range 0..07777: " + text);
      }
      if (text.matches("[1-9][0-9]*") && text.matches("[0-7]{3,4}")) {
        warn(n, "permissions " + text + " is decimal (mode 0" + Integer.toOctalString(v) + "); write 0" + text
            + " for octal");
      }
      return v;
    }
  }

  private Fields fields(YamlNode node, String what, Set<String> known) throws InvalidInputException {
    Fields f = new Fields(node);
    if (isNull(node)) {
      return f;
    }
    for (YamlNode.Entry e : mapping(node, what).entries()) {
      if (!known.contains(e.key().text())) {
        unknown(e.key(), what, known);
      }
      f.values.put(e.key().text(), e.value());
    }
    return f;
  }

  private void unknown(YamlNode.Scalar key, String what, Set<String> known) throws InvalidInputException {
    String k = key.text();
    String hint = suggest(k, known).map(s -> "; did you mean '" + s + "'?").orElse("");
    String msg = "unknown key '" + k + "' in " + what + " (yip ignores it)" + hint;
    if (strict) {
      throw error(key, msg);
    }
    diagnostics.add(new YipDiagnostic(YipDiagnostic.Severity.WARNING, loc(key), msg));
  }

  /** The known key closest to a typo: same letters without separators, or an edit distance of at most 2. */
  static Optional<String> suggest(String key, Set<String> known) {
    Function<String, String> norm = s -> s.toLowerCase(Locale.ROOT).replace("_", "").replace("-", "");
    String best = null;
    int bestD = 3;
    for (String k : known.stream().sorted().toList()) {
      int d = norm.apply(k).equals(norm.apply(key)) ? 0 : distance(key, k);
      if (d < bestD) {
        bestD = d;
        best = k;
      }
    }
    return Optional.ofNullable(best);
  }

  private static int distance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int c = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + c);
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }

  /**
   * An integer as yaml.v3 resolves a plain scalar: sign, underscores, {@code 0b}, {@code 0o},
   * {@code 0x}, YAML 1.1 octal with a leading zero, decimal; a float without fraction (such as
   * {@code 0888}, not octal) also fits. Null if it is not a number.
   */
  static Long parseInteger(String text) {
    String t = text.replace("_", "");
    boolean neg = t.startsWith("-");
    if (t.startsWith("-") || t.startsWith("+")) {
      t = t.substring(1);
    }
    if (t.isEmpty()) {
      return null;
    }
    BigInteger v = null;
    try {
      if (t.startsWith("0b")) {
        v = new BigInteger(t.substring(2), 2);
      } else if (t.startsWith("0o")) {
        v = new BigInteger(t.substring(2), 8);
      } else if (t.startsWith("0x")) {
        v = new BigInteger(t.substring(2), 16);
      } else if (t.length() > 1 && t.startsWith("0") && t.matches("[0-7]+")) {
        v = new BigInteger(t, 8);
      } else if (t.matches("[0-9]+")) {
        v = new BigInteger(t);
      } else if (t.matches("[0-9]*\\.?[0-9]*([eE][-+]?[0-9]+)?") && !t.equals(".")) {
        BigDecimal d = new BigDecimal(t);
        v = d.stripTrailingZeros().scale() <= 0 ? d.toBigIntegerExact() : null;
      }
    } catch (NumberFormatException | ArithmeticException e) {
      return null;
    }
    if (v == null || v.bitLength() > 62) {
      return null;
    }
    return neg ? -v.longValue() : v.longValue();
  }

  private boolean isNull(YamlNode n) {
    return n instanceof YamlNode.Scalar && ((YamlNode.Scalar) n).isNull();
  }

  private YamlNode.Scalar scalar(YamlNode n, String what) throws InvalidInputException {
    if (!(n instanceof YamlNode.Scalar)) {
      throw error(n, "cannot unmarshal a " + n.kind() + " into '" + what + "' (a single value is expected)");
    }
    return (YamlNode.Scalar) n;
  }

  private String string(YamlNode n, String what) throws InvalidInputException {
    return isNull(n) ? "" : scalar(n, what).text();
  }

  private YamlNode.Mapping mapping(YamlNode n, String what) throws InvalidInputException {
    if (!(n instanceof YamlNode.Mapping)) {
      throw error(n, "cannot unmarshal " + n.kind() + " into " + what + " (a mapping is expected)");
    }
    return (YamlNode.Mapping) n;
  }

  private YamlNode.Sequence sequence(YamlNode n, String what) throws InvalidInputException {
    if (!(n instanceof YamlNode.Sequence)) {
      throw error(n, "cannot unmarshal " + n.kind() + " into " + what + " (a list is expected)");
    }
    return (YamlNode.Sequence) n;
  }

  private List<YamlNode> list(YamlNode n, String what) throws InvalidInputException {
    return isNull(n) ? List.of() : sequence(n, "'" + what + "'").items();
  }

  private List<String> strings(YamlNode n, String what) throws InvalidInputException {
    List<String> out = new ArrayList<>();
    for (YamlNode item : list(n, what)) {
      out.add(string(item, what + " entry"));
    }
    return out;
  }

  private void warn(YamlNode at, String message) {
    diagnostics.add(new YipDiagnostic(YipDiagnostic.Severity.WARNING, at == null ? new YipLocation(source, 0, 0)
        : loc(at), message));
  }

  private YipLocation loc(YamlNode n) {
    return new YipLocation(source, n.line(), n.column());
  }

  private InvalidInputException error(YamlNode at, String detail) {
    return new InvalidInputException(source, at == null ? 0 : at.line(), at == null ? 0 : at.column(), detail);
  }
}
