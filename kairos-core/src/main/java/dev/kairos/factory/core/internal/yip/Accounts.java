package dev.kairos.factory.core.internal.yip;

import dev.kairos.factory.core.api.InvalidInputException;
import dev.kairos.factory.core.api.fs.FileMetadata;
import dev.kairos.factory.core.api.fs.ImagePath;
import dev.kairos.factory.core.api.yip.YipEffect.Kind;
import dev.kairos.factory.core.api.yip.YipStep;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;

/**
 * Users, groups, shadow entries, entities and SSH keys, edited in the image's own
 * {@code /etc/passwd}, {@code /etc/shadow} and {@code /etc/group} (never the host's), with yip's
 * rules: lowest free id from 1000, SHA-512 crypt for plain passwords, only the password changes
 * for an existing user.
 */
final class Accounts {
  static final ImagePath PASSWD = ImagePath.of("/etc/passwd");
  static final ImagePath SHADOW = ImagePath.of("/etc/shadow");
  static final ImagePath GROUP = ImagePath.of("/etc/group");
  static final ImagePath GSHADOW = ImagePath.of("/etc/gshadow");
  private static final int FIRST_ID = 1000;
  private static final int LAST_ID = 60000;

  private final Target t;
  private final Random random;
  private final long days;

  Accounts(Target t, Random random, long days) {
    this.t = t;
    this.random = random;
    this.days = Math.max(1, days);
  }

  // ------------------------------------------------------------------ line files

  List<String> lines(ImagePath file) throws IOException {
    String text = t.readString(file);
    List<String> out = new ArrayList<>(List.of(text.split("\n", -1)));
    if (!out.isEmpty() && out.get(out.size() - 1).isEmpty()) {
      out.remove(out.size() - 1);
    }
    return out;
  }

  void writeLines(ImagePath file, List<String> lines) throws IOException {
    t.writeString(file, lines.isEmpty() ? "" : String.join("\n", lines) + "\n");
  }

  /** The fields of the line whose first field is {@code name}, or empty. */
  Optional<String[]> find(ImagePath file, String name) throws IOException {
    if (!t.exists(file)) {
      return Optional.empty();
    }
    for (String l : lines(file)) {
      String[] f = l.split(":", -1);
      if (f[0].equals(name)) {
        return Optional.of(f);
      }
    }
    return Optional.empty();
  }

  /** Replaces the line whose first field is {@code name}, or appends {@code line}. */
  void upsert(ImagePath file, String name, String line) throws IOException {
    List<String> ls = lines(file);
    boolean replaced = false;
    for (int i = 0; i < ls.size(); i++) {
      if (ls.get(i).split(":", -1)[0].equals(name)) {
        ls.set(i, line);
        replaced = true;
        break;
      }
    }
    if (!replaced) {
      ls.add(line);
    }
    writeLines(file, ls);
  }

  /** The lowest id in [1000, 60000] not used in the third field of {@code file}. */
  int lowestFree(ImagePath file) throws IOException {
    Set<Integer> used = new java.util.HashSet<>();
    if (t.exists(file)) {
      for (String l : lines(file)) {
        String[] f = l.split(":", -1);
        if (f.length >= 3) {
          try {
            used.add(Integer.parseInt(f[2]));
          } catch (NumberFormatException e) {
            // malformed lines are skipped, as yip's allocator does
          }
        }
      }
    }
    for (int id = FIRST_ID; id <= LAST_ID; id++) {
      if (!used.contains(id)) {
        return id;
      }
    }
    throw new IOException("no free id in [" + FIRST_ID + ", " + LAST_ID + "] in " + file);
  }

  /** {@code user} or {@code user:group}, by name, to uid and gid (the user's primary gid when no group). */
  int[] resolveOwner(String owner) throws IOException {
    String[] parts = owner.split(":", 2);
    String[] u = find(PASSWD, parts[0]).orElseThrow(
        () -> new IOException("user " + parts[0] + " not found in the image's /etc/passwd"));
    int uid = Integer.parseInt(u[2]);
    int gid = Integer.parseInt(u[3]);
    if (parts.length == 2) {
      String[] g = find(GROUP, parts[1]).orElseThrow(
          () -> new IOException("group " + parts[1] + " not found in the image's /etc/group"));
      gid = Integer.parseInt(g[2]);
    }
    return new int[] {uid, gid};
  }

