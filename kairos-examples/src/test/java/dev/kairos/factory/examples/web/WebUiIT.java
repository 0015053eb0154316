package dev.kairos.factory.examples.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kairos.factory.core.it.DebianFixture;
import dev.kairos.factory.core.it.Scratch;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;
import tools.jackson.databind.JsonNode;

/**
 * The web UI in a real browser (Debian's chromium, headless, through its chromedriver) against the
 * real server in a child JVM on a free 127.0.0.1 port: a broken stage extension shows its finding
 * at its line as it is typed; the form, filled for a quick build from the cached Debian root (the
 * kairosifying steps skipped, an OCI archive out), previews its plan and builds; the build's
 * progress bar reaches the end from the event stream; the artifact the browser downloads has the
 * sha256 the API reports. Screenshots of the form and of the finished build go to
 * {@code target/web-ui/}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class WebUiIT {
  static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
  static final Path SHOTS = Path.of("target/web-ui").toAbsolutePath();
  /** Every step but kairosRelease (the artifact's name comes from it): the build only packs the root. */
  static final String SKIP = "install,kernel,initramfsConfigs,initrd,services,sshHardening,workarounds,cleanup";

  static Path scratch;
  static Path base;
  static Path downloads;
  static Process server;
  static String url;
  static int port;
  static WebDriver browser;
  static final HttpClient HTTP = HttpClient.newHttpClient();

  @BeforeAll
  static void start() throws Exception {
    DebianFixture.assumeUsable();
    assumeTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
        "needs Debian's chromium and chromium-driver");
    scratch = Scratch.create("web-ui");
    base = scratch.resolve("base");
    DebianFixture.extract(DebianFixture.minbaseTarball(), base);
    downloads = Files.createDirectories(scratch.resolve("downloads"));
    Files.createDirectories(SHOTS);

    port = freePort();
    url = "http://127.0.0.1:" + port;
    Path jar = Path.of("target/kairos-factory.jar").toAbsolutePath();
    assertThat(jar).as("the CLI jar (mvn package)").isRegularFile();
    server = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"), "-jar", jar.toString(),
        "web", "--listen", "127.0.0.1:" + port, "--data", scratch.resolve("data").toString())
        .redirectOutput(scratch.resolve("server.out").toFile())
        .redirectError(scratch.resolve("server.err").toFile()).start();
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!healthy()) {
      assertThat(server.isAlive()).as("the server is running: " + Files.readString(scratch.resolve("server.err")))
          .isTrue();
      assertThat(System.nanoTime()).as("the server answers /api/v1/health").isLessThan(end);
      Thread.sleep(100);
    }
    browser = chromium();
  }

  /** Headless chromium with a fresh profile, downloads into {@link #downloads}, nothing fetched from elsewhere. */
  static WebDriver chromium() throws IOException {
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-dev-shm-usage", "--window-size=1400,1000",
        "--user-data-dir=" + Files.createDirectories(scratch.resolve("chromium-profile")));
    options.setExperimentalOption("prefs", Map.of(
        "download.default_directory", downloads.toString(),
        "download.prompt_for_download", false,
        "safebrowsing.enabled", false));
    ChromeDriverService service = new ChromeDriverService.Builder()
        .usingDriverExecutable(CHROMEDRIVER.toFile())
        .usingAnyFreePort()
        .withLogFile(scratch.resolve("chromedriver.log").toFile())
        .build();
    WebDriver driver = new ChromeDriver(service, options);
    driver.manage().window().setSize(new Dimension(1400, 1000));
    return driver;
  }

  @AfterAll
  static void stop() throws Exception {
    if (browser != null) {
      browser.quit();
    }
    if (server != null) {
      server.destroy();
      if (!server.waitFor(20, TimeUnit.SECONDS)) {
        server.destroyForcibly().waitFor();
      }
    }
    if (scratch != null) {
      Scratch.delete(scratch);
    }
  }

  @Test
  @Order(1)
  void aBrokenStageExtensionShowsItsFindingAtItsLine() throws Exception {
    browser.get(url + "/");
    WebElement editor = waitFor(By.id("stage-extension"));
    editor.sendKeys(motd("\"rw\""));
    WebElement finding = new WebDriverWait(browser, Duration.ofSeconds(20))
        .until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("#stage-findings li.finding")));
    assertThat(finding.getText()).startsWith("line 7:").contains("permissions");
    assertThat(finding.getAttribute("data-line")).isEqualTo("7");
    assertThat(browser.findElement(By.id("stage-status")).getText()).isEqualTo("1 finding");
    assertThat(browser.findElement(By.id("stage-gutter")).getText()).contains("7 \u25cf");

    // Fixed, the finding goes away.
    editor.sendKeys(Keys.BACK_SPACE, Keys.BACK_SPACE, Keys.BACK_SPACE, Keys.BACK_SPACE, "0644");
    new WebDriverWait(browser, Duration.ofSeconds(20)).until(
        ExpectedConditions.textToBe(By.id("stage-status"), "valid yip"));
    assertThat(browser.findElements(By.cssSelector("#stage-findings li"))).isEmpty();
  }

  @Test
  @Order(2)
  void aQuickBuildFromACachedRootRunsToTheEndAndItsDownloadHasTheApisDigest() throws Exception {
    browser.get(url + "/");
    waitFor(By.cssSelector("#artifacts input"));
    new Select(browser.findElement(By.id("base"))).selectByValue("");
    type(By.id("from"), "dir:" + base);
    type(By.id("version"), "v1.0.0");
    type(By.id("skip-steps"), SKIP);
    for (WebElement box : browser.findElements(By.cssSelector("#artifacts input[type=checkbox]"))) {
      if (box.isSelected() != "oci-archive".equals(box.getAttribute("value"))) {
        box.click();
      }
    }
    WebElement cloudConfig = browser.findElement(By.id("cloud-config"));
    cloudConfig.clear();

    // The plan first: every step, the skipped ones marked.
    browser.findElement(By.id("plan-button")).click();
    WebElement plan = new WebDriverWait(browser, Duration.ofSeconds(60))
        .until(ExpectedConditions.visibilityOfElementLocated(By.id("plan-steps")));
    assertThat(plan.getText()).contains("kairosRelease");
    // The form with a stage extension, as a user would have it: checked and valid.
    WebElement editor = browser.findElement(By.id("stage-extension"));
    editor.clear();
    editor.sendKeys(motd("0644"));
    new WebDriverWait(browser, Duration.ofSeconds(20)).until(
        ExpectedConditions.textToBe(By.id("stage-status"), "valid yip"));
    screenshot("web-ui-form.png");

    browser.findElement(By.id("build-button")).click();
    WebElement row = new WebDriverWait(browser, Duration.ofSeconds(30))
        .until(ExpectedConditions.elementToBeClickable(By.cssSelector(".build-row")));
    String id = row.getAttribute("data-id");
    row.click();
    WebElement bar = waitFor(By.id("build-progress"));
    // The bar moves with the event stream and ends full once the build has succeeded.
    new WebDriverWait(browser, Duration.ofMinutes(5), Duration.ofMillis(250)).until(d ->
        "100".equals(bar.getAttribute("aria-valuenow")) || terminal(d));
    assertThat(browser.findElement(By.id("build-state")).getText().toLowerCase()).isEqualTo("succeeded");
    assertThat(bar.getAttribute("aria-valuenow")).isEqualTo("100");
    WebElement link = new WebDriverWait(browser, Duration.ofSeconds(30))
        .until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("#build-artifacts a.download")));
    assertThat(browser.findElement(By.id("build-steps")).getText()).contains("kairosRelease");
    new WebDriverWait(browser, Duration.ofSeconds(30)).until(d -> !d.findElement(By.id("build-log")).getText().isBlank());
    screenshot("web-ui-build.png");

    // What the API says of the artifact, and what the page shows of it.
    ApiClient.Answer answer = new ApiClient(port, null).get("/api/v1/builds/" + id + "/artifacts");
    assertThat(answer.status()).as(answer.text()).isEqualTo(200);
    JsonNode artifacts = answer.json();
    JsonNode artifact = (artifacts.isArray() ? artifacts : artifacts.get("artifacts")).get(0);
    String name = artifact.get("name").asString();
    String sha256 = artifact.get("sha256").asString().replaceFirst("^sha256:", "");
    assertThat(link.getText()).isEqualTo(name);
    String pageDigest = browser.findElement(By.cssSelector("#build-artifacts td.digest")).getText();
    assertThat(pageDigest.replaceAll("\\s", "")).isEqualTo(sha256);

    link.click();
    Path file = downloads.resolve(name);
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (!(Files.isRegularFile(file) && noPartialDownloads())) {
      assertThat(System.nanoTime()).as("the browser downloads " + name).isLessThan(end);
      Thread.sleep(100);
    }
    assertThat(Files.size(file)).isEqualTo(artifact.get("size").asLong());
    assertThat(sha256(file)).isEqualTo(sha256);

    // Back on the list, the finished build's bar is full and its step times are there.
    browser.findElement(By.cssSelector("a.back")).click();
    // The list re-renders its rows as it polls: each look finds the row afresh, and a row replaced
    // while it was read (a stale element) is looked at again.
    String[] listedRow = new WebDriverWait(browser, Duration.ofSeconds(30))
        .ignoring(StaleElementReferenceException.class)
        .until(d -> {
          WebElement listed = d.findElement(By.id("row-" + id));
          return listed.isDisplayed() ? new String[] {
              listed.findElement(By.cssSelector(".bar")).getAttribute("aria-valuenow"), listed.getText()} : null;
        });
    assertThat(listedRow[0]).isEqualTo("100");
    assertThat(listedRow[1]).contains("SUCCEEDED").contains("kairosRelease");
    screenshot("web-ui-home.png");
  }

  /** A stage extension that writes /etc/motd, its permissions (line 7) as given. */
  static String motd(String permissions) {
    return String.join("\n",
        "stages:",
        "  after-install:",
        "    - name: motd",
        "      files:",
        "        - path: /etc/motd",
        "          content: built by the Kairos Factory",
        "          permissions: " + permissions);
  }

  static boolean terminal(WebDriver d) {
    String s = d.findElement(By.id("build-state")).getText().toLowerCase();
    return List.of("failed", "cancelled", "interrupted").contains(s);
  }

  static boolean noPartialDownloads() throws IOException {
    try (Stream<Path> s = Files.list(downloads)) {
      return s.noneMatch(p -> p.getFileName().toString().endsWith(".crdownload"));
    }
  }

  static WebElement waitFor(By by) {
    return new WebDriverWait(browser, Duration.ofSeconds(30)).until(ExpectedConditions.presenceOfElementLocated(by));
  }

  static void type(By by, String text) {
    WebElement e = browser.findElement(by);
    e.clear();
    e.sendKeys(text);
  }

  /** The whole page from its top: the window is made as tall as the page for the shot. */
  static void screenshot(String name) throws IOException {
    JavascriptExecutor js = (JavascriptExecutor) browser;
    long height = ((Number) js.executeScript("return document.documentElement.scrollHeight")).longValue();
    Dimension before = browser.manage().window().getSize();
    browser.manage().window().setSize(new Dimension(before.getWidth(), (int) Math.min(Math.max(height, 900), 2400)));
    js.executeScript("window.scrollTo(0, 0)");
    Path shot = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE).toPath();
    Files.copy(shot, SHOTS.resolve(name), StandardCopyOption.REPLACE_EXISTING);
    browser.manage().window().setSize(before);
  }

  static boolean healthy() {
    try {
      return HTTP.send(HttpRequest.newBuilder(URI.create(url + "/api/v1/health")).timeout(Duration.ofSeconds(2)).build(),
          HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  static String sha256(Path file) throws Exception {
    MessageDigest md = MessageDigest.getInstance("SHA-256");
    try (InputStream in = Files.newInputStream(file)) {
      byte[] buf = new byte[1 << 16];
      for (int n; (n = in.read(buf)) > 0; ) {
        md.update(buf, 0, n);
      }
    }
    return HexFormat.of().formatHex(md.digest());
  }
}
