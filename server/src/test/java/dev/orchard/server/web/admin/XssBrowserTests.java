package dev.orchard.server.web.admin;

import static dev.orchard.server.OrchardInstance.ADMIN_PASSWORD;
import static dev.orchard.server.OrchardInstance.ADMIN_TOKEN;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

import dev.orchard.applesim.AppleSimulator;
import dev.orchard.server.Await;
import dev.orchard.server.OrchardInstance;
import dev.orchard.server.SimControl;
import tools.jackson.databind.json.JsonMapper;

/**
 * Stored XSS, looked for in a real Chromium: every name field (API token, MDM server, account, label, group, user,
 * device model, and the app names Apple sends) is filled with each entry of a corpus of script-injection payloads,
 * then every page that renders them, and every confirm panel of a destructive action, is opened. On each page no
 * payload may have run ({@code window.__xss}), none may have become an element (an {@code img} with {@code onerror},
 * an {@code svg} with {@code onload}, an inline script), the browser may report no Content-Security-Policy violation,
 * and the names must read literally. Then the confirm panels are used: the action happens, on the right object.
 */
class XssBrowserTests {

    static final List<String> CORPUS = List.of(
            "<script>window.__xss=1</script>",
            "\"><img src=x onerror=window.__xss=2>",
            "'><svg onload=window.__xss=3>",
            "');window.__xss=4;//",
            "</textarea><script>window.__xss=5</script>",
            "\" autofocus onfocus=\"window.__xss=6",
            "javascript:window.__xss=7",
            "{{constructor.constructor('window.__xss=8')()}}");
    static final JsonMapper JSON = JsonMapper.builder().build();

    @TempDir
    static Path temp;
    static AppleSimulator sim;
    static OrchardInstance orchard;
    static WebDriver browser;
    static WebDriverWait wait;
    static long accountId;
    static final List<String> pages = new ArrayList<>();
    static final List<Long> tokenIds = new ArrayList<>();
    static final List<Long> serverIds = new ArrayList<>();

    static String json(String s) {
        return JSON.writeValueAsString(s);
    }

