package dev.kairos.factory.examples.web;

import dev.kairos.factory.core.api.Step;
import dev.kairos.factory.core.api.io.ScratchDirectory;
import dev.kairos.factory.core.api.distro.Architecture;
import dev.kairos.factory.core.api.distro.Model;
import dev.kairos.factory.core.api.yip.YipDiagnostic;
import dev.kairos.factory.examples.cli.KairosFactoryCli;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.javalin.http.staticfiles.Location;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;

/**
 * The Factory server: the REST API under {@code /api/v1}, its OpenAPI document at
 * {@code /openapi.json} with a Swagger UI page at {@code /docs} (from its WebJar, no CDN), and the
 * web page from the classpath folder {@code static/} beside this class, on Javalin (Jetty).
 */
final class FactoryServer implements AutoCloseable {
  /** The classpath folder of the web page ({@code index.html} at {@code /}). */
  static final String STATIC = "/dev/kairos/factory/examples/web/static";
  /** Largest request body accepted (a build request with its stage extensions). */
  static final long MAX_BODY = 1024 * 1024;
  static final List<String> STATES = List.of("queued", "running", "succeeded", "failed", "cancelled", "interrupted");
  private static final Pattern ID = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
  /** Bases the form offers; any other source the CLI takes is accepted too. */
  static final List<String> BASES = List.of("debootstrap:bookworm", "docker.io/library/debian:bookworm",
      "docker.io/library/ubuntu:24.04", "docker.io/library/ubuntu:22.04", "quay.io/fedora/fedora:40",
      "docker.io/rockylinux/rockylinux:9", "docker.io/almalinux/almalinux:9",
      "registry.opensuse.org/opensuse/leap:15.6", "docker.io/library/alpine:3.20");

  private final Javalin app;
  private final BuildStore store;
  private final Builds builds;
  private final Path data;
  private final byte[] token;
  private final int maxConcurrent;

  private FactoryServer(Path data, byte[] token, int maxConcurrent, int maxQueued) throws IOException {
    this.data = data;
    this.token = token;
    this.maxConcurrent = maxConcurrent;
    Files.createDirectories(data);
    this.store = BuildStore.open(data);
    try {
      this.builds = new Builds(store, data, maxConcurrent, maxQueued);
    } catch (IOException | RuntimeException e) {
      store.close();
      throw e;
    }
    this.app = Javalin.create(config -> {
      config.showJavalinBanner = false;
      config.startupWatcherEnabled = false;
      config.http.maxRequestSize = MAX_BODY;
      config.staticFiles.enableWebjars();
      config.staticFiles.add(s -> {
        s.hostedPath = "/";
        s.directory = STATIC;
        s.location = Location.CLASSPATH;
      });
    });
    routes();
  }

  /**
   * Starts a server on {@code host:port} (port 0: any free one) with its database and builds in
   * {@code data}; with a {@code token}, every API call must carry it as a bearer token.
   */
  static FactoryServer start(Path data, String host, int port, String token, int maxConcurrent, int maxQueued)
      throws IOException {
    FactoryServer s = new FactoryServer(data, token == null ? null : token.getBytes(StandardCharsets.UTF_8),
        maxConcurrent, maxQueued);
    try {
      s.app.start(host, port);
    } catch (RuntimeException e) {
      s.close();
      throw new IOException("cannot listen on " + host + ":" + port + ": " + e.getMessage(), e);
    }
    return s;
  }

  int port() {
    return app.port();
  }

