package dev.orchard.server.web.admin;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;

import dev.orchard.server.OrchardApplication;
import dev.orchard.server.OrchardInstance;
import dev.orchard.server.demo.DemoMode;
import dev.orchard.server.demo.DemoSimulator;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The main admin flows in a real headless Chromium (Debian's, through its ChromeDriver) against Orchard in
 * {@code --demo} mode: log in, the dashboard, uploading a token, a sync with its progress bar, reclaiming a license
 * from an app's page, the Retry-After countdown after the simulator answers 503, and a viewer being denied.
 * Screenshots of the pages go to {@code target/screenshots/} for reviewers. Waits poll the page; nothing sleeps.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AdminBrowserTests {

    static final String PASSWORD = "browser-test-password";
    static final JsonMapper JSON = JsonMapper.builder().build();
    static final Path SHOTS = Path.of("target", "screenshots");

    @TempDir
    static Path temp;
    static ConfigurableApplicationContext app;
    static String base;
    static URI control;
    static WebDriver browser;
    static WebDriverWait wait;
    /** The device whose license an administrator reclaimed (R4d), for the "why not?" job. */
    static String reclaimed;

    @BeforeAll
    static void start() throws IOException {
        int port = OrchardInstance.freePort();
        SpringApplication application = new SpringApplication(OrchardApplication.class);
        DemoMode.prepare(application);
        app = application.run("--server.port=" + port, "--orchard.data-dir=" + temp.resolve("data"),
                "--orchard.security.admin-password=" + PASSWORD, "--db-scheduler.polling-interval=200ms");
        base = "http://127.0.0.1:" + port;
        control = app.getBean(DemoSimulator.class).controlUri();
        browser = Chromium.start(temp.resolve("chromium"));
        wait = new WebDriverWait(browser, Duration.ofSeconds(30));
        Files.createDirectories(SHOTS);
    }

    @AfterAll
    static void stop() {
        if (browser != null) {
            browser.quit();
        }
        if (app != null) {
            app.close();
        }
    }

    static void open(String path) {
        browser.get(base + path);
    }

    static void shot(String name) throws IOException {
        File f = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE);
        Files.copy(f.toPath(), SHOTS.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
    }

    static void login(String user, String password) {
        submitLogin(user, password);
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("logout")));
    }

    static void submitLogin(String user, String password) {
        open("/login");
        browser.findElement(By.id("username")).sendKeys(user);
        browser.findElement(By.id("password")).sendKeys(password);
        browser.findElement(By.id("login")).click();
    }

    static JsonNode sim(String method, String path, String json) {
        try {
            var request = HttpRequest.newBuilder(control.resolve(path)).header("Content-Type", "application/json")
                    .method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
            var r = HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(path + ": " + r.body()).isBetween(200, 299);
            return JSON.readTree(r.body());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Test
    @Order(1)
    void logInAndSeeTheDashboard() throws IOException {
        open("/");
        wait.until(ExpectedConditions.urlContains("/login"));
        shot("01-login");
        submitLogin("admin", "wrong-password");
        assertThat(wait.until(ExpectedConditions.presenceOfElementLocated(By.id("login-error"))).getText()).contains("Wrong");
        login("admin", PASSWORD);
        wait.until(ExpectedConditions.numberOfElementsToBeMoreThan(By.cssSelector(".account-card"), 1));
        assertThat(browser.findElement(By.id("cards")).getText()).contains("Headquarters (US)").contains("purchased");
        shot("02-dashboard");
        browser.manage().window().setSize(new Dimension(480, 900));
        shot("02-dashboard-narrow");
        browser.manage().window().setSize(new Dimension(1280, 800));

        // an unknown address, a deleted account and a malformed id: pages that say what to do, never Spring's own
        for (String path : List.of("/no-such-page", "/accounts/999", "/accounts/abc")) {
            open(path);
            String page = browser.findElement(By.tagName("main")).getText();
            assertThat(browser.findElements(By.id("problem"))).as(path).hasSize(1);
            assertThat(browser.getPageSource()).as(path).doesNotContain("Whitelabel").doesNotContain("Exception")
                    .doesNotContain("java.").doesNotContain("Failed to convert");
            assertThat(browser.findElements(By.id("logout"))).as(path + ": still signed in, with the navigation").hasSize(1);
            assertThat(page).as(path).containsAnyOf("Page not found", "Not found", "That did not work");
        }
        shot("02-not-found");

        // Swagger UI with the signed-in session: a change sent as its "Try it out" sends it, with the CSRF token the
        // pages left in the session storage
        open("/swagger-ui.html");
        wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector(".swagger-ui")));
        var js = (org.openqa.selenium.JavascriptExecutor) browser;
        browser.manage().timeouts().scriptTimeout(Duration.ofSeconds(20));
        Object status = js.executeAsyncScript("var done = arguments[arguments.length - 1];"
                + "fetch('/api/v1/groups/swagger-try', {method: 'PUT', headers: {'Content-Type': 'application/json',"
                + " 'X-XSRF-TOKEN': sessionStorage.getItem('XSRF-TOKEN')}, body: JSON.stringify({name: 'Tried in Swagger'})})"
                + ".then(function (r) { done(r.status); }, function (e) { done(String(e)); });");
        assertThat(status).isEqualTo(200L);
        shot("02b-swagger");
    }

    @Test
    @Order(2)
    void uploadATokenAndWatchTheSyncProgress() throws IOException {
        JsonNode location = sim("POST", "locations", "{\"orgName\":\"Orchard Demo Branch\",\"locationName\":\"Branch (CA)\","
                + "\"countryCode\":\"CA\",\"uId\":\"4100000000000001\",\"assets\":[]}");
        sim("POST", "locations/4100000000000001/generate", "{\"assets\":5,\"assignments\":10000}");
        sim("POST", "settings", "{\"pageSize\":200,\"rateLimit\":8}"); // about 50 pages: a sync that lasts a few seconds
        Path token = temp.resolve("branch.vpptoken");
        Files.writeString(token, location.get("sToken").asString());

        open("/accounts");
        browser.findElement(By.id("token-file")).sendKeys(token.toString());
        shot("03-accounts-upload");
        browser.findElement(By.id("upload-token")).click();
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("flash-ok")));
        assertThat(browser.findElement(By.id("flash-ok")).getText()).contains("Added").contains("Branch (CA)");

        browser.findElement(By.linkText("Branch (CA)")).click();
        WebElement bar = wait.until(ExpectedConditions.presenceOfElementLocated(By.id("sync-bar")));
        assertThat(bar.getAttribute("max")).isNotBlank();
        shot("04-account-sync-progress");
        new WebDriverWait(browser, Duration.ofSeconds(90)).until(ExpectedConditions.presenceOfElementLocated(By.id("sync-idle")));
        browser.navigate().refresh();
        assertThat(browser.findElement(By.id("history")).getText()).contains("OK").contains("10000");
        sim("POST", "settings", "{\"pageSize\":1000,\"rateLimit\":15}");
        shot("05-account-synced");
    }

    @Test
    @Order(3)
    void openAnAppAndReclaimALicense() throws IOException {
        open("/apps");
        shot("06-apps");
        open("/apps/361309726");
        wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("a.reclaim-link")));
        shot("07-app");
        // a demo device's license (Orchard assigned it: the "Field apps" label wants the app on every device)
        WebElement row = browser.findElements(By.cssSelector("#holders tbody tr")).stream()
                .filter(r -> r.getText().startsWith("device DMO") && !r.findElements(By.cssSelector("a.reclaim-link")).isEmpty())
                .findFirst().orElseThrow();
        reclaimed = row.getText().split(" ")[1];
        row.findElement(By.cssSelector("a.reclaim-link")).click();
        WebElement confirm = wait.until(ExpectedConditions.presenceOfElementLocated(By.id("confirm-one")));
        assertThat(confirm.getText()).contains("1 license");
        shot("08-reclaim-confirmation");
        browser.findElement(By.id("reclaim-confirm")).click();
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("flash-ok")));
        assertThat(browser.findElement(By.id("flash-ok")).getText()).contains("being reclaimed");
        open("/audit?action=RECLAIM_REQUESTED");
        assertThat(browser.findElement(By.id("audit")).getText()).contains("RECLAIM_REQUESTED");
        shot("09-audit");
    }

    /** The device lost the app on purpose: its page says so and why, and the panel's button gives it back. */
    @Test
    @Order(4)
    void findWhyADeviceHasNoAppAndFixItFromThePanel() throws IOException {
        open("/devices/" + reclaimed);
        wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#why-not tr[data-adam-id='361309726']")));
        wait.until(d -> {
            d.navigate().refresh();
            return d.findElement(By.cssSelector("#why-not tr[data-adam-id='361309726']")).getAttribute("data-state").equals("OPTED_OUT");
        });
        WebElement row = browser.findElement(By.cssSelector("#why-not tr[data-adam-id='361309726']"));
        assertThat(row.getText()).contains("Field apps").contains("reclaimed on purpose");
        shot("09b-device-why-not");
        row.findElement(By.xpath(".//button[text()='Allow again']")).click();
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("flash-ok")));
        assertThat(browser.findElement(By.id("flash-ok")).getText()).contains("Allowed again");
        // the licensing pass assigns it again and Apple confirms it: the panel follows
        wait.until(d -> {
            d.navigate().refresh();
            return d.findElement(By.cssSelector("#why-not tr[data-adam-id='361309726']")).getAttribute("data-state").equals("LICENSED");
        });
        shot("09c-device-why-not-fixed");
    }

    /**
     * A label made with the pickers: an app by name, a user found by typing, one of the user's devices excluded; the
     * labels page then shows its rollout moving to done by itself (the line polls until it settles).
     */
    @Test
    @Order(5)
    void createALabelWithPickersAndAnExclusionAndWatchItRollOut() throws IOException {
        open("/labels");
        browser.findElement(By.name("name")).sendKeys("Code Forge for Ann");
        browser.findElements(By.cssSelector("#app-picker option")).stream().filter(o -> o.getText().startsWith("Code Forge"))
                .findFirst().orElseThrow().click();
        browser.findElement(By.id("targets")).clear();
        WebElement search = browser.findElement(By.id("picker-q"));
        search.sendKeys("ann");
        clickPickerResult(By.cssSelector("[data-add-line='USER ann'][data-to='targets']"));
        search.clear();
        search.sendKeys("IPHONE001");
        clickPickerResult(By.cssSelector("[data-add-line='SERIAL DMOIPHONE001'][data-to='exclusions']"));
        assertThat(browser.findElement(By.id("targets")).getAttribute("value")).isEqualTo("USER ann");
        assertThat(browser.findElement(By.id("exclusions")).getAttribute("value")).isEqualTo("SERIAL DMOIPHONE001");
        shot("09d-label-with-pickers");
        browser.findElement(By.id("preview")).click();
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("label-effect")));
        assertThat(browser.findElement(By.id("label-effect")).getText()).contains("up to 1 app(s) would be assigned");
        browser.findElement(By.id("save")).click();
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("flash-ok")));
        // Ann's Mac is the one device left (her iPhone is excluded): the line polls until it is licensed
        By done = By.xpath("//tr[td[text()='Code Forge for Ann']]//div[@data-settled='true']//div[@data-done='true']");
        WebElement line = wait.until(ExpectedConditions.presenceOfElementLocated(done));
        assertThat(line.getText()).contains("Code Forge").contains("1 of 1 devices licensed");
        assertThat(browser.findElement(By.id("labels")).getText()).contains("except SERIAL DMOIPHONE001")
                .as("apps by name, not store id").doesNotContain("497799835");
        shot("09e-label-rolled-out");
    }

    /**
     * Clicks a picker's result. The picker searches as each key is typed, and a slower answer to an earlier keystroke
     * can redraw the list between finding a result and clicking it (a full run once failed on the stale element): the
     * click is made again on the redrawn result, as a person would.
     */
    private static void clickPickerResult(By result) {
        new WebDriverWait(browser, Duration.ofSeconds(30)).ignoring(org.openqa.selenium.StaleElementReferenceException.class)
                .until(d -> {
                    WebElement found = ExpectedConditions.elementToBeClickable(result).apply(d);
                    if (found == null) {
                        return false;
                    }
                    found.click();
                    return true;
                });
    }

    /**
     * Apple refuses an assignment for good (9635): the operation shows as failed with Apple's error on its page, and
     * the page's button sends it again, which Apple then makes. Set up from the UI: Ann's Mac loses Code Forge (a
     * reclaim) and is allowed it again while the simulator refuses the next assignment.
     */
    @Test
    @Order(6)
    void retryAFailedOperationFromItsPage() throws IOException {
        open("/apps/497799835");
        WebElement row = wait.until(d -> d.findElements(By.cssSelector("#holders tbody tr")).stream()
                .filter(r -> r.getText().startsWith("device DMOMAC000001") && !r.findElements(By.cssSelector("a.reclaim-link")).isEmpty())
                .findFirst().orElse(null));
        row.findElement(By.cssSelector("a.reclaim-link")).click();
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("reclaim-confirm"))).click();
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("flash-ok")));
        By codeForge = By.cssSelector("#why-not tr[data-adam-id='497799835']");
        open("/devices/DMOMAC000001");
        wait.until(d -> {
            d.navigate().refresh();
            return !d.findElements(codeForge).isEmpty() && d.findElement(codeForge).getAttribute("data-state").equals("OPTED_OUT");
        });
        sim("POST", "faults", "{\"uId\":\"2049025000431439\",\"path\":\"assets/associate\",\"asyncErrorNumber\":9635,\"count\":1}");
        browser.findElement(codeForge).findElement(By.xpath(".//button[text()='Allow again']")).click();
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("flash-ok")));

        open("/operations");
        WebElement failed = wait.until(d -> {
            d.navigate().refresh();
            return d.findElements(By.cssSelector("#apple-operations tbody tr")).stream()
                    .filter(r -> r.getText().contains("ASSOCIATE") && r.getText().contains("FAILED")).findFirst().orElse(null);
        });
        failed.findElement(By.cssSelector("td a")).click();
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("retry-operation")));
        assertThat(browser.findElement(By.tagName("main")).getText()).contains("9635").contains("DMOMAC000001");
        shot("09f-failed-operation");
        browser.findElement(By.id("retry-operation")).click();
        assertThat(wait.until(ExpectedConditions.presenceOfElementLocated(By.id("flash-ok"))).getText()).contains("sent again");
        open("/devices/DMOMAC000001");
        wait.until(d -> {
            d.navigate().refresh();
            return d.findElement(codeForge).getAttribute("data-state").equals("LICENSED");
        });
        shot("09g-retried-and-licensed");
    }

    /**
     * Reclaiming an app in one account while targets wait for it: the confirmation warns that the waitlist would take
     * the freed licenses (R7) and offers to pause the waiting targets; with the pause, the licenses stay free. Set up
     * from the simulator: a scarce app bought in both demo locations (one license each), and an App label for Sales.
     */
    @Test
    @Order(7)
    void reclaimAnAppInOneAccountWithTheWaitlistWarning() throws IOException {
        String purchase = "{\"adamId\":\"900000003\",\"count\":1,\"productType\":\"App\",\"deviceAssignable\":true,"
                + "\"revocable\":true,\"supportedPlatforms\":[\"iOS\"],\"name\":\"Scarce Scanner\"}";
        for (JsonNode l : sim("GET", "locations", null)) {
            String name = l.get("locationName").asString();
            if (name.contains("Headquarters") || name.contains("Berlin")) {
                sim("POST", "locations/" + l.get("uId").asString() + "/purchases", purchase);
            }
        }
        open("/apps/900000003");
        wait.until(d -> {
            d.navigate().refresh();
            return d.findElements(By.cssSelector("a.reclaim-account")).size() == 2; // both accounts hold it
        });
        open("/labels");
        browser.findElement(By.name("name")).sendKeys("Scarce Scanner for Sales");
        browser.findElements(By.cssSelector("#app-picker option")).stream().filter(o -> o.getText().contains("900000003"))
                .findFirst().orElseThrow().click();
        browser.findElement(By.id("targets")).clear();
        browser.findElement(By.id("targets")).sendKeys("GROUP sales");
        browser.findElement(By.id("preview")).click();
        wait.until(ExpectedConditions.elementToBeClickable(By.id("save"))).click();
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("flash-ok")));
        // one license for Sales' three iPhones: one is licensed, the others wait
        open("/apps/900000003");
        wait.until(d -> {
            d.navigate().refresh();
            return d.findElement(By.id("rollout")).getText().matches("(?s).*\\b1 licensed.*[1-9] waiting.*");
        });
        WebElement headquarters = browser.findElements(By.cssSelector("a.reclaim-account")).stream()
                .filter(a -> a.getText().contains("Headquarters")).findFirst().orElseThrow();
        headquarters.click();
        WebElement warning = wait.until(ExpectedConditions.presenceOfElementLocated(By.id("waitlist-warning")));
        assertThat(warning.getText()).contains("wait for this app").contains("go to them at once");
        assertThat(browser.findElement(By.id("confirm-all")).getText()).contains("in Headquarters (US)").contains("1 license(s)");
        shot("09h-reclaim-with-waitlist-warning");
        browser.findElement(By.id("pause-waiting")).click();
        browser.findElement(By.cssSelector("#confirm-all button.danger")).click();
        assertThat(wait.until(ExpectedConditions.presenceOfElementLocated(By.id("flash-ok"))).getText())
                .contains("1 license(s) are being reclaimed").contains("waiting target(s) paused");
        // nobody takes the freed license: the rollout line settles at none licensed and none waiting
        wait.until(d -> {
            d.navigate().refresh();
            return d.findElement(By.id("rollout")).getText().matches("(?s).*\\b0 licensed.*\\b0 being assigned.*\\b0 waiting.*");
        });
        shot("09i-reclaimed-licenses-stay-free");
    }

    @Test
    @Order(8)
    void aRetryAfterShowsACountdown() throws IOException {
        String uId = "2049025000431439";
        sim("POST", "faults", "{\"uId\":\"" + uId + "\",\"status\":503,\"retryAfterSeconds\":600,\"count\":1}");
        open("/");
        browser.findElement(By.linkText("Headquarters (US)")).click();
        browser.findElement(By.id("sync-now")).click();
        WebElement countdown = new WebDriverWait(browser, Duration.ofSeconds(30))
                .until(ExpectedConditions.presenceOfElementLocated(By.cssSelector(".countdown")));
        String first = countdown.getText();
        assertThat(Integer.parseInt(first.replace(" s", ""))).isBetween(1, 600);
        wait.until(d -> !d.findElement(By.cssSelector(".countdown")).getText().equals(first)); // it ticks
        browser.navigate().refresh();
        assertThat(browser.findElement(By.id("account-state")).getText()).isEqualTo("BLOCKED");
        open("/");
        wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#cards .countdown")));
        shot("10-dashboard-retry-after");
    }

    /**
     * Account health on the dashboard: a token that expires in ten days, the account Apple holds back (Retry-After,
     * the job before), and a location another MDM took; the account's page checks with Apple at once and claims the
     * location back.
     */
    @Test
    @Order(9)
    void seeExpiringAndBlockedAccountsAndClaimALocationBack() throws IOException {
        String expires = java.time.Instant.now().plus(Duration.ofDays(10)).truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString();
        JsonNode kiosks = sim("POST", "locations", "{\"orgName\":\"Orchard Demo Kiosks\",\"locationName\":\"Kiosks (US)\","
                + "\"countryCode\":\"US\",\"uId\":\"4100000000000002\",\"expiresAt\":\"" + expires + "\",\"assets\":[]}");
        Path token = temp.resolve("kiosks.vpptoken");
        Files.writeString(token, kiosks.get("sToken").asString());
        open("/accounts");
        browser.findElement(By.id("token-file")).sendKeys(token.toString());
        browser.findElement(By.id("upload-token")).click();
        assertThat(wait.until(ExpectedConditions.presenceOfElementLocated(By.id("flash-ok"))).getText()).contains("Kiosks (US)");

        String berlin = null;
        for (JsonNode l : sim("GET", "locations", null)) {
            if (l.get("locationName").asString().contains("Berlin")) {
                berlin = l.get("uId").asString();
            }
        }
        sim("POST", "locations/" + berlin + "/claim", "{\"mdmInfo\":{\"id\":\"rival-1\",\"name\":\"Rival MDM\",\"metadata\":\"1\"}}");
        open("/accounts");
        browser.findElement(By.partialLinkText("Berlin")).click();
        browser.findElement(By.id("refresh-now")).click();
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("flash-ok")));
        String accountPage = browser.getCurrentUrl();
        wait.until(d -> {
            d.navigate().refresh();
            return !d.findElements(By.id("claimed-by-other")).isEmpty();
        });

        open("/");
        WebElement alerts = wait.until(ExpectedConditions.presenceOfElementLocated(By.id("alerts")));
        wait.until(d -> d.findElement(By.id("alerts")).getText().contains("Kiosks (US): the token expires in"));
        assertThat(browser.findElement(By.id("alerts")).getText()).contains("another MDM (Rival MDM) manages the location");
        assertThat(browser.findElements(By.cssSelector("#cards .countdown"))).as("the account Apple holds back").isNotEmpty();
        shot("10b-dashboard-account-health");

        browser.get(accountPage);
        browser.findElement(By.id("claim-back")).click();
        assertThat(wait.until(ExpectedConditions.presenceOfElementLocated(By.id("flash-ok"))).getText())
                .contains("managed by this Orchard again");
        assertThat(browser.findElements(By.id("claimed-by-other"))).isEmpty();
        assertThat(sim("GET", "locations/" + berlin, null).get("mdmInfo").get("name").asString()).isEqualTo("Orchard");
        shot("10c-location-claimed-back");
    }

    @Test
    @Order(10)
    void aViewerSeesNoActionsAndIsDenied() throws IOException {
        open("/settings");
        browser.findElement(By.name("username")).sendKeys("victor");
        browser.findElement(By.name("password")).sendKeys("viewer-password-1");
        browser.findElement(By.cssSelector("form[action='/settings/users'] button")).click();
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("flash-ok")));
        shot("11-settings");
        browser.findElement(By.id("logout")).click();
        wait.until(ExpectedConditions.urlContains("/login"));
        login("victor", "viewer-password-1");
        open("/accounts/1");
        assertThat(browser.findElements(By.id("sync-now"))).isEmpty();
        open("/settings");
        assertThat(browser.findElement(By.id("denied")).getText()).contains("does not allow");
        shot("12-viewer-denied");
        open("/no-such-page");
        assertThat(browser.findElement(By.id("problem")).getText()).contains("There is no page at /no-such-page");
    }

    /**
     * Every page at a desktop's and a phone's size: nothing wider than the viewport, no image that failed to load
     * (app icons, the favicon), no raw ISO time; screenshots of each at 1440×900 and 390×844.
     */
    @Test
    @Order(11)
    void everyPageFitsAPhoneAndADesktopWithNoBrokenImage() throws IOException {
        browser.findElement(By.id("logout")).click();
        login("admin", PASSWORD);
        List<String> pages = List.of("/", "/accounts", "/accounts/1", "/apps", "/apps/361309726", "/devices",
                "/devices/DMOBERLIN001", "/users", "/users/ann", "/groups", "/groups/sales", "/labels", "/operations", "/waitlist",
                "/leaks", "/leaks?kind=EXTERNAL", "/audit", "/settings");
        var js = (org.openqa.selenium.JavascriptExecutor) browser;
        try {
            for (var size : List.of(new Dimension(1440, 900), new Dimension(390, 844))) {
                browser.manage().window().setSize(size);
                for (String page : pages) {
                    open(page);
                    wait.until(d -> "complete".equals(js.executeScript("return document.readyState")));
                    wait.until(d -> (Boolean) js.executeScript("return Array.from(document.images).every(i => i.complete)"));
                    Object broken = js.executeScript("return Array.from(document.images).filter(i => i.naturalWidth === 0)"
                            + ".map(i => i.src).join(' ')");
                    assertThat(broken).as("broken images on %s at %s", page, size).isEqualTo("");
                    Object wide = js.executeScript("return document.documentElement.scrollWidth - document.documentElement.clientWidth");
                    assertThat(((Number) wide).intValue()).as("%s is wider than the %s viewport", page, size).isLessThanOrEqualTo(0);
                    assertThat(browser.findElement(By.tagName("main")).getText()).as(page)
                            .doesNotContainPattern("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}");
                    shot("page-" + size.getWidth() + "x" + size.getHeight() + page.replace('/', '_'));
                }
            }
        } finally {
            browser.manage().window().setSize(new Dimension(1280, 800));
        }
    }
}
