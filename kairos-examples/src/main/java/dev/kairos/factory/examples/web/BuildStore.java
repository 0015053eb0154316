package dev.kairos.factory.examples.web;

import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The server's builds, their events and artifacts, in one SQLite database ({@code DATA/factory.db}).
 * The schema is versioned: {@link #MIGRATIONS} are applied in order, each once, in a transaction,
 * and {@code schema_version} records how far a database has come. One connection, used under this
 * object's lock: the server's writes are few and small.
 */
final class BuildStore implements AutoCloseable {
  /** Schema versions 1, 2, ...: never edit one that has shipped, add the next. */
  static final List<String[]> MIGRATIONS = List.<String[]>of(new String[] {
      "CREATE TABLE builds (id TEXT PRIMARY KEY, seq INTEGER NOT NULL UNIQUE, state TEXT NOT NULL,"
          + " request TEXT NOT NULL, created TEXT NOT NULL, started TEXT, finished TEXT, exit_code INTEGER,"
          + " result TEXT)",
      "CREATE INDEX builds_state ON builds (state, seq)",
      "CREATE TABLE events (build_id TEXT NOT NULL, seq INTEGER NOT NULL, type TEXT NOT NULL, data TEXT NOT NULL,"
          + " at TEXT NOT NULL, PRIMARY KEY (build_id, seq))",
      "CREATE TABLE artifacts (build_id TEXT NOT NULL, name TEXT NOT NULL, kind TEXT NOT NULL, file TEXT NOT NULL,"
          + " size INTEGER NOT NULL, sha256 TEXT NOT NULL, PRIMARY KEY (build_id, name))",
  });

  /** A build as stored. */
  record Build(String id, String state, String request, Instant created, Instant started, Instant finished,
      Integer exitCode, String result) {
    boolean finishedState() {
      return !state.equals("queued") && !state.equals("running");
    }
  }

  /** A progress event of a build, numbered from 1 in the order it happened. */
  record Event(long seq, String type, String data, Instant at) {}

  /** A file a build wrote; {@code file} is relative to the build's directory. */
  record ArtifactRow(String name, String kind, String file, long size, String sha256) {}

  private final Connection db;

  private BuildStore(Connection db) {
    this.db = db;
  }

  /** Opens (creating if needed) and migrates the database in {@code data}. */
  static BuildStore open(Path data) throws IOException {
    try {
      Connection c = DriverManager.getConnection("jdbc:sqlite:" + data.resolve("factory.db"));
      try (Statement s = c.createStatement()) {
        s.execute("PRAGMA journal_mode=WAL");
        s.execute("PRAGMA synchronous=FULL");
        s.execute("PRAGMA busy_timeout=5000");
      }
      BuildStore store = new BuildStore(c);
      store.migrate();
      return store;
    } catch (SQLException e) {
      throw new IOException("cannot open the build database in " + data + ": " + e.getMessage(), e);
    }
  }

  /** The schema version of the database. */
  synchronized int schemaVersion() throws IOException {
    return sql(() -> {
      try (Statement s = db.createStatement()) {
        s.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)");
        try (ResultSet r = s.executeQuery("SELECT MAX(version) FROM schema_version")) {
          return r.next() ? r.getInt(1) : 0;
        }
      }
    });
  }

  private synchronized void migrate() throws IOException {
    int at = schemaVersion();
    if (at > MIGRATIONS.size()) {
      throw new IOException("the build database has schema version " + at + ", newer than this server's "
          + MIGRATIONS.size() + ": use a newer kairos-factory");
    }
    for (int v = at + 1; v <= MIGRATIONS.size(); v++) {
      int version = v;
      transaction(() -> {
        try (Statement s = db.createStatement()) {
          for (String statement : MIGRATIONS.get(version - 1)) {
            s.execute(statement);
          }
          s.execute("INSERT INTO schema_version (version) VALUES (" + version + ")");
        }
        return null;
      });
    }
  }

  /** Adds a queued build. */
  synchronized void add(String id, String request, Instant created) throws IOException {
    update("INSERT INTO builds (id, seq, state, request, created) VALUES (?, (SELECT COALESCE(MAX(seq), 0) + 1"
        + " FROM builds), 'queued', ?, ?)", id, request, created.toString());
  }

  synchronized void started(String id, Instant at) throws IOException {
    update("UPDATE builds SET state = 'running', started = ? WHERE id = ?", at.toString(), id);
  }

  /** Records the end of a build: its final state, the exit code of its process and its result document. */
  synchronized void finished(String id, String state, Instant at, Integer exitCode, String result) throws IOException {
    update("UPDATE builds SET state = ?, finished = ?, exit_code = ?, result = ? WHERE id = ?", state, at.toString(),
        exitCode, result, id);
  }

  /** Marks builds that were running when the server stopped as interrupted; returns their ids. */
  synchronized List<String> interruptRunning(Instant at) throws IOException {
    List<String> ids = new ArrayList<>();
    for (Build b : list("running", Integer.MAX_VALUE, 0)) {
      ids.add(b.id());
      finished(b.id(), "interrupted", at, null, null);
    }
    return ids;
  }

  synchronized Optional<Build> get(String id) throws IOException {
    List<Build> found = query("SELECT * FROM builds WHERE id = ?", id);
    return found.stream().findFirst();
  }

  /** Builds newest first, those in {@code state} only if it is not null. */
  synchronized List<Build> list(String state, int limit, int offset) throws IOException {
    return state == null
        ? query("SELECT * FROM builds ORDER BY seq DESC LIMIT ? OFFSET ?", limit, offset)
        : query("SELECT * FROM builds WHERE state = ? ORDER BY seq DESC LIMIT ? OFFSET ?", state, limit, offset);
  }

  /** Queued builds, oldest first: the order they run in. */
  synchronized List<Build> queued() throws IOException {
    return query("SELECT * FROM builds WHERE state = 'queued' ORDER BY seq");
  }

  synchronized int count(String state) throws IOException {
    return sql(() -> {
      try (PreparedStatement p = db.prepareStatement(state == null ? "SELECT COUNT(*) FROM builds"
          : "SELECT COUNT(*) FROM builds WHERE state = ?")) {
        if (state != null) {
          p.setString(1, state);
        }
        try (ResultSet r = p.executeQuery()) {
          r.next();
          return r.getInt(1);
        }
      }
    });
  }

  /** Appends an event to a build; returns its number. */
  synchronized long addEvent(String id, String type, String data, Instant at) throws IOException {
    return transaction(() -> {
      long seq;
      try (PreparedStatement p = db.prepareStatement("SELECT COALESCE(MAX(seq), 0) + 1 FROM events WHERE build_id = ?")) {
        p.setString(1, id);
        try (ResultSet r = p.executeQuery()) {
          r.next();
          seq = r.getLong(1);
        }
      }
      update("INSERT INTO events (build_id, seq, type, data, at) VALUES (?, ?, ?, ?, ?)", id, seq, type, data,
          at.toString());
      return seq;
    });
  }

  /** The events of a build after number {@code after}, in order. */
  synchronized List<Event> events(String id, long after) throws IOException {
    return sql(() -> {
      try (PreparedStatement p = db.prepareStatement(
          "SELECT seq, type, data, at FROM events WHERE build_id = ? AND seq > ? ORDER BY seq")) {
        p.setString(1, id);
        p.setLong(2, after);
        List<Event> out = new ArrayList<>();
        try (ResultSet r = p.executeQuery()) {
          while (r.next()) {
            out.add(new Event(r.getLong(1), r.getString(2), r.getString(3), Instant.parse(r.getString(4))));
          }
        }
        return out;
      }
    });
  }

  synchronized void addArtifact(String id, ArtifactRow a) throws IOException {
    update("INSERT INTO artifacts (build_id, name, kind, file, size, sha256) VALUES (?, ?, ?, ?, ?, ?)", id, a.name(),
        a.kind(), a.file(), a.size(), a.sha256());
  }

  synchronized List<ArtifactRow> artifacts(String id) throws IOException {
    return sql(() -> {
      try (PreparedStatement p = db.prepareStatement(
          "SELECT name, kind, file, size, sha256 FROM artifacts WHERE build_id = ? ORDER BY name")) {
        p.setString(1, id);
        List<ArtifactRow> out = new ArrayList<>();
        try (ResultSet r = p.executeQuery()) {
          while (r.next()) {
            out.add(new ArtifactRow(r.getString(1), r.getString(2), r.getString(3), r.getLong(4), r.getString(5)));
          }
        }
        return out;
      }
    });
  }

  @Override
  public synchronized void close() throws IOException {
    sql(() -> {
      db.close();
      return null;
    });
  }

  private List<Build> query(String sql, Object... args) throws IOException {
    return sql(() -> {
      try (PreparedStatement p = db.prepareStatement(sql)) {
        bind(p, args);
        List<Build> out = new ArrayList<>();
        try (ResultSet r = p.executeQuery()) {
          while (r.next()) {
            int exit = r.getInt("exit_code");
            Integer exitCode = r.wasNull() ? null : exit;
            out.add(new Build(r.getString("id"), r.getString("state"), r.getString("request"),
                instant(r.getString("created")), instant(r.getString("started")), instant(r.getString("finished")),
                exitCode, r.getString("result")));
          }
        }
        return out;
      }
    });
  }

  private static Instant instant(String s) {
    return s == null ? null : Instant.parse(s);
  }

  private void update(String sql, Object... args) throws IOException {
    sql(() -> {
      try (PreparedStatement p = db.prepareStatement(sql)) {
        bind(p, args);
        p.executeUpdate();
        return null;
      }
    });
  }

  private static void bind(PreparedStatement p, Object... args) throws SQLException {
    for (int i = 0; i < args.length; i++) {
      p.setObject(i + 1, args[i]);
    }
  }

  private interface Sql<T> {
    T run() throws SQLException, IOException;
  }

  private <T> T transaction(Sql<T> work) throws IOException {
    return sql(() -> {
      db.setAutoCommit(false);
      try {
        T t = work.run();
        db.commit();
        return t;
      } catch (SQLException | IOException | RuntimeException e) {
        db.rollback();
        throw e;
      } finally {
        db.setAutoCommit(true);
      }
    });
  }

  private static <T> T sql(Sql<T> work) throws IOException {
    try {
      return work.run();
    } catch (SQLException e) {
      throw new IOException("build database: " + e.getMessage(), e);
    }
  }
}