  private void routes() {
    app.before("/api/*", this::authorize);
    app.exception(ApiError.class, (e, ctx) -> {
      if (e.status == 429) {
        ctx.header("Retry-After", "30");
      }
      if (e.status == 401) {
        ctx.header("WWW-Authenticate", "Bearer");
      }
      json(ctx.status(e.status), Api.error(e.getMessage(), e.findings));
    });
    app.exception(HttpResponseException.class, (e, ctx) ->
        json(ctx.status(e.getStatus()), Api.error(e.getMessage(), List.of())));
    app.exception(Exception.class, (e, ctx) ->
        json(ctx.status(500), Api.error("internal error: " + e, List.of())));

    app.get("/api/v1/health", ctx -> json(ctx, Map.of("status", "ok", "version", version())));
    app.get("/api/v1/config", ctx -> json(ctx, config()));
    app.post("/api/v1/builds", this::submit);
    app.get("/api/v1/builds", this::list);
    app.get("/api/v1/builds/{id}", ctx -> json(ctx, buildJson(build(ctx))));
    app.delete("/api/v1/builds/{id}", ctx -> json(ctx, buildJson(builds.cancel(build(ctx).id()))));
    app.get("/api/v1/builds/{id}/events", this::events);
    app.get("/api/v1/builds/{id}/log", this::log);
    app.get("/api/v1/builds/{id}/artifacts", ctx -> json(ctx, Map.of("artifacts", artifactsJson(build(ctx).id()))));
    app.get("/api/v1/builds/{id}/artifacts/{name}", this::download);
    app.post("/api/v1/plan", this::plan);
    app.post("/api/v1/yip/validate", this::validateYip);
    app.get("/openapi.json", ctx -> {
      try (InputStream in = FactoryServer.class.getResourceAsStream("openapi.json")) {
        ctx.contentType("application/json").result(in.readAllBytes());
      }
    });
    app.get("/docs", ctx -> ctx.contentType("text/html; charset=utf-8").result(docsPage()));
  }

  /** Bearer auth in constant time, when the server has a token. */
  private void authorize(Context ctx) {
    if (token == null) {
      return;
    }
    String h = Optional.ofNullable(ctx.header("Authorization")).orElse("");
    byte[] given = h.startsWith("Bearer ") ? h.substring(7).getBytes(StandardCharsets.UTF_8) : new byte[0];
    if (!MessageDigest.isEqual(given, token)) {
      throw new ApiError(401, "missing or wrong bearer token");
    }
  }

  private void submit(Context ctx) throws IOException {
    JsonNode body = Api.parse(ctx.body());
    BuildRequest request = BuildRequest.parse(body);
    String id = builds.submit(request, Api.json(body));
    ctx.status(201).header("Location", "/api/v1/builds/" + id);
    json(ctx, buildJson(store.get(id).orElseThrow()));
  }

  private void list(Context ctx) throws IOException {
    String state = ctx.queryParam("state");
    if (state != null && !STATES.contains(state)) {
      throw new ApiError(400, "unknown state '" + state + "'", List.of(Finding.at("state", "expected one of "
          + String.join(", ", STATES))));
    }
    int limit = intParam(ctx, "limit", 20, 1, 200);
    int offset = intParam(ctx, "offset", 0, 0, Integer.MAX_VALUE);
    List<Map<String, Object>> list = new ArrayList<>();
    for (BuildStore.Build b : store.list(state, limit, offset)) {
      list.add(buildJson(b));
    }
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("builds", list);
    m.put("total", store.count(state));
    m.put("limit", limit);
    m.put("offset", offset);
    json(ctx, m);
  }

  private static int intParam(Context ctx, String name, int dflt, int min, int max) {
    String v = ctx.queryParam(name);
    if (v == null) {
      return dflt;
    }
    try {
      int i = Integer.parseInt(v);
      if (i >= min && i <= max) {
        return i;
      }
    } catch (NumberFormatException e) {
      // below
    }
    throw new ApiError(400, "bad " + name + " '" + v + "'", List.of(Finding.at(name, "expected a whole number from "
        + min + " to " + max)));
  }

  private BuildStore.Build build(Context ctx) throws IOException {
    String id = ctx.pathParam("id");
    if (!ID.matcher(id).matches()) {
      throw Builds.notFound(id);
    }
    return store.get(id).orElseThrow(() -> Builds.notFound(id));
  }

