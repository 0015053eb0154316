package dev.kairos.factory.core.api.yip;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * One step of a yip stage (the element of a stage's list; yip's own code calls it "Stage"). Every
 * key of the format is a typed field. An absent key is its zero value, as in yip: the empty string,
 * {@code 0}, {@code false}, an empty list or map, an empty nested value. Immutable; parsed by
 * {@link Yip} or made with {@link #builder()}.
 *
 * <p>Within a step the executor runs the keys in yip's fixed order, whatever their order in the
 * YAML: dns, downloads, git, ensure_entities, directories, files, commands, delete_entities,
 * hostname, sysctl, users, authorized_keys, modules, timesyncd, systemctl, environment,
 * systemd_firstboot, datasource, layout, package_pins, packages, unpack_images. So
 * {@code commands} run before {@code users} and {@code packages} of the same step.
 *
 * <pre>{@code
 * YipStep step = YipStep.builder()
 *     .name("motd")
 *     .files(List.of(new YipStep.FileEntry("/etc/motd", "hello\n", "", 0644, 0, 0, "")))
 *     .commands(List.of("echo done"))
 *     .build();
 * }</pre>
 */
public final class YipStep {
  /** A file to write ({@code files} entry). {@code permissions} 0 means mode 0000, as in yip. */
  public record FileEntry(String path, String content, String encoding, int permissions, int owner, int group,
      String ownerString) {
    public FileEntry {
      checkMode(permissions);
      path = text(path);
      content = text(content);
      encoding = text(encoding);
      ownerString = text(ownerString);
    }
  }

  /** A directory to create or chmod ({@code directories} entry). */
  public record DirectoryEntry(String path, int permissions, int owner, int group) {
    public DirectoryEntry {
      checkMode(permissions);
      path = text(path);
    }
  }

  /** A file to fetch over HTTP ({@code downloads} entry); not applicable at build time. */
  public record Download(String path, String url, int permissions, int owner, int group, String ownerString,
      int timeout) {
    public Download {
      checkMode(permissions);
      path = text(path);
      url = text(url);
      ownerString = text(ownerString);
    }
  }

  /** A git checkout ({@code git}); not applicable at build time. */
  public record GitRepo(String url, String path, String branch, boolean branchOnly, String username,
      String password, String privateKey, String publicKey, boolean insecure) {
    public static final GitRepo NONE = new GitRepo("", "", "", false, "", "", "", "", false);

    public GitRepo {
      url = text(url);
      path = text(path);
      branch = text(branch);
      username = text(username);
      password = text(password);
      privateKey = text(privateKey);
      publicKey = text(publicKey);
    }
  }

  /** An entity ({@code user}, {@code shadow}, {@code group}, {@code gshadow}) to ensure or delete; {@code entity} is YAML text. */
  public record EntityEdit(String path, String entity) {
    public EntityEdit {
      path = text(path);
      entity = text(entity);
    }
  }

  /** The {@code dns} key: a resolv.conf to write. Nothing happens without nameservers. */
  public record Dns(List<String> nameservers, List<String> search, List<String> options, String path) {
    public static final Dns NONE = new Dns(List.of(), List.of(), List.of(), "");

    public Dns {
      nameservers = List.copyOf(nameservers);
      search = List.copyOf(search);
      options = List.copyOf(options);
      path = text(path);
    }
  }

  /**
   * A user to create ({@code users} entry; the map key is the name). For an existing user only
   * {@code passwd} and the keys are applied. {@code system}, {@code noUserGroup} and
   * {@code noLogInit} are parsed and ignored, as in yip.
   */
  public record User(String name, String passwd, boolean lockPasswd, String uid, String homedir, String shell,
      String gecos, String primaryGroup, List<String> groups, boolean noCreateHome,
      List<String> sshAuthorizedKeys, boolean system, boolean noUserGroup, boolean noLogInit) {
    public User {
      name = text(name);
      passwd = text(passwd);
      uid = text(uid);
      homedir = text(homedir);
      shell = text(shell);
      gecos = text(gecos);
      primaryGroup = text(primaryGroup);
      groups = List.copyOf(groups);
      sshAuthorizedKeys = List.copyOf(sshAuthorizedKeys);
    }
  }

  /** A systemd drop-in ({@code systemctl.overrides} entry). */
  public record UnitOverride(String service, String name, String content) {
    public UnitOverride {
      service = text(service);
      name = text(name);
      content = text(content);
    }
  }

  /** The {@code systemctl} key. */
  public record Systemctl(List<String> enable, List<String> disable, List<String> start, List<String> mask,
      List<UnitOverride> overrides) {
    public static final Systemctl NONE = new Systemctl(List.of(), List.of(), List.of(), List.of(), List.of());

    public Systemctl {
      enable = List.copyOf(enable);
      disable = List.copyOf(disable);
      start = List.copyOf(start);
      mask = List.copyOf(mask);
      overrides = List.copyOf(overrides);
    }

    public boolean isEmpty() {
      return enable.isEmpty() && disable.isEmpty() && start.isEmpty() && mask.isEmpty() && overrides.isEmpty();
    }
  }

  /** The {@code datasource} key; only meaningful on a running machine. */
  public record Datasource(List<String> providers, String path, String userdataName) {
    public static final Datasource NONE = new Datasource(List.of(), "", "");

    public Datasource {
      providers = List.copyOf(providers);
      path = text(path);
      userdataName = text(userdataName);
    }

    public boolean isEmpty() {
      return providers.isEmpty() && path.isEmpty() && userdataName.isEmpty();
    }
  }

  /** A partition to add ({@code layout.add_partitions} entry); sizes in MiB, 0 = the rest. */
  public record Partition(String fsLabel, String pLabel, long size, String filesystem, boolean bootable) {
    public Partition {
      fsLabel = text(fsLabel);
      pLabel = text(pLabel);
      filesystem = text(filesystem);
    }
  }

  /**
   * The {@code layout} key: disk partitioning, only meaningful on a running machine.
   * {@code expandPartition} is empty when the key is absent, else the size in MiB (0 = all).
   */
  public record Layout(String devicePath, String deviceLabel, boolean initDisk, String diskName,
      Optional<Long> expandPartition, List<Partition> addPartitions) {
    public static final Layout NONE = new Layout("", "", false, "", Optional.empty(), List.of());

    public Layout {
      devicePath = text(devicePath);
      deviceLabel = text(deviceLabel);
      diskName = text(diskName);
      Objects.requireNonNull(expandPartition, "expandPartition");
      addPartitions = List.copyOf(addPartitions);
    }

    public boolean isEmpty() {
      return devicePath.isEmpty() && deviceLabel.isEmpty() && expandPartition.isEmpty() && addPartitions.isEmpty();
    }
  }

  /** The {@code packages} key. Nothing happens unless install or remove is non-empty or refresh is set. */
  public record Packages(List<String> install, List<String> remove, boolean refresh, boolean upgrade) {
    public static final Packages NONE = new Packages(List.of(), List.of(), false, false);

    public Packages {
      install = List.copyOf(install);
      remove = List.copyOf(remove);
    }

    /** Whether yip would do anything: {@code upgrade} alone does nothing (yip's rule). */
    public boolean isActive() {
      return !install.isEmpty() || !remove.isEmpty() || refresh;
    }
  }

  /** An image to unpack ({@code unpack_images} entry); not applicable at build time. */
  public record ImageUnpack(String source, String target, String platform) {
    public ImageUnpack {
      source = text(source);
      target = text(target);
      platform = text(platform);
    }
  }

  private final String name;
  private final List<String> after;
  private final String ifCommand;
  private final String node;
  private final String onlyOs;
  private final String onlyOsVersion;
  private final String onlyArch;
  private final String onlyServiceManager;
  private final Map<String, List<String>> ifFiles;
  private final List<FileEntry> files;
  private final List<DirectoryEntry> directories;
  private final List<Download> downloads;
  private final GitRepo git;
  private final List<String> commands;
  private final List<EntityEdit> ensureEntities;
  private final List<EntityEdit> deleteEntities;
  private final Dns dns;
  private final String hostname;
  private final Map<String, String> sysctl;
  private final Map<String, User> users;
  private final Map<String, List<String>> authorizedKeys;
  private final List<String> modules;
  private final Map<String, String> timesyncd;
  private final Systemctl systemctl;
  private final Map<String, String> environment;
  private final String environmentFile;
  private final Map<String, String> systemdFirstboot;
  private final Datasource datasource;
  private final Layout layout;
  private final Map<String, String> packagePins;
  private final Packages packages;
  private final List<ImageUnpack> unpackImages;
  private final YipLocation location;

  private YipStep(Builder b) {
    name = b.name;
    after = List.copyOf(b.after);
    ifCommand = b.ifCommand;
    node = b.node;
    onlyOs = b.onlyOs;
    onlyOsVersion = b.onlyOsVersion;
    onlyArch = b.onlyArch;
    onlyServiceManager = b.onlyServiceManager;
    TreeMap<String, List<String>> f = new TreeMap<>();
    b.ifFiles.forEach((k, v) -> f.put(k, List.copyOf(v)));
    ifFiles = Collections.unmodifiableMap(f);
    files = List.copyOf(b.files);
    directories = List.copyOf(b.directories);
    downloads = List.copyOf(b.downloads);
    git = b.git;
    commands = List.copyOf(b.commands);
    ensureEntities = List.copyOf(b.ensureEntities);
    deleteEntities = List.copyOf(b.deleteEntities);
    dns = b.dns;
    hostname = b.hostname;
    sysctl = sorted(b.sysctl);
    TreeMap<String, User> u = new TreeMap<>();
    b.users.forEach((k, v) -> u.put(k, v.name().equals(k) ? v : new User(k, v.passwd(), v.lockPasswd(), v.uid(),
        v.homedir(), v.shell(), v.gecos(), v.primaryGroup(), v.groups(), v.noCreateHome(), v.sshAuthorizedKeys(),
        v.system(), v.noUserGroup(), v.noLogInit())));
    users = Collections.unmodifiableMap(u);
    TreeMap<String, List<String>> k = new TreeMap<>();
    b.authorizedKeys.forEach((key, v) -> k.put(key, List.copyOf(v)));
    authorizedKeys = Collections.unmodifiableMap(k);
    modules = List.copyOf(b.modules);
    timesyncd = sorted(b.timesyncd);
    systemctl = b.systemctl;
    environment = sorted(b.environment);
    environmentFile = b.environmentFile;
    systemdFirstboot = sorted(b.systemdFirstboot);
    datasource = b.datasource;
    layout = b.layout;
    packagePins = sorted(b.packagePins);
    packages = b.packages;
    unpackImages = List.copyOf(b.unpackImages);
    location = b.location;
  }

  private static void checkMode(int mode) {
    if (mode < 0 || mode > 07777) {
      throw new IllegalArgumentException("permissions must be within 0..07777, got 0" + Integer.toOctalString(mode));
    }
  }

  private static String text(String s) {
    return s == null ? "" : s;
  }

  private static Map<String, String> sorted(Map<String, String> m) {
    return Collections.unmodifiableMap(new TreeMap<>(m));
  }

  public static Builder builder() {
    return new Builder();
  }

  public Builder toBuilder() {
    Builder b = new Builder();
    b.name = name;
    b.after.addAll(after);
    b.ifCommand = ifCommand;
    b.node = node;
    b.onlyOs = onlyOs;
    b.onlyOsVersion = onlyOsVersion;
    b.onlyArch = onlyArch;
    b.onlyServiceManager = onlyServiceManager;
    b.ifFiles.putAll(ifFiles);
    b.files.addAll(files);
    b.directories.addAll(directories);
    b.downloads.addAll(downloads);
    b.git = git;
    b.commands.addAll(commands);
    b.ensureEntities.addAll(ensureEntities);
    b.deleteEntities.addAll(deleteEntities);
    b.dns = dns;
    b.hostname = hostname;
    b.sysctl.putAll(sysctl);
    b.users.putAll(users);
    b.authorizedKeys.putAll(authorizedKeys);
    b.modules.addAll(modules);
    b.timesyncd.putAll(timesyncd);
    b.systemctl = systemctl;
    b.environment.putAll(environment);
    b.environmentFile = environmentFile;
    b.systemdFirstboot.putAll(systemdFirstboot);
    b.datasource = datasource;
    b.layout = layout;
    b.packagePins.putAll(packagePins);
    b.packages = packages;
    b.unpackImages.addAll(unpackImages);
    b.location = location;
    return b;
  }

  /** {@code name}: names the step in identifiers ({@code <doc>.<name>}) and in {@code after:} references. */
  public String name() {
    return name;
  }

  /** {@code after}: identifiers of steps (same source) that must run before this one. */
  public List<String> after() {
    return after;
  }

  /** {@code if}: a shell condition; the step runs only if it exits 0. */
  public String ifCommand() {
    return ifCommand;
  }

  /** {@code node}: RE2 regex on the hostname. */
  public String node() {
    return node;
  }

  /** {@code only_os}: RE2 regex on os-release {@code PRETTY_NAME}. */
  public String onlyOs() {
    return onlyOs;
  }

  /** {@code only_os_version}: RE2 regex on os-release {@code VERSION_ID}. */
  public String onlyOsVersion() {
    return onlyOsVersion;
  }

  /** {@code only_arch}: RE2 regex on the Go architecture name ({@code amd64}, {@code arm64}). */
  public String onlyArch() {
    return onlyArch;
  }

  /** {@code only_service_manager}: {@code systemd} or {@code openrc}. */
  public String onlyServiceManager() {
    return onlyServiceManager;
  }

  /** {@code if_files}: check name ({@code all}, {@code any}, {@code none}) to paths, sorted by check. */
  public Map<String, List<String>> ifFiles() {
    return ifFiles;
  }

  public List<FileEntry> files() {
    return files;
  }

  public List<DirectoryEntry> directories() {
    return directories;
  }

  public List<Download> downloads() {
    return downloads;
  }

  /** {@code git}; {@link GitRepo#NONE} when absent. */
  public GitRepo git() {
    return git;
  }

  public List<String> commands() {
    return commands;
  }

  public List<EntityEdit> ensureEntities() {
    return ensureEntities;
  }

  public List<EntityEdit> deleteEntities() {
    return deleteEntities;
  }

  public Dns dns() {
    return dns;
  }

  public String hostname() {
    return hostname;
  }

  /** {@code sysctl}, sorted by key. */
  public Map<String, String> sysctl() {
    return sysctl;
  }

  /** {@code users}, sorted by name (yip processes them in that order, so allocated ids are stable). */
  public Map<String, User> users() {
    return users;
  }

  /** {@code authorized_keys}: user to keys, sorted by user. */
  public Map<String, List<String>> authorizedKeys() {
    return authorizedKeys;
  }

  public List<String> modules() {
    return modules;
  }

  public Map<String, String> timesyncd() {
    return timesyncd;
  }

  public Systemctl systemctl() {
    return systemctl;
  }

  public Map<String, String> environment() {
    return environment;
  }

  /** {@code environment_file}; empty means {@code /etc/environment}. */
  public String environmentFile() {
    return environmentFile;
  }

  public Map<String, String> systemdFirstboot() {
    return systemdFirstboot;
  }

  public Datasource datasource() {
    return datasource;
  }

  public Layout layout() {
    return layout;
  }

  public Map<String, String> packagePins() {
    return packagePins;
  }

  public Packages packages() {
    return packages;
  }

  public List<ImageUnpack> unpackImages() {
    return unpackImages;
  }

  /** Where the step was written ({@link YipLocation#NONE} for steps built in code). */
  public YipLocation location() {
    return location;
  }

  @Override
  public String toString() {
    return "YipStep[" + (name.isEmpty() ? "<unnamed>" : name) + " at " + location + "]";
  }

  /** Builds a {@link YipStep}; collections are copied, {@code null} is refused. */
  public static final class Builder {
    private String name = "";
    private final java.util.ArrayList<String> after = new java.util.ArrayList<>();
    private String ifCommand = "";
    private String node = "";
    private String onlyOs = "";
    private String onlyOsVersion = "";
    private String onlyArch = "";
    private String onlyServiceManager = "";
    private final Map<String, List<String>> ifFiles = new LinkedHashMap<>();
    private final java.util.ArrayList<FileEntry> files = new java.util.ArrayList<>();
    private final java.util.ArrayList<DirectoryEntry> directories = new java.util.ArrayList<>();
    private final java.util.ArrayList<Download> downloads = new java.util.ArrayList<>();
    private GitRepo git = GitRepo.NONE;
    private final java.util.ArrayList<String> commands = new java.util.ArrayList<>();
    private final java.util.ArrayList<EntityEdit> ensureEntities = new java.util.ArrayList<>();
    private final java.util.ArrayList<EntityEdit> deleteEntities = new java.util.ArrayList<>();
    private Dns dns = Dns.NONE;
    private String hostname = "";
    private final Map<String, String> sysctl = new LinkedHashMap<>();
    private final Map<String, User> users = new LinkedHashMap<>();
    private final Map<String, List<String>> authorizedKeys = new LinkedHashMap<>();
    private final java.util.ArrayList<String> modules = new java.util.ArrayList<>();
    private final Map<String, String> timesyncd = new LinkedHashMap<>();
    private Systemctl systemctl = Systemctl.NONE;
    private final Map<String, String> environment = new LinkedHashMap<>();
    private String environmentFile = "";
    private final Map<String, String> systemdFirstboot = new LinkedHashMap<>();
    private Datasource datasource = Datasource.NONE;
    private Layout layout = Layout.NONE;
    private final Map<String, String> packagePins = new LinkedHashMap<>();
    private Packages packages = Packages.NONE;
    private final java.util.ArrayList<ImageUnpack> unpackImages = new java.util.ArrayList<>();
    private YipLocation location = YipLocation.NONE;

    private Builder() {}

    private static <T> T req(T v, String what) {
      return Objects.requireNonNull(v, what);
    }

    private static <T> void replace(List<T> target, List<T> values, String what) {
      req(values, what).forEach(v -> req(v, what + " entry"));
      target.clear();
      target.addAll(values);
    }

    private static <V> void replace(Map<String, V> target, Map<String, V> values, String what) {
      req(values, what).forEach((k, v) -> {
        req(k, what + " key");
        req(v, what + " value of " + k);
      });
      target.clear();
      target.putAll(values);
    }

    public Builder name(String v) {
      name = req(v, "name");
      return this;
    }

    public Builder after(List<String> v) {
      replace(after, v, "after");
      return this;
    }

    public Builder ifCommand(String v) {
      ifCommand = req(v, "if");
      return this;
    }

    public Builder node(String v) {
      node = req(v, "node");
      return this;
    }

    public Builder onlyOs(String v) {
      onlyOs = req(v, "only_os");
      return this;
    }

    public Builder onlyOsVersion(String v) {
      onlyOsVersion = req(v, "only_os_version");
      return this;
    }

    public Builder onlyArch(String v) {
      onlyArch = req(v, "only_arch");
      return this;
    }

    public Builder onlyServiceManager(String v) {
      onlyServiceManager = req(v, "only_service_manager");
      return this;
    }

    public Builder ifFiles(Map<String, List<String>> v) {
      replace(ifFiles, v, "if_files");
      return this;
    }

    public Builder files(List<FileEntry> v) {
      replace(files, v, "files");
      return this;
    }

    public Builder directories(List<DirectoryEntry> v) {
      replace(directories, v, "directories");
      return this;
    }

    public Builder downloads(List<Download> v) {
      replace(downloads, v, "downloads");
      return this;
    }

    public Builder git(GitRepo v) {
      git = req(v, "git");
      return this;
    }

    public Builder commands(List<String> v) {
      replace(commands, v, "commands");
      return this;
    }

    public Builder ensureEntities(List<EntityEdit> v) {
      replace(ensureEntities, v, "ensure_entities");
      return this;
    }

    public Builder deleteEntities(List<EntityEdit> v) {
      replace(deleteEntities, v, "delete_entities");
      return this;
    }

    public Builder dns(Dns v) {
      dns = req(v, "dns");
      return this;
    }

    public Builder hostname(String v) {
      hostname = req(v, "hostname");
      return this;
    }

    public Builder sysctl(Map<String, String> v) {
      replace(sysctl, v, "sysctl");
      return this;
    }

    public Builder users(Map<String, User> v) {
      replace(users, v, "users");
      return this;
    }

    public Builder authorizedKeys(Map<String, List<String>> v) {
      replace(authorizedKeys, v, "authorized_keys");
      return this;
    }

    public Builder modules(List<String> v) {
      replace(modules, v, "modules");
      return this;
    }

    public Builder timesyncd(Map<String, String> v) {
      replace(timesyncd, v, "timesyncd");
      return this;
    }

    public Builder systemctl(Systemctl v) {
      systemctl = req(v, "systemctl");
      return this;
    }

    public Builder environment(Map<String, String> v) {
      replace(environment, v, "environment");
      return this;
    }

    public Builder environmentFile(String v) {
      environmentFile = req(v, "environment_file");
      return this;
    }

    public Builder systemdFirstboot(Map<String, String> v) {
      replace(systemdFirstboot, v, "systemd_firstboot");
      return this;
    }

    public Builder datasource(Datasource v) {
      datasource = req(v, "datasource");
      return this;
    }

    public Builder layout(Layout v) {
      layout = req(v, "layout");
      return this;
    }

    public Builder packagePins(Map<String, String> v) {
      replace(packagePins, v, "package_pins");
      return this;
    }

    public Builder packages(Packages v) {
      packages = req(v, "packages");
      return this;
    }

    public Builder unpackImages(List<ImageUnpack> v) {
      replace(unpackImages, v, "unpack_images");
      return this;
    }

    public Builder location(YipLocation v) {
      location = req(v, "location");
      return this;
    }

    public YipStep build() {
      return new YipStep(this);
    }
  }
}