  private String passwordField(String passwd, boolean lock) {
    if (lock) {
      return "!";
    }
    if (passwd.isEmpty() || passwd.startsWith("$") || passwd.startsWith("!") || passwd.equals("*")) {
      return passwd;
    }
    return Sha512Crypt.hash(passwd, random);
  }

  // ------------------------------------------------------------------ users

  void users(Map<String, YipStep.User> users, Outcome out) {
    for (YipStep.User u : users.values()) {
      try {
        user(u, out);
      } catch (IOException | RuntimeException e) {
        out.error("users." + u.name() + ": " + e.getMessage());
      }
    }
  }

  private void user(YipStep.User u, Outcome out) throws IOException {
    for (ImagePath f : List.of(PASSWD, SHADOW, GROUP)) {
      if (!t.exists(f)) {
        throw new IOException(f + " does not exist in the image");
      }
    }
    if (find(PASSWD, u.name()).isPresent()) {
      if (!u.passwd().isEmpty()) {
        setShadow(u.name(), passwordField(u.passwd(), false));
        t.effect(Kind.USER_UPDATED, u.name(), "password set");
      }
      if (u.lockPasswd() || !u.groups().isEmpty() || !u.shell().isEmpty() || !u.homedir().isEmpty()) {
        out.note("users." + u.name() + ": the user exists; as in yip only passwd and keys are applied");
      }
    } else {
      create(u);
    }
    for (String k : u.sshAuthorizedKeys()) {
      try {
        authorizedKeys(u.name(), List.of(k), out);
      } catch (IOException e) {
        out.error("users." + u.name() + ".ssh_authorized_keys: " + e.getMessage());
      }
    }
  }

  private void create(YipStep.User u) throws IOException {
    Map<String, String> defaults = useraddDefaults();
    String home = !u.homedir().isEmpty() ? u.homedir()
        : defaults.getOrDefault("HOME", "/home").replaceAll("/+$", "") + "/" + u.name();
    String shell = !u.shell().isEmpty() ? u.shell() : defaults.getOrDefault("SHELL", "/bin/sh");
    int gid;
    if (!u.primaryGroup().isEmpty()) {
      String[] g = find(GROUP, u.primaryGroup()).orElseThrow(
          () -> new IOException("primary group " + u.primaryGroup() + " not found in the image's /etc/group"));
      gid = Integer.parseInt(g[2]);
      addMember(g, u.name(), "x");
    } else {
      Optional<String[]> own = find(GROUP, u.name());
      if (own.isPresent()) {
        gid = Integer.parseInt(own.get()[2]); // kept, where yip would reallocate it
        addMember(own.get(), u.name(), own.get()[1]);
      } else {
        gid = lowestFree(GROUP);
        upsert(GROUP, u.name(), u.name() + ":x:" + gid + ":" + u.name());
        mirrorToGshadow(u.name(), u.name());
        t.effect(Kind.GROUP_ADDED, u.name(), "gid " + gid);
      }
    }
    int uid;
    if (!u.uid().isEmpty()) {
      try {
        uid = Integer.parseInt(u.uid().trim());
      } catch (NumberFormatException e) {
        throw new IOException("uid is not a number: '" + u.uid() + "'");
      }
    } else {
      Optional<FileMetadata> h = t.stat(ImagePath.of(home), true);
      uid = h.isPresent() ? h.get().uid() : lowestFree(PASSWD);
    }
    String gecos = u.gecos().isEmpty() ? "Created by entities" : u.gecos();
    upsert(PASSWD, u.name(), String.join(":", u.name(), "x", String.valueOf(uid), String.valueOf(gid), gecos, home,
        shell));
    Optional<String[]> sh = find(SHADOW, u.name());
    String aging = sh.filter(f -> f.length == 9).map(f -> String.join(":", List.of(f).subList(3, 9)))
        .orElse(":::::");
    upsert(SHADOW, u.name(), u.name() + ":" + passwordField(u.passwd(), u.lockPasswd()) + ":" + days + ":" + aging);
    t.effect(Kind.USER_ADDED, u.name(), "uid " + uid + ", gid " + gid + ", home " + home + ", shell " + shell);
    if (!u.noCreateHome()) {
      try {
        t.mkdirs(ImagePath.of(home), 0755, 0, 0);
        t.chown(ImagePath.of(home), uid, gid);
      } catch (IOException e) {
        // yip ignores failures to make the home directory
      }
    }
    for (String group : u.groups()) {
      Optional<String[]> g = find(GROUP, group);
      if (g.isPresent()) {
        addMember(g.get(), u.name(), g.get()[1]);
      }
    }
  }