  /** Server-Sent Events of a build from after {@code Last-Event-ID}, until its final state. */
  private void events(Context ctx) throws Exception {
    BuildStore.Build b = build(ctx);
    long after = 0;
    String last = ctx.header("Last-Event-ID");
    if (last != null) {
      try {
        after = Long.parseLong(last.strip());
      } catch (NumberFormatException e) {
        throw new ApiError(400, "bad Last-Event-ID '" + last + "': expected an event number");
      }
    }
    ctx.res().setStatus(200);
    ctx.res().setContentType("text/event-stream; charset=utf-8");
    ctx.res().setHeader("Cache-Control", "no-cache");
    OutputStream out = ctx.res().getOutputStream();
    long lastWrite = System.nanoTime();
    while (true) {
      for (BuildStore.Event e : store.events(b.id(), after)) {
        out.write(("id: " + e.seq() + "\nevent: " + e.type() + "\ndata: " + e.data() + "\n\n")
            .getBytes(StandardCharsets.UTF_8));
        after = e.seq();
        lastWrite = System.nanoTime();
      }
      out.flush();
      BuildStore.Build now = store.get(b.id()).orElseThrow();
      if (now.finishedState() && store.events(b.id(), after).isEmpty()) {
        return;
      }
      if (System.nanoTime() - lastWrite > Duration.ofSeconds(15).toNanos()) {
        out.write(": keep-alive\n\n".getBytes(StandardCharsets.UTF_8)); // also notices a client that left
        out.flush();
        lastWrite = System.nanoTime();
      }
      builds.awaitChange(1000);
    }
  }

  private void log(Context ctx) throws IOException {
    BuildStore.Build b = build(ctx);
    Path log = builds.buildDirectory(b.id()).resolve("build.log");
    if (!Files.isRegularFile(log)) {
      ctx.contentType("text/plain; charset=utf-8").result("");
      return;
    }
    send(ctx, log, Files.size(log), "text/plain; charset=utf-8");
  }

  /** An artifact, looked up by name among those recorded: the request's name is never a path. */
  private void download(Context ctx) throws IOException {
    BuildStore.Build b = build(ctx);
    String name = ctx.pathParam("name");
    BuildStore.ArtifactRow a = store.artifacts(b.id()).stream().filter(r -> r.name().equals(name)).findFirst()
        .orElseThrow(() -> new ApiError(404, "build " + b.id() + " has no artifact named '" + name + "'"));
    String etag = "\"sha256:" + a.sha256() + "\"";
    ctx.header("ETag", etag);
    if (etag.equals(ctx.header("If-None-Match"))) {
      ctx.status(304);
      return;
    }
    Path file = builds.buildDirectory(b.id()).resolve(a.file());
    ctx.header("Content-Disposition", "attachment; filename=\"" + a.name() + "\"");
    send(ctx, file, a.size(), "application/octet-stream");
  }

  private static final Pattern RANGE = Pattern.compile("bytes=(\\d*)-(\\d*)");

  /**
   * Sends the first {@code size} bytes of {@code file}, or the one range a {@code Range} header asks
   * for (206; 416 when it lies outside the file). Several ranges are answered with the whole file.
   */
  private static void send(Context ctx, Path file, long size, String type) throws IOException {
    long from = 0;
    long to = size - 1;
    String range = ctx.header("Range");
    var m = range == null ? null : RANGE.matcher(range.strip());
    ctx.header("Accept-Ranges", "bytes");
    if (m != null && m.matches() && !(m.group(1).isEmpty() && m.group(2).isEmpty())) {
      try {
        if (m.group(1).isEmpty()) {
          from = Math.max(0, size - Long.parseLong(m.group(2)));
        } else {
          from = Long.parseLong(m.group(1));
          to = m.group(2).isEmpty() ? size - 1 : Math.min(Long.parseLong(m.group(2)), size - 1);
        }
      } catch (NumberFormatException e) {
        from = size; // unsatisfiable below
      }
      if (from >= size || from > to) {
        ctx.status(416).header("Content-Range", "bytes */" + size);
        return;
      }
      ctx.status(206).header("Content-Range", "bytes " + from + "-" + to + "/" + size);
    }
    ctx.res().setContentType(type);
    ctx.res().setContentLengthLong(to - from + 1);
    try (var in = java.nio.channels.FileChannel.open(file); OutputStream out = ctx.res().getOutputStream()) {
      in.position(from);
      byte[] buf = new byte[1 << 16];
      java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(buf);
      long left = to - from + 1;
      while (left > 0) {
        b.clear().limit((int) Math.min(buf.length, left));
        int n = in.read(b);
        if (n < 0) {
          break;
        }
        out.write(buf, 0, n);
        left -= n;
      }
    }
  }

