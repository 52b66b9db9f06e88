package dev.orchard.server.web.admin;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.springframework.context.ConfigurableApplicationContext;

import dev.orchard.applesim.AppleSimulator;
import dev.orchard.server.MutableClock;
import dev.orchard.server.OrchardInstance;
import dev.orchard.testidp.TestIdentityProvider;

/**
 * Single sign-on in Debian's Chromium against a real OpenID Connect provider (Spring Authorization Server, which
 * requires PKCE of this client): the provider's group claim gives alice the admin role and bob the viewer role; eve's
 * groups give none and she is told so; removing alice in Orchard ends her session; the local admin still signs in
 * with a password beside the single sign-on button. The provider runs on {@code localhost} and Orchard on
 * {@code 127.0.0.1}: browsers share cookies across ports of one host, and the two session cookies would clash.
 */
class OidcLoginBrowserTests {

    @TempDir
    static Path temp;
    static AppleSimulator sim;
    static ConfigurableApplicationContext idp;
    static OrchardInstance orchard;
    static WebDriver browser;
    static WebDriverWait wait;
    static String base;
    static String idpBase;

    @BeforeAll
    static void start() {
        int port = OrchardInstance.freePort();
        int idpPort = OrchardInstance.freePort();
        base = "http://127.0.0.1:" + port;
        idpBase = "http://localhost:" + idpPort;
        idp = TestIdentityProvider.start(idpPort, base + "/login/oauth2/code/oidc");
        sim = AppleSimulator.builder().rateLimit(0).start();
        orchard = OrchardInstance.start(sim, temp.resolve("data"), null, new MutableClock(Instant.now()), "node-a", Map.of(
                "server.port", port, "orchard.security.oidc.issuer-uri", "http://localhost:" + idpPort,
                "orchard.security.oidc.client-id", TestIdentityProvider.CLIENT_ID,
                "orchard.security.oidc.client-secret", TestIdentityProvider.CLIENT_SECRET,
                "orchard.security.oidc.admin-values", "orchard-admins", "orchard.security.oidc.viewer-values", "orchard-viewers",
                "orchard.security.oidc.button-text", "Sign in with Test IdP"));
        browser = Chromium.start(temp.resolve("chromium"));
        wait = new WebDriverWait(browser, Duration.ofSeconds(30));
    }

    @AfterAll
    static void stop() {
        if (browser != null) {
            browser.quit();
        }
        if (orchard != null) {
            orchard.close();
        }
        if (idp != null) {
            idp.close();
        }
        if (sim != null) {
            sim.stop();
        }
    }

    @Test
    void providerGroupsGiveRolesAndTheLocalAdminStays() {
        signIn("alice");
        assertThat(browser.findElement(By.cssSelector(".who")).getText()).contains("alice").contains("admin");
        assertThat(browser.findElements(By.linkText("Settings"))).hasSize(1);
        browser.get(base + "/settings");
        assertThat(browser.findElement(By.tagName("h1")).getText()).isEqualTo("Settings");
        assertThat(browser.getPageSource()).contains("alice"); // recorded as a user, with the role the provider gave
        assertThat(orchard.get("/api/v1/audit?action=USER_ADDED&subject=ui%20user%20alice", OrchardInstance.ADMIN_TOKEN).json()
                .get("items").get(0).get("detail").asString()).contains("admin, at the first single sign-on");

        // removed in Orchard: her session ends at the next page
        assertThat(orchard.method("DELETE", "/api/v1/ui-users/alice", OrchardInstance.ADMIN_TOKEN, null).status()).isEqualTo(204);
        browser.get(base + "/");
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("login-ended")));
        forget();

        signIn("bob");
        assertThat(browser.findElement(By.cssSelector(".who")).getText()).contains("bob").contains("viewer");
        assertThat(browser.findElements(By.linkText("Settings"))).isEmpty();
        browser.get(base + "/settings");
        assertThat(browser.findElements(By.id("denied"))).as("a viewer may not open the settings").hasSize(1);
        logOut();

        signInAtProvider("eve");
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("login-sso")));
        assertThat(browser.findElement(By.id("login-sso")).getText()).contains("nothing in it gives you a role");
        assertThat(orchard.get("/api/v1/ui-users", OrchardInstance.ADMIN_TOKEN).body()).doesNotContain("\"eve\"");
        forget();

        // the break-glass admin signs in with its password beside the button
        browser.get(base + "/login");
        browser.findElement(By.id("username")).sendKeys("admin");
        browser.findElement(By.id("password")).sendKeys(OrchardInstance.ADMIN_PASSWORD);
        browser.findElement(By.id("login")).click();
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("logout")));
        logOut();
        // a provider user has no password here
        assertThat(orchard.submitLogin("bob", "").header("Location")).contains("/login?error");
    }

    @Test
    void passwordSignInCanBeSwitchedOff() {
        var only = OrchardInstance.start(sim, temp.resolve("data-sso-only"), null, new MutableClock(Instant.now()), "node-b", Map.of(
                "orchard.security.oidc.issuer-uri", "http://localhost:1", "orchard.security.oidc.client-id", "x",
                "orchard.security.oidc.local-login", "false"));
        try {
            assertThat(only.submitLogin("admin", OrchardInstance.ADMIN_PASSWORD).header("Location")).contains("/login?local-off");
            String page = only.get("/login", null).body();
            assertThat(page).contains("id=\"sso\"").doesNotContain("id=\"password\"");
            // the provider cannot be reached: the login page says so instead of an error page
            var session = only.get("/oauth2/authorization/oidc", null);
            assertThat(session.status()).isEqualTo(302);
            assertThat(session.header("Location")).contains("/login?sso=provider_unreachable");
        } finally {
            only.close();
        }
    }

    private static void signIn(String user) {
        signInAtProvider(user);
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("logout")));
    }

    private static void signInAtProvider(String user) {
        browser.get(base + "/login");
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("sso")));
        assertThat(browser.findElement(By.id("sso")).getText()).isEqualTo("Sign in with Test IdP");
        browser.findElement(By.id("sso")).click();
        wait.until(ExpectedConditions.urlContains("localhost"));
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("username")));
        browser.findElement(By.id("username")).sendKeys(user);
        browser.findElement(By.id("password")).sendKeys(TestIdentityProvider.password(user));
        browser.findElement(By.cssSelector("button[type=submit]")).click();
        wait.until(ExpectedConditions.urlContains("127.0.0.1"));
    }

    private static void logOut() {
        browser.findElement(By.id("logout")).click();
        wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector(".login")));
        forget();
    }

    /** Ends the browser's sessions at Orchard and at the provider (cookies are per host: each is cleared on its page). */
    private static void forget() {
        browser.manage().deleteAllCookies();
        browser.get(idpBase + "/login");
        browser.manage().deleteAllCookies();
    }
}