  private void addMember(String[] group, String user, String password) throws IOException {
    LinkedHashSet<String> members = new LinkedHashSet<>();
    if (group.length > 3) {
      for (String m : group[3].split(",")) {
        if (!m.isEmpty()) {
          members.add(m);
        }
      }
    }
    boolean added = members.add(user);
    upsert(GROUP, group[0], group[0] + ":" + password + ":" + group[2] + ":" + String.join(",", members));
    mirrorToGshadow(group[0], user);
    if (added) {
      t.effect(Kind.GROUP_CHANGED, group[0], "member " + user + " added");
    }
  }

  /**
   * Keeps {@code /etc/gshadow} in step with {@code /etc/group} where the image has one (as
   * groupadd and usermod do), so that {@code grpck} finds the files consistent: the group gets an
   * entry ({@code name:!::}) if it has none, and {@code member} is added to its members. yip itself
   * leaves gshadow alone.
   */
  private void mirrorToGshadow(String group, String member) throws IOException {
    if (!t.exists(GSHADOW)) {
      return;
    }
    String[] g = find(GSHADOW, group).filter(f -> f.length == 4).orElse(new String[] {group, "!", "", ""});
    LinkedHashSet<String> members = new LinkedHashSet<>();
    for (String m : g[3].split(",")) {
      if (!m.isEmpty()) {
        members.add(m);
      }
    }
    members.add(member);
    upsert(GSHADOW, group, String.join(":", g[0], g[1], g[2], String.join(",", members)));
  }

  private void setShadow(String name, String password) throws IOException {
    Optional<String[]> sh = find(SHADOW, name);
    String aging = sh.filter(f -> f.length == 9).map(f -> String.join(":", List.of(f).subList(3, 9)))
        .orElse(":::::");
    upsert(SHADOW, name, name + ":" + password + ":" + days + ":" + aging);
  }

  private Map<String, String> useraddDefaults() throws IOException {
    Map<String, String> m = new java.util.HashMap<>();
    Optional<String> text = t.readIfExists(ImagePath.of("/etc/default/useradd"));
    if (text.isPresent()) {
      for (String l : text.get().split("\n")) {
        int eq = l.indexOf('=');
        if (eq > 0 && !l.startsWith("#")) {
          m.put(l.substring(0, eq).trim(), l.substring(eq + 1).trim());
        }
      }
    }
    return m;
  }

  // ------------------------------------------------------------------ SSH keys

  /** Adds keys to {@code user}'s authorized_keys; keys to fetch (github:, https:) are not applicable at build time. */
  void authorizedKeys(String user, List<String> keys, Outcome out) throws IOException {
    String[] pw = find(PASSWD, user).orElseThrow(() -> new IOException("user " + user + " not found"));
    int uid;
    int gid;
    try {
      uid = Integer.parseInt(pw[2]);
      gid = Integer.parseInt(pw[3]);
    } catch (RuntimeException e) {
      throw new IOException("Failed parsing passwd line of " + user);
    }
    ImagePath ssh = ImagePath.of(pw.length > 5 ? pw[5] : "/").resolve(".ssh");
    if (!t.exists(ssh)) {
      t.mkdir(ssh, 0700, uid, gid);
    }
    t.chown(ssh, uid, gid);
    ImagePath file = ssh.resolve("authorized_keys");
    if (!t.exists(file)) {
      t.write(file, new byte[0]);
      t.chmod(file, 0600);
    }
    for (String key : keys) {
      if (isUrl(key)) {
        t.effect(Kind.NOT_APPLICABLE, user, "key " + key + " needs the network; not fetched at build time");
        out.note("authorized_keys." + user + ": " + key + " is fetched on a running machine, not at build time");
        continue;
      }
      String text = t.readString(file);
      if (text.contains(key)) {
        continue;
      }
      t.writeString(file, text + key + "\n");
      t.chown(file, uid, gid);
      t.effect(Kind.KEY_ADDED, user, key.length() > 40 ? key.substring(0, 40) + "..." : key);
    }
  }