  /** The plan of a request, as {@code build --dry-run --json} prints it. */
  private void plan(Context ctx) throws IOException {
    long start = System.nanoTime();
    BuildRequest request = BuildRequest.parse(Api.parse(ctx.body()));
    Path plans = Files.createDirectories(data.resolve("plans"));
    // Inline texts become files for the CLI; each plan has its own scratch directory, gone afterwards.
    try (ScratchDirectory scratch = ScratchDirectory.in(plans, "plan")) {
      List<String> args = request.cliArgs(scratch.dir(), null, null, null, null, true);
      StringWriter out = new StringWriter();
      StringWriter err = new StringWriter();
      int exit = KairosFactoryCli.execute(new PrintWriter(out), new PrintWriter(err), args.toArray(String[]::new));
      if (exit != 0) {
        String message = firstLine(err.toString());
        throw new ApiError(exit == KairosFactoryCli.USAGE ? 400 : 422, message, List.of(Finding.at("$", message)));
      }
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("plan", Api.JSON.readTree(out.toString()));
      m.put("seconds", (System.nanoTime() - start) / 1e9);
      json(ctx, m);
    }
  }

  private static String firstLine(String text) {
    String t = text.strip();
    int nl = t.indexOf('\n');
    return (nl < 0 ? t : t.substring(0, nl)).replaceFirst("^kairos-factory( build)?: error: ", "");
  }

  private void validateYip(Context ctx) {
    JsonNode body = Api.parse(ctx.body());
    List<Finding> bad = new ArrayList<>();
    if (!body.isObject()) {
      bad.add(Finding.at("$", "expected a JSON object"));
    } else {
      for (String name : body.propertyNames()) {
        if (!name.equals("document")) {
          bad.add(Finding.at("$." + name, "unknown field '" + name + "'; known: document"));
        }
      }
      JsonNode d = body.get("document");
      if (d == null || !d.isString()) {
        bad.add(Finding.at("$.document", "expected the yip document as a string"));
      }
    }
    if (!bad.isEmpty()) {
      throw new ApiError(400, "invalid request", bad);
    }
    List<Map<String, Object>> findings = new ArrayList<>();
    boolean errors = false;
    for (YipDiagnostic d : BuildRequest.yipFindings(body.get("document").stringValue())) {
      Map<String, Object> f = new LinkedHashMap<>();
      f.put("line", d.location().line());
      f.put("column", d.location().column());
      f.put("severity", d.severity().name().toLowerCase(java.util.Locale.ROOT));
      f.put("message", d.message());
      findings.add(f);
      errors |= d.severity() == YipDiagnostic.Severity.ERROR;
    }
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("valid", !errors);
    m.put("findings", findings);
    json(ctx, m);
  }

  private Map<String, Object> config() {
    Map<String, Object> defaults = new LinkedHashMap<>();
    defaults.put("from", "debootstrap:bookworm");
    defaults.put("version", "v1.0.0");
    defaults.put("model", "generic");
    defaults.put("variant", "core");
    defaults.put("trusted", false);
    defaults.put("fips", false);
    defaults.put("artifacts", List.of("iso"));
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("version", version());
    m.put("defaults", defaults);
    m.put("bases", BASES);
    m.put("sourceForms", List.of("REF", "oci-layout:DIR[:TAG]", "oci-archive:FILE", "docker-archive:FILE", "dir:DIR",
        "debootstrap:SUITE[:MIRROR]"));
    m.put("architectures", Architecture.ids());
    m.put("models", Model.ids());
    m.put("variants", BuildRequest.VARIANTS);
    m.put("providers", BuildRequest.PROVIDERS);
    m.put("artifactKinds", List.copyOf(BuildRequest.ARTIFACTS.keySet()));
    m.put("steps", Step.sortedIds());
    m.put("states", STATES);
    m.put("maxConcurrent", maxConcurrent);
    m.put("authRequired", token != null);
    return m;
  }

