package dev.whiskfeed.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.whiskfeed.app.Provider;
import dev.whiskfeed.testing.PgExtension;
import dev.whiskfeed.testing.Recorded;
import dev.whiskfeed.testing.Reply;
import dev.whiskfeed.testing.TestDatabase;
import dev.whiskfeed.testing.TestPostgres;
import io.vertx.core.json.JsonObject;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The operator console and the API docs in a real browser: headless Chromium (Debian's
 * {@code chromium} and {@code chromium-driver}) driven by Selenium. The console is opened, the
 * admin token typed in, a feed and its dead event seen, the event redelivered with its button and
 * seen delivered, by the stand-in OpenWhisk and on the page; the screenshot is
 * {@code target/console.png}. Without the browser the test is skipped, except in CI
 * ({@code CI=true}), where it fails.
 */
@ExtendWith(PgExtension.class)
@Timeout(180)
class ConsoleBrowserIT extends WithStandInOpenWhisk {
  static final String KEY = "23bc46b1-71f6-4ed5-8c54-816aa4f8c502:consoleTestKey";
  static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
  static final Path TARGET = Path.of(System.getProperty("basedir", "."), "target");

  TestDatabase db;
  Provider provider;
  Api api;
  ChromeDriver browser;
  Path profile;

  @BeforeEach
  void start(TestPostgres pg) {
    openwhisk.reset();
    db = pg.newDatabase("console");
    provider = TestProvider.start(db, openwhisk.url(), Map.of("WHISKFEED_ADMIN_TOKEN", TestProvider.ADMIN_TOKEN));
    api = new Api(provider.port(), KEY);
  }

  @AfterEach
  void stop() throws Exception {
    if (browser != null) browser.quit();
    if (profile != null) deleteTree(profile);
    if (provider != null) provider.close();
  }