    @BeforeAll
    static void start() {
        sim = AppleSimulator.builder().rateLimit(0).eventDelayMs(0).start();
        var control = new SimControl(sim);
        orchard = OrchardInstance.start(sim, temp.resolve("data"), null, Clock.systemUTC(), "node-a", Map.of());
        var assets = new StringBuilder();
        for (int i = 0; i < CORPUS.size(); i++) {
            assets.append(i == 0 ? "" : ",").append("{\"adamId\":\"90000000").append(i).append("\",\"totalCount\":5,\"name\":")
                    .append(json(CORPUS.get(i))).append(",\"countries\":[\"US\"]}");
        }
        var loc = control.post("locations", "{\"orgName\":\"XSS Org\",\"locationName\":" + json(CORPUS.get(1))
                + ",\"countryCode\":\"US\",\"uId\":\"xss-1\",\"assets\":[" + assets + "]}");
        var added = orchard.post("/api/v1/accounts", ADMIN_TOKEN, "{\"name\":" + json(CORPUS.get(0)) + ",\"sToken\":\""
                + loc.get("sToken").asString() + "\"}");
        assertThat(added.status()).as(added.body()).isEqualTo(201);
        accountId = added.json().get("id").asLong();
        orchard.post("/api/v1/accounts/" + accountId + "/sync?full=true", ADMIN_TOKEN, null);
        Await.until("the apps are synced", () -> orchard.get("/api/v1/accounts/" + accountId + "/apps", ADMIN_TOKEN).json().size()
                == CORPUS.size());

        for (int i = 0; i < CORPUS.size(); i++) {
            String p = json(CORPUS.get(i));
            String serial = "XSSDEV0" + i;
            ok(orchard.method("PUT", "/api/v1/devices/" + serial, ADMIN_TOKEN, "{\"serialNumber\":\"" + serial
                    + "\",\"platform\":\"iOS\",\"osVersion\":\"17.4\",\"model\":" + p + "}"));
            ok(orchard.method("PUT", "/api/v1/users/xss-user-" + i, ADMIN_TOKEN, "{\"displayName\":" + p
                    + ",\"email\":\"xss" + i + "@example.com\"}"));
            ok(orchard.method("PUT", "/api/v1/groups/xss-group-" + i, ADMIN_TOKEN, "{\"name\":" + p + "}"));
            long label = ok(orchard.post("/api/v1/labels", ADMIN_TOKEN, "{\"kind\":\"APP\",\"ahead\":true,\"name\":" + json(CORPUS.get(i) + " label")
                    + ",\"targets\":[{\"type\":\"SERIAL\",\"value\":\"NOSUCH01\"}],\"adamIds\":[\"90000000" + i + "\"]}")).json().get("id").asLong();
            tokenIds.add(ok(orchard.post("/api/v1/tokens", ADMIN_TOKEN, "{\"name\":" + p + ",\"role\":\"viewer\"}")).json()
                    .get("token").get("id").asLong());
            serverIds.add(ok(orchard.post("/api/v1/mdm/servers", ADMIN_TOKEN, "{\"name\":" + p + ",\"kind\":\"WEBHOOK\","
                    + "\"url\":\"https://mdm" + i + ".example.com\"}")).json().get("id").asLong());
            pages.addAll(List.of("/devices/" + serial, "/users/xss-user-" + i, "/labels/" + label, "/apps/90000000" + i));
        }
        for (long id : tokenIds) {
            pages.add("/settings?revoke=" + id);
        }
        for (long id : serverIds) {
            pages.add("/settings?removeServer=" + id);
        }
        pages.addAll(List.of("/", "/accounts", "/accounts/" + accountId, "/apps", "/devices", "/users", "/labels", "/settings",
                "/audit", "/operations", "/nosuch-page"));

        browser = Chromium.start(temp.resolve("chromium"));
        wait = new WebDriverWait(browser, Duration.ofSeconds(30));
        browser.get(orchard.uri("/login").toString());
        browser.findElement(By.id("username")).sendKeys("admin");
        browser.findElement(By.id("password")).sendKeys(ADMIN_PASSWORD);
        browser.findElement(By.id("login")).click();
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("logout")));
    }

    @AfterAll
    static void stop() {
        if (browser != null) {
            browser.quit();
        }
        orchard.close();
        sim.stop();
    }

    static OrchardInstance.Response ok(OrchardInstance.Response r) {
        assertThat(r.status()).as(r.body()).isBetween(200, 299);
        return r;
    }

    /** What the page shows of an injection: whether one ran, elements made of payloads, inline scripts. */
    static List<String> injections(String page) {
        var found = new ArrayList<String>();
        var js = (JavascriptExecutor) browser;
        Object ran = js.executeScript("return window.__xss === undefined ? null : String(window.__xss);");
        if (ran != null) {
            found.add(page + ": payload " + ran + " ran");
        }
        Number made = (Number) js.executeScript("return document.querySelectorAll('img[src=\"x\"], svg[onload], [onerror], [onfocus], "
                + "[onload], [onmouseover], script:not([src]), a[href^=\"javascript:\"]').length;");
        if (made.intValue() > 0) {
            found.add(page + ": " + made + " element(s) made of a payload or inline script");
        }
        for (LogEntry e : browser.manage().logs().get(LogType.BROWSER)) {
            if (e.getMessage().contains("Content Security Policy") || e.getMessage().contains("Content-Security-Policy")) {
                found.add(page + ": CSP violation: " + e.getMessage());
            }
        }
        return found;
    }

    @Test
    void noPayloadRunsOrBecomesMarkupOnAnyPage() {
        var found = new ArrayList<String>();
        for (String page : pages) {
            browser.get(orchard.uri(page).toString());
            wait.until(d -> "complete".equals(((JavascriptExecutor) d).executeScript("return document.readyState")));
            found.addAll(injections(page));
        }
        assertThat(found).isEmpty();
        assertThat(pages).hasSizeGreaterThan(40);
    }

    @Test
    void namesReadLiterally() {
        browser.get(orchard.uri("/settings").toString());
        String settings = browser.findElement(By.tagName("body")).getText();
        for (String p : CORPUS) {
            assertThat(settings).contains(p);
        }
        browser.get(orchard.uri("/apps").toString());
        assertThat(browser.findElement(By.tagName("body")).getText()).contains(CORPUS.get(0)).contains(CORPUS.get(7));
        browser.get(orchard.uri("/accounts/" + accountId).toString());
        assertThat(browser.findElement(By.tagName("body")).getText()).contains(CORPUS.get(0));
    }

    @Test
    void theConfirmPanelsShowTheNameAsTextAndDoWhatTheySay() {
        // revoke the token named with payload 2, from its row's "Revoke…" button
        long token = tokenIds.get(1);
        browser.get(orchard.uri("/settings").toString());
        browser.findElement(By.cssSelector("a[href$='revoke=" + token + "#confirm']")).click();
        var panel = wait.until(ExpectedConditions.presenceOfElementLocated(By.id("confirm")));
        assertThat(panel.getText()).contains(CORPUS.get(1)).contains("Revoke");
        assertThat(injections("revoke confirm")).isEmpty();
        browser.findElement(By.id("confirm-no")).click();
        wait.until(ExpectedConditions.invisibilityOfElementLocated(By.id("confirm")));
        assertThat(orchard.get("/api/v1/tokens", ADMIN_TOKEN).body()).doesNotContain("\"revokedAt\":\"");

        browser.findElement(By.cssSelector("a[href$='revoke=" + token + "#confirm']")).click();
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("confirm-yes"))).click();
        assertThat(wait.until(ExpectedConditions.presenceOfElementLocated(By.id("flash-ok"))).getText()).contains("revoked");
        var tokens = orchard.get("/api/v1/tokens", ADMIN_TOKEN).json();
        for (var t : tokens) {
            assertThat(t.get("active").asBoolean()).as(t.toString()).isEqualTo(t.get("id").asLong() != token);
        }

        // remove the MDM server named with payload 3
        long server = serverIds.get(2);
        browser.findElement(By.cssSelector("a[href$='removeServer=" + server + "#confirm']")).click();
        panel = wait.until(ExpectedConditions.presenceOfElementLocated(By.id("confirm")));
        assertThat(panel.getText()).contains(CORPUS.get(2));
        assertThat(injections("server confirm")).isEmpty();
        browser.findElement(By.id("confirm-yes")).click();
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("flash-ok")));
        assertThat(orchard.get("/api/v1/mdm/servers/" + server, ADMIN_TOKEN).status()).isEqualTo(404);
        assertThat(orchard.get("/api/v1/mdm/servers", ADMIN_TOKEN).json().size()).isEqualTo(CORPUS.size() - 1);
    }
}