  /** A key to fetch: {@code scheme:rest} with no space before the colon, as Go's URL parser sees it. */
  static boolean isUrl(String key) {
    int colon = key.indexOf(':');
    return colon > 0 && key.substring(0, colon).matches("[A-Za-z][A-Za-z0-9+.-]*");
  }

  // ------------------------------------------------------------------ entities

  void entity(YipStep.EntityEdit e, boolean delete, String rendered) throws IOException {
    YamlNode node = YamlReader.read("entity", rendered);
    if (!(node instanceof YamlNode.Mapping)) {
      throw new InvalidInputException("entity", "an entity must be a YAML mapping with a kind");
    }
    Map<String, String> f = new java.util.HashMap<>();
    for (YamlNode.Entry en : ((YamlNode.Mapping) node).entries()) {
      if (en.value() instanceof YamlNode.Scalar) {
        YamlNode.Scalar s = (YamlNode.Scalar) en.value();
        f.put(en.key().text(), s.isNull() ? "" : s.text());
      }
    }
    String kind = f.getOrDefault("kind", "");
    ImagePath def;
    switch (kind) {
      case "user": def = PASSWD; break;
      case "shadow": def = SHADOW; break;
      case "group": def = GROUP; break;
      case "gshadow": def = GSHADOW; break;
      default: throw new IOException("unknown entity kind '" + kind + "' (user, shadow, group, gshadow)");
    }
    ImagePath file = e.path().isEmpty() ? def : ImagePath.of(e.path());
    if (!t.exists(file)) {
      if (delete) {
        return;
      }
      throw new IOException(file + " does not exist");
    }
    if (delete) {
      deleteEntity(kind, file, f);
    } else {
      ensureEntity(kind, file, f);
    }
  }

  private static long intField(Map<String, String> f, String k, long dflt) throws IOException {
    String v = f.getOrDefault(k, "");
    if (v.isEmpty()) {
      return dflt;
    }
    Long n = YipBinder.parseInteger(v);
    if (n == null) {
      throw new IOException("entity field " + k + " is not an integer: '" + v + "'");
    }
    return n;
  }

  /** Creates or updates one entity's line in {@code file}, by kind, as yip's entities plugin does. */
  private void ensureEntity(String kind, ImagePath file, Map<String, String> f) throws IOException {
    String name = switch (kind) {
      case "user" -> ensureUser(file, f);
      case "shadow" -> ensureShadow(file, f);
      case "group" -> ensureGroup(file, f);
      default -> ensureGshadow(file, f);
    };
    t.effect(Kind.ENTITY_CHANGED, file.toString(), kind + " " + name);
  }

  /** The entity's name field, which must be set. */
  private static String required(Map<String, String> f, String key, String kind) throws IOException {
    String name = f.getOrDefault(key, "");
    if (name.isEmpty()) {
      throw new IOException(kind + " entity without " + key);
    }
    return name;
  }

  /** A passwd line; a negative uid takes the lowest free one, {@code group} names the gid. */
  private String ensureUser(ImagePath file, Map<String, String> f) throws IOException {
    String name = required(f, "username", "user");
    long uid = intField(f, "uid", 0);
    if (uid < 0) {
      uid = lowestFree(file);
    }
    long gid = intField(f, "gid", 0);
    if (!f.getOrDefault("group", "").isEmpty()) {
      gid = Long.parseLong(find(GROUP, f.get("group")).orElseThrow(
          () -> new IOException("group " + f.get("group") + " not found"))[2]);
    }
    String info = f.getOrDefault("info", "").isEmpty() ? "Created by entities" : f.get("info");
    upsert(file, name, String.join(":", name, f.getOrDefault("password", ""), String.valueOf(uid),
        String.valueOf(gid), info, f.getOrDefault("homedir", ""), f.getOrDefault("shell", "")));
    return name;
  }