  @Test
  void anOperatorSeesTheDeadEventRedeliversItAndSeesItDelivered() throws IOException {
    openBrowser();
    // /guest/orders fired five times, then one event died on a 500
    create("guest", "orders", new JsonObject().put("maxRetries", 0));
    openwhisk.defaultReply("guest", "orders", Reply.status(202));
    for (int i = 0; i < 5; i++) api.event("guest", "orders", new JsonObject().put("order", 40 + i));
    await().atMost(Duration.ofSeconds(15)).until(() -> stat("guest", "orders", "delivered") == 5);
    openwhisk.defaultReply("guest", "orders", Reply.status(500));
    String dead = api.event("guest", "orders", new JsonObject().put("order", 45).put("total", "129.90"))
        .json().getString("eventId");
    await().atMost(Duration.ofSeconds(15)).until(() -> stat("guest", "orders", "dead") == 1);
    openwhisk.defaultReply("guest", "orders", Reply.accepted());
    // spread the six attempts over the hour, 9 minutes apart (the failure, the last, stays in this minute)
    await().atMost(Duration.ofSeconds(10)).until(() -> db.queryLong("SELECT count(*) FROM whiskfeed.delivery_log") == 6);
    db.execute("UPDATE whiskfeed.delivery_log SET attempted_at = attempted_at - interval '9 minutes' * (SELECT count(*) "
        + "FROM whiskfeed.delivery_log l WHERE l.id > delivery_log.id)");
    // a paused feed with a backlog in another namespace, and one an admin disabled
    create("billing", "invoices", new JsonObject());
    api.pause("billing", "invoices");
    api.event("billing", "invoices", new JsonObject().put("invoice", 7));
    create("billing", "refunds", new JsonObject());
    Ops.post(provider.port(), "/api/v1/admin/feeds/billing/refunds/disable", TestProvider.ADMIN_TOKEN,
        new JsonObject().put("message", "floods its namespace, ticket 4711"));
    String hookUrl = api.read("guest", "orders").json().getJsonObject("config").getString("hookUrl");

    browser.get(base() + "/console");
    assertThat(browser.getTitle()).isEqualTo("whiskfeed console");
    WebElement token = browser.findElement(By.cssSelector("label[for=token] + input#token"));
    token.sendKeys(TestProvider.ADMIN_TOKEN, Keys.ENTER);

    WebElement orders = waitFor(By.cssSelector("#feeds tr[data-feed='/guest/orders']"));
    waitFor(By.cssSelector("#feeds tr[data-feed='/guest/orders'] svg[role=img]"));
    assertThat(orders.findElement(By.cssSelector("svg")).getAttribute("aria-label"))
        .isEqualTo("Last 60 minutes of /guest/orders: 5 fires, 1 failure");
    assertThat(cells(orders)).startsWith("/guest/orders", "webhook", "active", "", "0", "1");
    WebElement invoices = waitFor(By.cssSelector("#feeds tr[data-feed='/billing/invoices']"));
    assertThat(cells(invoices).get(2)).isEqualTo("paused");
    assertThat(cells(invoices).get(3)).startsWith("USER: ");
    assertThat(cells(invoices).get(4)).isEqualTo("1");
    WebElement refunds = waitFor(By.cssSelector("#feeds tr[data-feed='/billing/refunds']"));
    assertThat(cells(refunds).get(3)).isEqualTo("ADMIN: floods its namespace, ticket 4711");
    assertThat(refunds.findElement(By.tagName("button")).getText()).isEqualTo("Enable");

    WebElement event = waitFor(By.cssSelector("#dead tr[data-event='" + dead + "']"));
    assertThat(cells(event)).startsWith("/guest/orders");
    assertThat(cells(event).get(2)).isEqualTo("1");
    assertThat(cells(event).get(3)).startsWith("HTTP 500");
    event.findElement(By.tagName("summary")).click();
    assertThat(event.findElement(By.tagName("pre")).getText()).contains("\"order\": 45", "\"total\": \"129.90\"");
    // the hook token, the owner's authKey and no password ever reach the page
    String page = browser.getPageSource();
    assertThat(page).doesNotContain(hookUrl.substring(hookUrl.lastIndexOf('/') + 1)).doesNotContain(KEY)
        .doesNotContain("hookUrl");

    int firesBefore = openwhisk.fires("guest", "orders").size();
    event.findElement(By.cssSelector("button[aria-label='Redeliver event " + dead + "']")).click();
    new WebDriverWait(browser, Duration.ofSeconds(30)).until(ExpectedConditions.textToBe(
        By.cssSelector("#dead tr[data-event='" + dead + "'] .event-state"), "delivered"));
    assertThat(browser.findElement(By.id("status")).getText()).startsWith("Event " + dead + " of /guest/orders delivered");
    List<Recorded> fires = openwhisk.fires("guest", "orders");
    assertThat(fires).hasSize(firesBefore + 1);
    assertThat(fires.get(fires.size() - 1).json().encode()).contains(dead, "129.90");
    assertThat(stat("guest", "orders", "dead")).isZero();

    new WebDriverWait(browser, Duration.ofSeconds(10)).until(ExpectedConditions.attributeContains(
        By.cssSelector("#feeds tr[data-feed='/guest/orders'] svg"), "aria-label", ": 6 fires, 1 failure"));
    screenshot("console.png");
    assertThat(cspViolations()).isEmpty();
  }

  @Test
  void apiDocsShowTheOperationsInSwaggerUi() throws IOException {
    openBrowser();
    browser.get(base() + "/api-docs");
    assertThat(browser.getTitle()).isEqualTo("whiskfeed API");
    WebElement title = waitFor(By.cssSelector(".swagger-ui .info .title"));
    assertThat(title.getText()).startsWith("whiskfeed provider");
    waitFor(By.cssSelector(".opblock-summary-path[data-path='/api/v1/admin/feeds/{ns}/{trigger}/activity']"));
    assertThat(browser.findElements(By.cssSelector(".opblock"))).hasSizeGreaterThan(15);
    screenshot("api-docs.png");
    assertThat(cspViolations()).isEmpty();
  }

  // ---- without a browser: headers, the served document, no console without an admin token