  private Map<String, Object> buildJson(BuildStore.Build b) throws IOException {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", b.id());
    m.put("state", b.state());
    m.put("request", Api.JSON.readTree(b.request()));
    m.put("createdAt", b.created().toString());
    m.put("startedAt", b.started() == null ? null : b.started().toString());
    m.put("finishedAt", b.finished() == null ? null : b.finished().toString());
    m.put("exitCode", b.exitCode());
    List<Map<String, Object>> steps = new ArrayList<>();
    for (BuildStore.Event e : store.events(b.id(), 0)) {
      JsonNode d = Api.JSON.readTree(e.data());
      // A step the step cache restored does not run: its cache hit stands in its place, in order.
      String restored = e.type().equals("cacheHit") && d.hasNonNull("step") ? d.path("step").asString() : null;
      if (e.type().equals("stepFinished") || restored != null) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("step", restored != null ? restored : d.path("step").asString());
        s.put("seconds", restored != null ? 0.0 : d.path("seconds").asDouble());
        s.put("skipped", restored == null && d.path("skipped").asBoolean());
        s.put("cached", restored != null);
        steps.add(s);
      }
    }
    m.put("steps", steps);
    m.put("artifacts", artifactsJson(b.id()));
    JsonNode result = b.result() == null ? null : Api.JSON.readTree(b.result());
    m.put("validation", result == null || result.get("validation") == null ? null : result.get("validation"));
    m.put("error", result == null || result.get("error") == null ? null : result.get("error").asString());
    m.put("name", result == null || result.get("name") == null ? null : result.get("name").asString());
    m.put("stepCache", result == null || result.get("stepCache") == null || result.get("stepCache").isNull()
        ? null : result.get("stepCache"));
    return m;
  }

  private List<Map<String, Object>> artifactsJson(String id) throws IOException {
    List<Map<String, Object>> list = new ArrayList<>();
    for (BuildStore.ArtifactRow a : store.artifacts(id)) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("name", a.name());
      m.put("kind", a.kind());
      m.put("size", a.size());
      m.put("sha256", a.sha256());
      m.put("url", "/api/v1/builds/" + id + "/artifacts/" + a.name());
      list.add(m);
    }
    return list;
  }

  private static void json(Context ctx, Object value) {
    ctx.contentType("application/json").result(Api.json(value));
  }

  /** This build's version, as {@code kairos-factory --version} prints it. */
  static String version() {
    return resourceProperty("/dev/kairos/factory/examples/cli/version.properties", "version");
  }

  private static String resourceProperty(String resource, String key) {
    Properties p = new Properties();
    try (InputStream in = FactoryServer.class.getResourceAsStream(resource)) {
      if (in != null) {
        p.load(in);
      }
    } catch (IOException e) {
      return "unknown";
    }
    return p.getProperty(key, "unknown");
  }

  /** Swagger UI from its WebJar (served under /webjars), pointed at /openapi.json. */
  private static String docsPage() {
    String v = resourceProperty("/META-INF/maven/org.webjars/swagger-ui/pom.properties", "version");
    String base = "/webjars/swagger-ui/" + v + "/";
    return "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Kairos Factory API</title>\n"
        + "<link rel=\"stylesheet\" href=\"" + base + "swagger-ui.css\"></head>\n<body><div id=\"swagger-ui\"></div>\n"
        + "<script src=\"" + base + "swagger-ui-bundle.js\"></script>\n"
        + "<script>SwaggerUIBundle({url: '/openapi.json', dom_id: '#swagger-ui'});</script>\n</body></html>\n";
  }

  /** Stops listening and stops the running builds (they show as interrupted at the next start). */
  @Override
  public void close() throws IOException {
    try {
      app.stop();
    } finally {
      try {
        builds.close();
      } finally {
        store.close();
      }
    }
  }
}
