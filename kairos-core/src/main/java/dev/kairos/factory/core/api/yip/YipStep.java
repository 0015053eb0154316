package dev.kairos.factory.core.api.yip;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.UnaryOperator;

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
 *
 * @param name {@code name}: names the step in identifiers ({@code <doc>.<name>}) and in {@code after:} references
 * @param after {@code after}: identifiers of steps (same source) that must run before this one
 * @param ifCommand {@code if}: a shell condition; the step runs only if it exits 0
 * @param node {@code node}: RE2 regex on the hostname
 * @param onlyOs {@code only_os}: RE2 regex on os-release {@code PRETTY_NAME}
 * @param onlyOsVersion {@code only_os_version}: RE2 regex on os-release {@code VERSION_ID}
 * @param onlyArch {@code only_arch}: RE2 regex on the Go architecture name ({@code amd64}, {@code arm64})
 * @param onlyServiceManager {@code only_service_manager}: {@code systemd} or {@code openrc}
 * @param ifFiles {@code if_files}: check name ({@code all}, {@code any}, {@code none}) to paths, sorted by check
 * @param files {@code files}: files to write
 * @param directories {@code directories}: directories to create or chmod
 * @param downloads {@code downloads}: files to fetch (not applicable at build time)
 * @param git {@code git}: a checkout, {@link GitRepo#NONE} when absent (not applicable at build time)
 * @param commands {@code commands}: shell commands, run in order
 * @param ensureEntities {@code ensure_entities}: entities to create or update
 * @param deleteEntities {@code delete_entities}: entities to remove
 * @param dns {@code dns}: a resolv.conf to write, {@link Dns#NONE} when absent
 * @param hostname {@code hostname}: a template for the host name; empty leaves it
 * @param sysctl {@code sysctl}: kernel parameters, sorted by key
 * @param users {@code users}: sorted by name (yip processes them in that order, so allocated ids are stable); each user carries its key as name
 * @param authorizedKeys {@code authorized_keys}: user to keys, sorted by user
 * @param modules {@code modules}: kernel modules to load
 * @param timesyncd {@code timesyncd}: settings of systemd-timesyncd, sorted by key
 * @param systemctl {@code systemctl}: units to enable, disable, start, mask or override
 * @param environment {@code environment}: variables for the environment file, sorted by name
 * @param environmentFile {@code environment_file}: where {@code environment} goes; empty means {@code /etc/environment}
 * @param systemdFirstboot {@code systemd_firstboot}: options of systemd-firstboot, sorted by name
 * @param datasource {@code datasource}: only meaningful on a running machine
 * @param layout {@code layout}: disk partitioning, only meaningful on a running machine
 * @param packagePins {@code package_pins}: package to version, sorted by package
 * @param packages {@code packages}: packages to install or remove
 * @param unpackImages {@code unpack_images}: images to unpack (not applicable at build time)
 * @param location where the step was written ({@link YipLocation#NONE} for steps built in code)
 */
public record YipStep(
    String name,
    List<String> after,
    String ifCommand,
    String node,
    String onlyOs,
    String onlyOsVersion,
    String onlyArch,
    String onlyServiceManager,
    Map<String, List<String>> ifFiles,
    List<FileEntry> files,
    List<DirectoryEntry> directories,
    List<Download> downloads,
    GitRepo git,
    List<String> commands,
    List<EntityEdit> ensureEntities,
    List<EntityEdit> deleteEntities,
    Dns dns,
    String hostname,
    Map<String, String> sysctl,
    Map<String, User> users,
    Map<String, List<String>> authorizedKeys,
    List<String> modules,
    Map<String, String> timesyncd,
    Systemctl systemctl,
    Map<String, String> environment,
    String environmentFile,
    Map<String, String> systemdFirstboot,
    Datasource datasource,
    Layout layout,
    Map<String, String> packagePins,
    Packages packages,
    List<ImageUnpack> unpackImages,
    YipLocation location) {
  /**
   * A file to write ({@code files} entry). {@code permissions} 0 means mode 0000, as in yip.
   *
   * @param path where to write it
   * @param content the content, encoded as {@code encoding} says
   * @param encoding empty for plain text, else {@code base64}, {@code gzip} or {@code gzip+base64}
   *     (and their short forms)
   * @param permissions the mode, e.g. {@code 0644}
   * @param owner the numeric owner
   * @param group the numeric group
   * @param ownerString {@code user:group} by name, looked up in the image; when set it wins over
   *     {@code owner} and {@code group}
   */
  public record FileEntry(String path, String content, String encoding, int permissions, int owner, int group,
      String ownerString) {
    /** Normalises absent text to the empty string and copies lists; checks modes. */
    public FileEntry {
      checkMode(permissions);
      path = text(path);
      content = text(content);
      encoding = text(encoding);
      ownerString = text(ownerString);
    }
  }

  /**
   * A directory to create or chmod ({@code directories} entry).
   *
   * @param path the directory
   * @param permissions the mode, e.g. {@code 0755}
   * @param owner the numeric owner
   * @param group the numeric group
   */
  public record DirectoryEntry(String path, int permissions, int owner, int group) {
    /** Normalises absent text to the empty string and copies lists; checks modes. */
    public DirectoryEntry {
      checkMode(permissions);
      path = text(path);
    }
  }

  /**
   * A file to fetch over HTTP ({@code downloads} entry); not applicable at build time.
   *
   * @param path where to save it
   * @param url what to fetch
   * @param permissions the mode of the saved file
   * @param owner the numeric owner
   * @param group the numeric group
   * @param ownerString {@code user:group} by name; when set it wins over {@code owner} and {@code group}
   * @param timeout the timeout, in seconds
   */
  public record Download(String path, String url, int permissions, int owner, int group, String ownerString,
      int timeout) {
    /** Normalises absent text to the empty string and copies lists; checks modes. */
    public Download {
      checkMode(permissions);
      path = text(path);
      url = text(url);
      ownerString = text(ownerString);
    }
  }

  /**
   * A git checkout ({@code git}); not applicable at build time.
   *
   * @param url the repository
   * @param path where to check it out
   * @param branch the branch to check out; empty for the default
   * @param branchOnly whether to fetch that branch only
   * @param username the user name for HTTP authentication
   * @param password the password for HTTP authentication
   * @param privateKey the SSH private key
   * @param publicKey the SSH public key
   * @param insecure whether to skip the server's host key check
   */
  public record GitRepo(String url, String path, String branch, boolean branchOnly, String username,
      String password, String privateKey, String publicKey, boolean insecure) {
    /** The value of an absent key. */
    public static final GitRepo NONE = new GitRepo("", "", "", false, "", "", "", "", false);

    /** Normalises absent text to the empty string and copies lists; checks modes. */
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

  /**
   * An entity ({@code user}, {@code shadow}, {@code group}, {@code gshadow}) to ensure or delete; {@code entity} is YAML text.
   *
   * @param path the file to edit; empty for the entity kind's usual file
   * @param entity the entity as YAML text
   */
  public record EntityEdit(String path, String entity) {
    /** Normalises absent text to the empty string and copies lists; checks modes. */
    public EntityEdit {
      path = text(path);
      entity = text(entity);
    }
  }

  /**
   * The {@code dns} key: a resolv.conf to write. Nothing happens without nameservers.
   *
   * @param nameservers the {@code nameserver} lines
   * @param search the {@code search} domains
   * @param options the {@code options} values
   * @param path the file to write; empty for {@code /etc/resolv.conf}
   */
  public record Dns(List<String> nameservers, List<String> search, List<String> options, String path) {
    /** The value of an absent key. */
    public static final Dns NONE = new Dns(List.of(), List.of(), List.of(), "");

    /** Normalises absent text to the empty string and copies lists; checks modes. */
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
   *
   * @param name the user name
   * @param passwd a crypt hash (starting with {@code $}), a plain password (hashed with SHA-512 crypt), or empty
   * @param lockPasswd whether to lock the password ({@code !} in the shadow file)
   * @param uid the numeric user id, as text; empty for the owner of an existing home directory, else the lowest free id
   * @param homedir the home directory; empty for {@code HOME} of the image's useradd defaults plus the name
   * @param shell the login shell; empty for {@code SHELL} of the image's useradd defaults, else {@code /bin/sh}
   * @param gecos the GECOS (full name) field; empty for {@code Created by entities}
   * @param primaryGroup an existing group to make primary; empty for a group named after the user
   * @param groups further groups to add the user to (those the image does not have are passed over)
   * @param noCreateHome whether not to create the home directory
   * @param sshAuthorizedKeys keys for the user's {@code authorized_keys}
   * @param system a system user (parsed, ignored)
   * @param noUserGroup no group named after the user (parsed, ignored)
   * @param noLogInit no lastlog/faillog entries (parsed, ignored)
   */
  public record User(String name, String passwd, boolean lockPasswd, String uid, String homedir, String shell,
      String gecos, String primaryGroup, List<String> groups, boolean noCreateHome,
      List<String> sshAuthorizedKeys, boolean system, boolean noUserGroup, boolean noLogInit) {
    /** Normalises absent text to the empty string and copies lists; checks modes. */
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

  /**
   * A systemd drop-in ({@code systemctl.overrides} entry).
   *
   * @param service the unit it applies to; a bare name means {@code .service}
   * @param name the drop-in's file name ({@code .conf} added when missing); empty for {@code override-yip.conf}
   * @param content the drop-in's text
   */
  public record UnitOverride(String service, String name, String content) {
    /** Normalises absent text to the empty string and copies lists; checks modes. */
    public UnitOverride {
      service = text(service);
      name = text(name);
      content = text(content);
    }
  }

  /**
   * The {@code systemctl} key.
   *
   * @param enable units to enable
   * @param disable units to disable
   * @param start units to start (not applicable at build time, only noted)
   * @param mask units to mask
   * @param overrides drop-ins to write
   */
  public record Systemctl(List<String> enable, List<String> disable, List<String> start, List<String> mask,
      List<UnitOverride> overrides) {
    /** The value of an absent key. */
    public static final Systemctl NONE = new Systemctl(List.of(), List.of(), List.of(), List.of(), List.of());

    /** Normalises absent text to the empty string and copies lists; checks modes. */
    public Systemctl {
      enable = List.copyOf(enable);
      disable = List.copyOf(disable);
      start = List.copyOf(start);
      mask = List.copyOf(mask);
      overrides = List.copyOf(overrides);
    }

    /** Whether the key is absent or sets nothing. */
    public boolean isEmpty() {
      return enable.isEmpty() && disable.isEmpty() && start.isEmpty() && mask.isEmpty() && overrides.isEmpty();
    }
  }

  /**
   * The {@code datasource} key; only meaningful on a running machine.
   *
   * @param providers where to look for user data, such as {@code cdrom} or {@code aws}
   * @param path the directory the user data is written to
   * @param userdataName the file name of the user data
   */
  public record Datasource(List<String> providers, String path, String userdataName) {
    /** The value of an absent key. */
    public static final Datasource NONE = new Datasource(List.of(), "", "");

    /** Normalises absent text to the empty string and copies lists; checks modes. */
    public Datasource {
      providers = List.copyOf(providers);
      path = text(path);
      userdataName = text(userdataName);
    }

    /** Whether the key is absent or sets nothing. */
    public boolean isEmpty() {
      return providers.isEmpty() && path.isEmpty() && userdataName.isEmpty();
    }
  }

  /**
   * A partition to add ({@code layout.add_partitions} entry); sizes in MiB, 0 = the rest.
   *
   * @param fsLabel the file system's label
   * @param pLabel the partition's label
   * @param size the size in MiB; 0 for the rest of the disk
   * @param filesystem the file system to make, e.g. {@code ext4}
   * @param bootable whether to set the bootable flag
   */
  public record Partition(String fsLabel, String pLabel, long size, String filesystem, boolean bootable) {
    /** Normalises absent text to the empty string and copies lists; checks modes. */
    public Partition {
      fsLabel = text(fsLabel);
      pLabel = text(pLabel);
      filesystem = text(filesystem);
    }
  }

  /**
   * The {@code layout} key: disk partitioning, only meaningful on a running machine.
   * {@code expandPartition} is empty when the key is absent, else the size in MiB (0 = all).
   *
   * @param devicePath the disk, by path
   * @param deviceLabel the disk, found by the label of one of its partitions
   * @param initDisk whether to write a new partition table
   * @param diskName the {@code disk_name} key of {@code layout.device}
   * @param expandPartition the size in MiB to grow the last partition to (0 = all); empty when the key is absent
   * @param addPartitions partitions to add, in order
   */
  public record Layout(String devicePath, String deviceLabel, boolean initDisk, String diskName,
      Optional<Long> expandPartition, List<Partition> addPartitions) {
    /** The value of an absent key. */
    public static final Layout NONE = new Layout("", "", false, "", Optional.empty(), List.of());

    /** Normalises absent text to the empty string and copies lists; checks modes. */
    public Layout {
      devicePath = text(devicePath);
      deviceLabel = text(deviceLabel);
      diskName = text(diskName);
      Objects.requireNonNull(expandPartition, "expandPartition");
      addPartitions = List.copyOf(addPartitions);
    }

    /** Whether the key is absent or sets nothing. */
    public boolean isEmpty() {
      return devicePath.isEmpty() && deviceLabel.isEmpty() && expandPartition.isEmpty() && addPartitions.isEmpty();
    }
  }

  /**
   * The {@code packages} key. Nothing happens unless install or remove is non-empty or refresh is set.
   *
   * @param install packages to install
   * @param remove packages to remove
   * @param refresh whether to refresh the package lists first
   * @param upgrade whether to upgrade (does nothing alone, as in yip)
   */
  public record Packages(List<String> install, List<String> remove, boolean refresh, boolean upgrade) {
    /** The value of an absent key. */
    public static final Packages NONE = new Packages(List.of(), List.of(), false, false);

    /** Normalises absent text to the empty string and copies lists; checks modes. */
    public Packages {
      install = List.copyOf(install);
      remove = List.copyOf(remove);
    }

    /** Whether yip would do anything: {@code upgrade} alone does nothing (yip's rule). */
    public boolean isActive() {
      return !install.isEmpty() || !remove.isEmpty() || refresh;
    }
  }

  /**
   * An image to unpack ({@code unpack_images} entry); not applicable at build time.
   *
   * @param source the image reference
   * @param target the directory to unpack it into
   * @param platform the platform to pick, e.g. {@code linux/amd64}; empty for the running machine's
   */
  public record ImageUnpack(String source, String target, String platform) {
    /** Normalises absent text to the empty string and copies lists; checks modes. */
    public ImageUnpack {
      source = text(source);
      target = text(target);
      platform = text(platform);
    }
  }

  /** Copies every collection (maps sorted by key) and refuses {@code null} anywhere. */
  public YipStep {
    Objects.requireNonNull(name, "name");
    after = List.copyOf(Objects.requireNonNull(after, "after"));
    Objects.requireNonNull(ifCommand, "if");
    Objects.requireNonNull(node, "node");
    Objects.requireNonNull(onlyOs, "only_os");
    Objects.requireNonNull(onlyOsVersion, "only_os_version");
    Objects.requireNonNull(onlyArch, "only_arch");
    Objects.requireNonNull(onlyServiceManager, "only_service_manager");
    ifFiles = sorted(ifFiles, List::copyOf, "if_files");
    files = List.copyOf(Objects.requireNonNull(files, "files"));
    directories = List.copyOf(Objects.requireNonNull(directories, "directories"));
    downloads = List.copyOf(Objects.requireNonNull(downloads, "downloads"));
    Objects.requireNonNull(git, "git");
    commands = List.copyOf(Objects.requireNonNull(commands, "commands"));
    ensureEntities = List.copyOf(Objects.requireNonNull(ensureEntities, "ensure_entities"));
    deleteEntities = List.copyOf(Objects.requireNonNull(deleteEntities, "delete_entities"));
    Objects.requireNonNull(dns, "dns");
    Objects.requireNonNull(hostname, "hostname");
    sysctl = sorted(sysctl, v -> v, "sysctl");
    users = sorted(users, v -> v, "users");
    users = named(users);
    authorizedKeys = sorted(authorizedKeys, List::copyOf, "authorized_keys");
    modules = List.copyOf(Objects.requireNonNull(modules, "modules"));
    timesyncd = sorted(timesyncd, v -> v, "timesyncd");
    Objects.requireNonNull(systemctl, "systemctl");
    environment = sorted(environment, v -> v, "environment");
    Objects.requireNonNull(environmentFile, "environment_file");
    systemdFirstboot = sorted(systemdFirstboot, v -> v, "systemd_firstboot");
    Objects.requireNonNull(datasource, "datasource");
    Objects.requireNonNull(layout, "layout");
    packagePins = sorted(packagePins, v -> v, "package_pins");
    Objects.requireNonNull(packages, "packages");
    unpackImages = List.copyOf(Objects.requireNonNull(unpackImages, "unpack_images"));
    Objects.requireNonNull(location, "location");
  }

  private static void checkMode(int mode) {
    if (mode < 0 || mode > 07777) {
      throw new IllegalArgumentException("permissions must be within 0..07777, got 0" + Integer.toOctalString(mode));
    }
  }

  private static String text(String s) {
    return s == null ? "" : s;
  }

  /** A sorted, unmodifiable copy with each value copied by {@code copy}; null keys and values are refused. */
  private static <V> Map<String, V> sorted(Map<String, V> m, UnaryOperator<V> copy, String what) {
    TreeMap<String, V> out = new TreeMap<>();
    Objects.requireNonNull(m, what).forEach((k, v) -> out.put(Objects.requireNonNull(k, what + " key"),
        copy.apply(Objects.requireNonNull(v, what + " value of " + k))));
    return Collections.unmodifiableMap(out);
  }

  /** Each user under its map key as its name (the key is what yip uses). */
  private static Map<String, User> named(Map<String, User> users) {
    TreeMap<String, User> out = new TreeMap<>();
    users.forEach((k, v) -> out.put(k, v.name().equals(k) ? v : new User(k, v.passwd(), v.lockPasswd(), v.uid(),
        v.homedir(), v.shell(), v.gecos(), v.primaryGroup(), v.groups(), v.noCreateHome(), v.sshAuthorizedKeys(),
        v.system(), v.noUserGroup(), v.noLogInit())));
    return Collections.unmodifiableMap(out);
  }

  /** A builder with every key absent (its zero value). */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding this step's values. */
  public Builder toBuilder() {
    return new Builder(this);
  }

  @Override
  public String toString() {
    return "YipStep[" + (name.isEmpty() ? "<unnamed>" : name) + " at " + location + "]";
  }

  /** Builds a {@link YipStep}; {@code null} is refused at once, collections are copied by {@link #build()}. */
  public static final class Builder {
    private String name = "";
    private List<String> after = List.of();
    private String ifCommand = "";
    private String node = "";
    private String onlyOs = "";
    private String onlyOsVersion = "";
    private String onlyArch = "";
    private String onlyServiceManager = "";
    private Map<String, List<String>> ifFiles = Map.of();
    private List<FileEntry> files = List.of();
    private List<DirectoryEntry> directories = List.of();
    private List<Download> downloads = List.of();
    private GitRepo git = GitRepo.NONE;
    private List<String> commands = List.of();
    private List<EntityEdit> ensureEntities = List.of();
    private List<EntityEdit> deleteEntities = List.of();
    private Dns dns = Dns.NONE;
    private String hostname = "";
    private Map<String, String> sysctl = Map.of();
    private Map<String, User> users = Map.of();
    private Map<String, List<String>> authorizedKeys = Map.of();
    private List<String> modules = List.of();
    private Map<String, String> timesyncd = Map.of();
    private Systemctl systemctl = Systemctl.NONE;
    private Map<String, String> environment = Map.of();
    private String environmentFile = "";
    private Map<String, String> systemdFirstboot = Map.of();
    private Datasource datasource = Datasource.NONE;
    private Layout layout = Layout.NONE;
    private Map<String, String> packagePins = Map.of();
    private Packages packages = Packages.NONE;
    private List<ImageUnpack> unpackImages = List.of();
    private YipLocation location = YipLocation.NONE;

    private Builder() {}

    private Builder(YipStep s) {
      name = s.name;
      after = s.after;
      ifCommand = s.ifCommand;
      node = s.node;
      onlyOs = s.onlyOs;
      onlyOsVersion = s.onlyOsVersion;
      onlyArch = s.onlyArch;
      onlyServiceManager = s.onlyServiceManager;
      ifFiles = s.ifFiles;
      files = s.files;
      directories = s.directories;
      downloads = s.downloads;
      git = s.git;
      commands = s.commands;
      ensureEntities = s.ensureEntities;
      deleteEntities = s.deleteEntities;
      dns = s.dns;
      hostname = s.hostname;
      sysctl = s.sysctl;
      users = s.users;
      authorizedKeys = s.authorizedKeys;
      modules = s.modules;
      timesyncd = s.timesyncd;
      systemctl = s.systemctl;
      environment = s.environment;
      environmentFile = s.environmentFile;
      systemdFirstboot = s.systemdFirstboot;
      datasource = s.datasource;
      layout = s.layout;
      packagePins = s.packagePins;
      packages = s.packages;
      unpackImages = s.unpackImages;
      location = s.location;
    }

    /** Sets {@code name}: names the step in identifiers ({@code <doc>.<name>}) and in {@code after:} references. */
    public Builder name(String v) {
      name = Objects.requireNonNull(v, "name");
      return this;
    }

    /** Sets {@code after}: identifiers of steps (same source) that must run before this one. */
    public Builder after(List<String> v) {
      after = Objects.requireNonNull(v, "after");
      return this;
    }

    /** Sets {@code if}: a shell condition; the step runs only if it exits 0. */
    public Builder ifCommand(String v) {
      ifCommand = Objects.requireNonNull(v, "if");
      return this;
    }

    /** Sets {@code node}: RE2 regex on the hostname. */
    public Builder node(String v) {
      node = Objects.requireNonNull(v, "node");
      return this;
    }

    /** Sets {@code only_os}: RE2 regex on os-release {@code PRETTY_NAME}. */
    public Builder onlyOs(String v) {
      onlyOs = Objects.requireNonNull(v, "only_os");
      return this;
    }

    /** Sets {@code only_os_version}: RE2 regex on os-release {@code VERSION_ID}. */
    public Builder onlyOsVersion(String v) {
      onlyOsVersion = Objects.requireNonNull(v, "only_os_version");
      return this;
    }

    /** Sets {@code only_arch}: RE2 regex on the Go architecture name ({@code amd64}, {@code arm64}). */
    public Builder onlyArch(String v) {
      onlyArch = Objects.requireNonNull(v, "only_arch");
      return this;
    }

    /** Sets {@code only_service_manager}: {@code systemd} or {@code openrc}. */
    public Builder onlyServiceManager(String v) {
      onlyServiceManager = Objects.requireNonNull(v, "only_service_manager");
      return this;
    }

    /** Sets {@code if_files}: check name ({@code all}, {@code any}, {@code none}) to paths, sorted by check. */
    public Builder ifFiles(Map<String, List<String>> v) {
      ifFiles = Objects.requireNonNull(v, "if_files");
      return this;
    }

    /** Sets {@code files}: files to write. */
    public Builder files(List<FileEntry> v) {
      files = Objects.requireNonNull(v, "files");
      return this;
    }

    /** Sets {@code directories}: directories to create or chmod. */
    public Builder directories(List<DirectoryEntry> v) {
      directories = Objects.requireNonNull(v, "directories");
      return this;
    }

    /** Sets {@code downloads}: files to fetch (not applicable at build time). */
    public Builder downloads(List<Download> v) {
      downloads = Objects.requireNonNull(v, "downloads");
      return this;
    }

    /** Sets {@code git}: a checkout, {@link GitRepo#NONE} when absent (not applicable at build time). */
    public Builder git(GitRepo v) {
      git = Objects.requireNonNull(v, "git");
      return this;
    }

    /** Sets {@code commands}: shell commands, run in order. */
    public Builder commands(List<String> v) {
      commands = Objects.requireNonNull(v, "commands");
      return this;
    }

    /** Sets {@code ensure_entities}: entities to create or update. */
    public Builder ensureEntities(List<EntityEdit> v) {
      ensureEntities = Objects.requireNonNull(v, "ensure_entities");
      return this;
    }

    /** Sets {@code delete_entities}: entities to remove. */
    public Builder deleteEntities(List<EntityEdit> v) {
      deleteEntities = Objects.requireNonNull(v, "delete_entities");
      return this;
    }

    /** Sets {@code dns}: a resolv.conf to write, {@link Dns#NONE} when absent. */
    public Builder dns(Dns v) {
      dns = Objects.requireNonNull(v, "dns");
      return this;
    }

    /** Sets {@code hostname}: a template for the host name; empty leaves it. */
    public Builder hostname(String v) {
      hostname = Objects.requireNonNull(v, "hostname");
      return this;
    }

    /** Sets {@code sysctl}: kernel parameters, sorted by key. */
    public Builder sysctl(Map<String, String> v) {
      sysctl = Objects.requireNonNull(v, "sysctl");
      return this;
    }

    /** Sets {@code users}: sorted by name (yip processes them in that order, so allocated ids are stable); each user carries its key as name. */
    public Builder users(Map<String, User> v) {
      users = Objects.requireNonNull(v, "users");
      return this;
    }

    /** Sets {@code authorized_keys}: user to keys, sorted by user. */
    public Builder authorizedKeys(Map<String, List<String>> v) {
      authorizedKeys = Objects.requireNonNull(v, "authorized_keys");
      return this;
    }

    /** Sets {@code modules}: kernel modules to load. */
    public Builder modules(List<String> v) {
      modules = Objects.requireNonNull(v, "modules");
      return this;
    }

    /** Sets {@code timesyncd}: settings of systemd-timesyncd, sorted by key. */
    public Builder timesyncd(Map<String, String> v) {
      timesyncd = Objects.requireNonNull(v, "timesyncd");
      return this;
    }

    /** Sets {@code systemctl}: units to enable, disable, start, mask or override. */
    public Builder systemctl(Systemctl v) {
      systemctl = Objects.requireNonNull(v, "systemctl");
      return this;
    }

    /** Sets {@code environment}: variables for the environment file, sorted by name. */
    public Builder environment(Map<String, String> v) {
      environment = Objects.requireNonNull(v, "environment");
      return this;
    }

    /** Sets {@code environment_file}: where {@code environment} goes; empty means {@code /etc/environment}. */
    public Builder environmentFile(String v) {
      environmentFile = Objects.requireNonNull(v, "environment_file");
      return this;
    }

    /** Sets {@code systemd_firstboot}: options of systemd-firstboot, sorted by name. */
    public Builder systemdFirstboot(Map<String, String> v) {
      systemdFirstboot = Objects.requireNonNull(v, "systemd_firstboot");
      return this;
    }

    /** Sets {@code datasource}: only meaningful on a running machine. */
    public Builder datasource(Datasource v) {
      datasource = Objects.requireNonNull(v, "datasource");
      return this;
    }

    /** Sets {@code layout}: disk partitioning, only meaningful on a running machine. */
    public Builder layout(Layout v) {
      layout = Objects.requireNonNull(v, "layout");
      return this;
    }

    /** Sets {@code package_pins}: package to version, sorted by package. */
    public Builder packagePins(Map<String, String> v) {
      packagePins = Objects.requireNonNull(v, "package_pins");
      return this;
    }

    /** Sets {@code packages}: packages to install or remove. */
    public Builder packages(Packages v) {
      packages = Objects.requireNonNull(v, "packages");
      return this;
    }

    /** Sets {@code unpack_images}: images to unpack (not applicable at build time). */
    public Builder unpackImages(List<ImageUnpack> v) {
      unpackImages = Objects.requireNonNull(v, "unpack_images");
      return this;
    }

    /** Sets where the step was written ({@link YipLocation#NONE} for steps built in code). */
    public Builder location(YipLocation v) {
      location = Objects.requireNonNull(v, "location");
      return this;
    }

    /** The step, with its own copies of every collection. */
    public YipStep build() {
      return new YipStep(name, after, ifCommand, node, onlyOs, onlyOsVersion, onlyArch, onlyServiceManager, ifFiles, files, directories, downloads, git, commands, ensureEntities, deleteEntities, dns, hostname, sysctl, users, authorizedKeys, modules, timesyncd, systemctl, environment, environmentFile, systemdFirstboot, datasource, layout, packagePins, packages, unpackImages, location);
    }
  }
}