  @Test
  void theConsoleIsServedWithAStrictPolicyAndIsA404WithoutAnAdminToken() throws Exception {
    for (String path : List.of("/console", "/console/console.js", "/console/console.css")) {
      Api.Response r = Ops.get(provider.port(), path, null);
      assertThat(r.status()).as(path).isEqualTo(200);
      String policy = r.headers().firstValue("content-security-policy").orElse("");
      assertThat(policy).as(path).contains("default-src 'none'", "script-src 'self';", "style-src 'self';",
          "connect-src 'self'", "frame-ancestors 'none'").doesNotContain("unsafe");
      assertThat(r.headers().firstValue("x-content-type-options")).hasValue("nosniff");
    }
    Api.Response page = Ops.get(provider.port(), "/console", null);
    assertThat(page.headers().firstValue("content-type").orElse("")).startsWith("text/html");
    assertThat(page.body()).contains("<script src=\"/console/console.js\" defer></script>")
        .doesNotContain("<script>").doesNotContain("style=").doesNotContain("http://").doesNotContain("https://");
    assertThat(Ops.get(provider.port(), "/console/nothing.js", null).status()).isEqualTo(404);

    provider.close();
    provider = TestProvider.start(db, openwhisk.url());
    for (String path : List.of("/console", "/console/", "/console/console.js")) {
      Api.Response r = Ops.get(provider.port(), path, null);
      assertThat(r.status()).as(path).isEqualTo(404);
      assertThat(r.code()).isEqualTo("not_found");
    }
  }

  @Test
  void apiDocsServeTheRepositorysOpenApiDocumentAndSwaggerUiFromTheJar() {
    Api.Response yaml = Ops.get(provider.port(), "/api-docs/openapi.yaml", null);
    assertThat(yaml.status()).isEqualTo(200);
    assertThat(yaml.headers().firstValue("content-type").orElse("")).startsWith("application/yaml");
    assertThat(yaml.body()).isEqualTo(dev.whiskfeed.testing.RepoFiles.read(OpenApiDocument.FILE));
    Api.Response page = Ops.get(provider.port(), "/api-docs", null);
    assertThat(page.status()).isEqualTo(200);
    assertThat(page.body()).contains("/api-docs/swagger-ui/swagger-ui-bundle.js").doesNotContain("<script>");
    assertThat(page.headers().firstValue("content-security-policy").orElse("")).contains("script-src 'self';");
    assertThat(Ops.get(provider.port(), "/api-docs/swagger-ui/swagger-ui-bundle.js", null).status()).isEqualTo(200);
  }

  // ---- the browser

  private void openBrowser() throws IOException {
    boolean installed = Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
    String missing = "headless Chromium is missing: apt-get install chromium chromium-driver (needs "
        + CHROMIUM + " and " + CHROMEDRIVER + ")";
    if (!installed && "true".equals(System.getenv("CI"))) Assertions.fail(missing);
    Assumptions.assumeTrue(installed, missing);
    profile = Files.createTempDirectory("whiskfeed-chromium");
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
        "--user-data-dir=" + profile, "--window-size=1366,768");
    options.setCapability("goog:loggingPrefs", Map.of(LogType.BROWSER, "ALL"));
    // the driver is given: Selenium Manager, which would download one, never runs
    ChromeDriverService service = new ChromeDriverService.Builder()
        .usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
    browser = new ChromeDriver(service, options);
  }

  private WebElement waitFor(By what) {
    return new WebDriverWait(browser, Duration.ofSeconds(20)).until(ExpectedConditions.visibilityOfElementLocated(what));
  }

  private static List<String> cells(WebElement row) {
    return row.findElements(By.cssSelector("th, td")).stream().map(WebElement::getText).map(String::trim).toList();
  }

  private List<String> cspViolations() {
    return browser.manage().logs().get(LogType.BROWSER).getAll().stream().map(LogEntry::getMessage)
        .filter(m -> m.contains("Content Security Policy")).toList();
  }

  private void screenshot(String name) throws IOException {
    File shot = browser.getScreenshotAs(OutputType.FILE);
    Files.createDirectories(TARGET);
    Files.copy(shot.toPath(), TARGET.resolve(name), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
  }

  // ---- the provider

  private String base() {
    return "http://127.0.0.1:" + provider.port();
  }

  private void create(String ns, String trigger, JsonObject params) {
    Api.Response r = api.create(ns, trigger, new JsonObject().put("kind", "webhook").mergeIn(params));
    assertThat(r.status()).as(r.body()).isEqualTo(200);
  }

  private long stat(String ns, String trigger, String name) {
    return api.read(ns, trigger).json().getJsonObject("stats").getLong(name);
  }

  private static void deleteTree(Path root) throws IOException {
    try (var paths = Files.walk(root)) {
      paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }
}
