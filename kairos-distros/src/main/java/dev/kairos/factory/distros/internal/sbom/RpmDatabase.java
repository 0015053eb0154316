package dev.kairos.factory.distros.internal.sbom;

import dev.kairos.factory.core.api.InvalidInputException;
import dev.kairos.factory.core.api.fs.ImagePath;
import dev.kairos.factory.core.api.fs.RootFs;
import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * rpm's SQLite database ({@code rpmdb.sqlite}, rpm 4.16+: Fedora 33+, RHEL 9+, openSUSE): the
 * {@code Packages} table holds one header blob per installed package, decoded by
 * {@link RpmHeader}. The file is opened read-only and immutable, so SQLite writes nothing into
 * the image (no journal, no WAL, no lock). The older Berkeley DB and NDB formats are not read.
 */
final class RpmDatabase {
  /** Where rpm keeps it: the newer location first. */
  static final List<ImagePath> LOCATIONS = List.of(
      ImagePath.of("/usr/lib/sysimage/rpm/rpmdb.sqlite"), ImagePath.of("/var/lib/rpm/rpmdb.sqlite"));

  private RpmDatabase() {}

  static Optional<ImagePath> find(RootFs root) throws IOException {
    for (ImagePath p : LOCATIONS) {
      if (root.isRegularFile(p)) {
        return Optional.of(p);
      }
    }
    return Optional.empty();
  }

  static List<Pkg> read(RootFs root, ImagePath db, Distro distro) throws IOException {
    Limits.checkSize(root, db, Limits.MAX_DATABASE_BYTES);
    Path file = root.hostPath(db, true);
    if (file.getFileSystem() != FileSystems.getDefault()) {
      throw new InvalidInputException(db.toString(), "an rpm database can only be read from a root on the default file system");
    }
    String url = "jdbc:sqlite:file:" + file.toAbsolutePath().toUri().getRawPath() + "?mode=ro&immutable=1";
    List<Pkg> out = new ArrayList<>();
    try (Connection c = DriverManager.getConnection(url);
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT hnum, blob FROM Packages ORDER BY hnum")) {
      while (rs.next()) {
        String source = db + " (Packages " + rs.getLong(1) + ")";
        out.add(toPkg(source, RpmHeader.parse(source, rs.getBytes(2)), distro));
        Limits.checkCount(db.toString(), out.size());
      }
    } catch (SQLException e) {
      throw new InvalidInputException(db.toString(), "not a readable rpm SQLite database: " + e.getMessage());
    }
    return out;
  }

  private static Pkg toPkg(String source, RpmHeader h, Distro distro) throws IOException {
    String name = h.string(RpmHeader.NAME).orElseThrow(() -> new InvalidInputException(source, "header without a name"));
    String version = h.string(RpmHeader.VERSION).orElse("");
    String release = h.string(RpmHeader.RELEASE).orElse("");
    Optional<Integer> epoch = h.int32(RpmHeader.EPOCH);
    String arch = h.string(RpmHeader.ARCH).orElse("");
    String vr = release.isEmpty() ? version : version + "-" + release;
    Map<String, String> q = new TreeMap<>();
    q.put("arch", arch);
    q.put("distro", distro.qualifier());
    epoch.ifPresent(e -> q.put("epoch", Integer.toString(e)));
    String purl = Purls.of(source, "rpm", distro.namespace(), name, vr, q);
    Optional<String> supplier = h.string(RpmHeader.VENDOR).or(() -> stringOrEmpty(h, RpmHeader.PACKAGER));
    List<String> requires = new ArrayList<>();
    for (String r : h.strings(RpmHeader.REQUIRENAME)) {
      if (!r.startsWith("rpmlib(")) {
        requires.add(r);
      }
    }
    return new Pkg(name, epoch.map(e -> e + ":" + vr).orElse(vr), arch, h.string(RpmHeader.LICENSE), supplier, purl,
        h.strings(RpmHeader.PROVIDENAME), requires);
  }

  private static Optional<String> stringOrEmpty(RpmHeader h, int tag) {
    try {
      return h.string(tag);
    } catch (InvalidInputException e) {
      return Optional.empty();
    }
  }
}