  /** A shadow line: fields not given keep their old value; {@code last_changed: now} is the source date. */
  private String ensureShadow(ImagePath file, Map<String, String> f) throws IOException {
    String name = required(f, "username", "shadow");
    String[] keys = {"password", "last_changed", "minimum_changed", "maximum_changed", "warn", "inactive",
        "expire", "reserved"};
    String[] old = find(file, name).filter(x -> x.length == 9).orElse(null);
    List<String> fields = new ArrayList<>(List.of(name));
    for (int i = 0; i < keys.length; i++) {
      String v = f.getOrDefault(keys[i], "");
      if (i == 0 && !v.isEmpty()) {
        v = passwordField(v, false);
      }
      if (i == 1 && v.equals("now")) {
        v = String.valueOf(days);
      }
      fields.add(v.isEmpty() && old != null ? old[i + 1] : v);
    }
    upsert(file, name, String.join(":", fields));
    return name;
  }

  /** A group line: gid and password kept when not given, members merged with the old ones. */
  private String ensureGroup(ImagePath file, Map<String, String> f) throws IOException {
    String name = required(f, "group_name", "group");
    Optional<String[]> old = find(file, name).filter(x -> x.length == 4);
    String gid = f.getOrDefault("gid", "");
    if (!gid.isEmpty() && intField(f, "gid", 0) < 0) {
      gid = String.valueOf(lowestFree(file));
    }
    String pw = f.getOrDefault("password", "");
    String users = f.getOrDefault("users", "");
    if (old.isPresent()) {
      gid = gid.isEmpty() ? old.get()[2] : gid;
      pw = pw.isEmpty() ? old.get()[1] : pw;
      if (!old.get()[3].isEmpty()) {
        LinkedHashSet<String> m = new LinkedHashSet<>(List.of(old.get()[3].split(",")));
        for (String x : users.split(",")) {
          if (!x.isEmpty()) {
            m.add(x);
          }
        }
        users = String.join(",", m);
      }
    }
    upsert(file, name, String.join(":", name, pw, gid, users));
    return name;
  }

  /** A gshadow line, as given. */
  private String ensureGshadow(ImagePath file, Map<String, String> f) throws IOException {
    String name = required(f, "name", "gshadow");
    upsert(file, name, String.join(":", name, f.getOrDefault("password", ""),
        f.getOrDefault("administrators", ""), f.getOrDefault("members", "")));
    return name;
  }

  private void deleteEntity(String kind, ImagePath file, Map<String, String> f) throws IOException {
    List<String> ls = lines(file);
    int idx = -1;
    if (kind.equals("group")) {
      String name = f.getOrDefault("group_name", "");
      for (int i = 0; i < ls.size() && idx < 0; i++) {
        if (ls.get(i).split(":", -1)[0].equals(name)) {
          idx = i;
        }
      }
    } else {
      String line;
      switch (kind) {
        case "user":
          line = String.join(":", f.getOrDefault("username", ""), f.getOrDefault("password", ""),
              String.valueOf(intField(f, "uid", 0)), String.valueOf(intField(f, "gid", 0)),
              f.getOrDefault("info", ""), f.getOrDefault("homedir", ""), f.getOrDefault("shell", ""));
          break;
        case "shadow":
          line = String.join(":", f.getOrDefault("username", ""), f.getOrDefault("password", ""),
              f.getOrDefault("last_changed", ""), f.getOrDefault("minimum_changed", ""),
              f.getOrDefault("maximum_changed", ""), f.getOrDefault("warn", ""), f.getOrDefault("inactive", ""),
              f.getOrDefault("expire", ""), f.getOrDefault("reserved", ""));
          break;
        default:
          line = String.join(":", f.getOrDefault("name", ""), f.getOrDefault("password", ""),
              f.getOrDefault("administrators", ""), f.getOrDefault("members", ""));
      }
      idx = ls.indexOf(line);
    }
    if (idx < 0) {
      return; // nothing matches: no change (yip removes the first line of /etc/group here)
    }
    String removed = ls.remove(idx);
    writeLines(file, ls);
    t.effect(Kind.ENTITY_CHANGED, file.toString(), "removed " + removed.split(":", 2)[0]);
  }
}
