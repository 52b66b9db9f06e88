package dev.orchard.server.web.admin;

import static dev.orchard.server.OrchardInstance.ADMIN_PASSWORD;
import static dev.orchard.server.OrchardInstance.ADMIN_TOKEN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestBuilders.formLogin;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.csrf;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.user;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.multipart;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.flash;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.forwardedUrl;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.redirectedUrl;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;

import org.hamcrest.Matchers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.mock.web.MockMultipartFile;
import org.springframework.security.test.web.servlet.setup.SecurityMockMvcConfigurers;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.request.RequestPostProcessor;
import org.springframework.test.web.servlet.setup.MockMvcBuilders;
import org.springframework.web.context.WebApplicationContext;

import dev.orchard.applesim.AppleSimulator;
import dev.orchard.server.MutableClock;
import dev.orchard.server.OrchardInstance;

/**
 * Every admin UI controller through MockMvc on a running Orchard (simulator behind it): pages render with real data
 * and say what to do when empty, forms validate and change nothing on bad input, CSRF is required, and each role sees
 * and may do only what it should.
 */
class AdminPagesTests {

    @TempDir
    static Path dataDir;
    static AppleSimulator sim;
    static OrchardInstance orchard;
    static MockMvc mvc;
    static long us;

    static final RequestPostProcessor ADMIN = user("admin").roles("ADMIN");
    static final RequestPostProcessor OPERATOR = user("otto").roles("OPERATOR");
    static final RequestPostProcessor VIEWER = user("vic").roles("VIEWER");

    @BeforeAll
    static void start() {
        sim = AppleSimulator.builder().demoSeed().rateLimit(0).start();
        orchard = OrchardInstance.start(sim, dataDir, null, MutableClock.ticking(Instant.parse("2026-11-28T10:00:00Z")),
                "node-a", Map.of());
        mvc = MockMvcBuilders.webAppContextSetup((WebApplicationContext) orchard.context())
                .apply(SecurityMockMvcConfigurers.springSecurity()).build();
        var r = orchard.post("/api/v1/accounts", ADMIN_TOKEN, "{\"sToken\":\"" + sim.location("Orchard Demo Corp").sToken()
                + "\",\"takeOver\":true}");
        us = r.json().get("id").asLong();
        orchard.awaitSyncs(us, 1);
        orchard.method("PUT", "/api/v1/devices/UIDEV1", ADMIN_TOKEN, "{\"serialNumber\":\"UIDEV1\",\"platform\":\"iOS\",\"osVersion\":\"17.4\",\"country\":\"US\"}");
        // a session lasts while its user exists with its role: the users the requests sign in as exist
        var users = orchard.bean(dev.orchard.server.system.UiUsers.class);
        users.create("otto", "operator-password-1", dev.orchard.server.system.Role.OPERATOR);
        users.create("vic", "viewer-password-12", dev.orchard.server.system.Role.VIEWER);
    }

    /** A user removed, or given another role, is signed out at the next request (on any node: it is read each time). */
    @Test
    void aRemovedOrDemotedUsersSessionEndsAtOnce() throws Exception {
        var users = orchard.bean(dev.orchard.server.system.UiUsers.class);
        users.create("rita", "removed-password-1", dev.orchard.server.system.Role.OPERATOR);
        users.create("dora", "demoted-password-1", dev.orchard.server.system.Role.ADMIN);
        var rita = user("rita").roles("OPERATOR");
        var dora = user("dora").roles("ADMIN");
        mvc.perform(get("/devices").with(rita)).andExpect(status().isOk());
        mvc.perform(get("/settings").with(dora)).andExpect(status().isOk());

        users.delete("rita");
        orchard.bean(JdbcClient.class).sql("update admin_users set role = 'VIEWER' where username = 'dora'").update();
        mvc.perform(get("/devices").with(rita)).andExpect(status().is3xxRedirection()).andExpect(redirectedUrl("/login?ended"));
        mvc.perform(get("/settings").with(dora)).andExpect(status().is3xxRedirection()).andExpect(redirectedUrl("/login?ended"));
        mvc.perform(get("/login?ended")).andExpect(status().isOk())
                .andExpect(content().string(Matchers.containsString("Your session was ended")));
        mvc.perform(get("/devices").with(VIEWER)).andExpect(status().isOk());
    }

    @AfterAll
    static void stop() {
        orchard.close();
        sim.stop();
    }

    long count(String sql) {
        return orchard.bean(JdbcClient.class).sql(sql).query(Long.class).single();
    }

    @Test
    void loginIsRequiredAndWorksWithTheFormAndCsrf() throws Exception {
        mvc.perform(get("/")).andExpect(status().is3xxRedirection()).andExpect(redirectedUrl("/login"));
        mvc.perform(get("/login")).andExpect(status().isOk()).andExpect(content().string(Matchers.containsString("_csrf")));
        mvc.perform(formLogin("/login").user("admin").password(ADMIN_PASSWORD)).andExpect(redirectedUrl("/"));
        mvc.perform(formLogin("/login").user("admin").password("wrong")).andExpect(redirectedUrl("/login?error"));
        mvc.perform(post("/accounts/" + us + "/sync").with(ADMIN)).andExpect(status().isForbidden()); // no CSRF token
    }

    @Test
    void everyPageRendersWithData() throws Exception {
        mvc.perform(get("/").with(VIEWER)).andExpect(status().isOk())
                .andExpect(content().string(Matchers.allOf(Matchers.containsString("Headquarters (US)"),
                        Matchers.containsString("purchased"), Matchers.containsString("license(s) assigned outside Orchard"))));
        mvc.perform(get("/fragments/cards").with(VIEWER)).andExpect(status().isOk())
                .andExpect(content().string(Matchers.containsString("account-" + us)));
        mvc.perform(get("/accounts").with(VIEWER)).andExpect(status().isOk());
        mvc.perform(get("/accounts/" + us).with(VIEWER)).andExpect(status().isOk())
                .andExpect(content().string(Matchers.containsString("Sync history")));
        mvc.perform(get("/accounts/" + us + "/progress").with(VIEWER)).andExpect(status().isOk());
        mvc.perform(get("/apps").with(VIEWER)).andExpect(status().isOk())
                .andExpect(content().string(Matchers.containsString("Field Notes Pro")));
        mvc.perform(get("/apps/361309726").with(VIEWER)).andExpect(status().isOk())
                .andExpect(content().string(Matchers.containsString("License holders")));
        mvc.perform(get("/devices?q=uidev").with(VIEWER)).andExpect(status().isOk())
                .andExpect(content().string(Matchers.containsString("UIDEV1")));
        orchard.method("PUT", "/api/v1/devices/lowcase1", ADMIN_TOKEN, "{\"serialNumber\":\"lowcase1\",\"platform\":\"macOS\"}");
        // serial numbers are kept upper-case (V9): typed lower-case, found by a lower-case search and path
        mvc.perform(get("/devices?q=lowc").with(VIEWER)).andExpect(status().isOk())
                .andExpect(content().string(Matchers.containsString("LOWCASE1")));
        mvc.perform(get("/devices/lowcase1").with(VIEWER)).andExpect(status().isOk())
                .andExpect(content().string(Matchers.containsString("LOWCASE1")));
        mvc.perform(get("/devices?q=iPhone9").with(VIEWER)).andExpect(status().isOk())
                .andExpect(content().string(Matchers.containsString("No devices")));
        // the last characters of a serial, as an admin reads them off a label; LIKE's wildcards are taken literally
        mvc.perform(get("/devices?q=case1").with(VIEWER)).andExpect(status().isOk())
                .andExpect(content().string(Matchers.containsString("LOWCASE1")));
        mvc.perform(get("/devices?q=%25case").with(VIEWER)).andExpect(status().isOk())
                .andExpect(content().string(Matchers.containsString("No devices")));
        mvc.perform(get("/devices/UIDEV1").with(VIEWER)).andExpect(status().isOk())
                .andExpect(content().string(Matchers.containsString("Not enrolled")));
        mvc.perform(get("/operations").with(VIEWER)).andExpect(status().isOk())
                .andExpect(content().string(Matchers.allOf(Matchers.containsString("hx-get=\"/fragments/operations"),
                        Matchers.containsString("hx-trigger=\"every 5s\""))));
        mvc.perform(get("/fragments/operations").with(VIEWER)).andExpect(status().isOk())
                .andExpect(content().string(Matchers.allOf(Matchers.containsString("id=\"operations-live\""),
                        Matchers.containsString("Queued"))));
        mvc.perform(get("/operations?beforeId=5").with(VIEWER)).andExpect(status().isOk())
                .andExpect(content().string(Matchers.containsString("hx-trigger=\"none\"")));
        // an app's rollout, refreshed on its page
        mvc.perform(get("/apps/361309726/progress").with(VIEWER)).andExpect(status().isOk())
                .andExpect(content().string(Matchers.allOf(Matchers.containsString("licensed"), Matchers.containsString("waiting"),
                        Matchers.containsString("failed at Apple"))));
        mvc.perform(get("/audit?action=ACCOUNT_ADDED").with(VIEWER)).andExpect(status().isOk());
        // a date range, which the CSV honours (the test clock starts on 28 November 2026)
        mvc.perform(get("/audit.csv?action=ACCOUNT_ADDED&from=2026-11-27&to=2026-11-29").with(VIEWER))
                .andExpect(content().string(Matchers.containsString("ACCOUNT_ADDED")));
        mvc.perform(get("/audit.csv?action=ACCOUNT_ADDED&from=2026-12-01").with(VIEWER))
                .andExpect(content().string(Matchers.not(Matchers.containsString("ACCOUNT_ADDED"))));
        mvc.perform(get("/audit?from=2026-12-01&to=2026-12-02").with(VIEWER)).andExpect(status().isOk())
                .andExpect(content().string(Matchers.allOf(Matchers.containsString("for this filter"),
                        Matchers.containsString("from=2026-12-01"))));
        mvc.perform(get("/audit?from=yesterday").with(VIEWER)).andExpect(status().isBadRequest())
                .andExpect(content().string(Matchers.containsString("yyyy-MM-dd")));
        mvc.perform(get("/audit.csv").with(VIEWER)).andExpect(status().isOk())
                .andExpect(content().contentTypeCompatibleWith("text/csv"));
        mvc.perform(get("/settings").with(ADMIN)).andExpect(status().isOk())
                .andExpect(content().string(Matchers.containsString("API tokens")));
    }

    @Test
    void missingThingsArePagesNotStackTraces() throws Exception {
        mvc.perform(get("/devices/NOPE").with(VIEWER)).andExpect(status().isNotFound())
                .andExpect(content().string(Matchers.allOf(Matchers.containsString("no device"),
                        Matchers.not(Matchers.containsString("Exception")))));
        // a holder Apple has licenses for but Orchard was never told about has a page that says so
        String stranger = orchard.bean(JdbcClient.class).sql("select client_user_id from licenses where client_user_id is not null "
                + "and client_user_id not in (select user_id from directory_users) order by id limit 1").query(String.class).single();
        mvc.perform(get("/users/" + stranger).with(VIEWER)).andExpect(status().isOk())
                .andExpect(content().string(Matchers.containsString("does not know this <span>user</span>")));
        mvc.perform(get("/users/nobody-at-all").with(VIEWER)).andExpect(status().isNotFound());
        mvc.perform(get("/accounts/abc").with(VIEWER)).andExpect(status().isBadRequest());
    }

    @Test
    void rolesDecideWhatIsShownAndAllowed() throws Exception {
        mvc.perform(get("/accounts/" + us).with(VIEWER))
                .andExpect(content().string(Matchers.not(Matchers.containsString("sync-now"))));
        mvc.perform(get("/accounts/" + us).with(OPERATOR))
                .andExpect(content().string(Matchers.allOf(Matchers.containsString("sync-now"),
                        Matchers.not(Matchers.containsString("Delete account")))));
        mvc.perform(post("/accounts/" + us + "/sync").with(VIEWER).with(csrf()))
                .andExpect(status().isForbidden()).andExpect(forwardedUrl("/denied"));
        mvc.perform(get("/settings").with(OPERATOR)).andExpect(status().isForbidden());
        mvc.perform(post("/accounts/" + us + "/delete").param("confirm", "Headquarters (US)").with(OPERATOR).with(csrf()))
                .andExpect(status().isForbidden());
        mvc.perform(post("/accounts/" + us + "/sync").with(OPERATOR).with(csrf()))
                .andExpect(redirectedUrl("/accounts/" + us)).andExpect(flash().attribute("ok", Matchers.containsString("started")));
    }

    @Test
    void badFormsChangeNothingAndSayWhy() throws Exception {
        long accounts = count("select count(*) from accounts");
        mvc.perform(multipart("/accounts").with(ADMIN).with(csrf()))
                .andExpect(flash().attribute("error", Matchers.containsString(".vpptoken")));
        mvc.perform(multipart("/accounts").file(new MockMultipartFile("token", "x.vpptoken", "text/plain", "garbage".getBytes()))
                .with(ADMIN).with(csrf())).andExpect(flash().attribute("error", Matchers.notNullValue()));
        assertThat(count("select count(*) from accounts")).isEqualTo(accounts);

        mvc.perform(post("/settings/users").param("username", "vera").param("password", "short").param("role", "viewer")
                .with(ADMIN).with(csrf())).andExpect(flash().attribute("error", Matchers.containsString("12 characters")));
        assertThat(count("select count(*) from admin_users where username = 'vera'")).isZero();

        mvc.perform(post("/apps/361309726/settings").param("licenseType", "BOGUS").with(OPERATOR).with(csrf()))
                .andExpect(flash().attribute("error", Matchers.containsString("DEVICE or USER")));
        assertThat(count("select count(*) from app_settings")).isZero();

        mvc.perform(post("/settings/mdm-servers").param("name", "x").param("kind", "NANOMDM").param("url", "ftp://nope")
                .with(ADMIN).with(csrf())).andExpect(flash().attribute("error", Matchers.containsString("http")));
        assertThat(count("select count(*) from mdm_servers")).isZero();
    }

    @Test
    void destructiveActionsPreviewTheirCountAndNeedConfirmation() throws Exception {
        mvc.perform(post("/accounts/" + us + "/reclaim").with(OPERATOR).with(csrf())).andExpect(status().isOk())
                .andExpect(content().string(Matchers.allOf(Matchers.containsString("reclaim-confirm"),
                        Matchers.containsString("license(s) of"), Matchers.containsString("assigned outside it)"))));
        mvc.perform(post("/accounts/" + us + "/reclaim").param("confirm", "wrong name").with(OPERATOR).with(csrf()))
                .andExpect(flash().attribute("error", Matchers.containsString("nothing was reclaimed")));
        mvc.perform(post("/accounts/" + us + "/delete").param("confirm", "nope").with(ADMIN).with(csrf()))
                .andExpect(flash().attribute("error", Matchers.containsString("nothing was deleted")));
        assertThat(count("select count(*) from accounts where id = " + us)).isEqualTo(1);
        mvc.perform(get("/apps/361309726?reclaimAll=true").with(OPERATOR)).andExpect(status().isOk())
                .andExpect(content().string(Matchers.containsString("confirm-all")));
        mvc.perform(post("/apps/361309726/reclaim").param("expected", "999").with(OPERATOR).with(csrf()))
                .andExpect(flash().attribute("error", Matchers.containsString("changed")));
        // one account's licenses only, and a warning that the waitlist takes what is freed
        String name = orchard.get("/api/v1/accounts/" + us, ADMIN_TOKEN).json().get("name").asString();
        JdbcClient db = orchard.bean(JdbcClient.class);
        db.sql("insert into waitlist (holder_type, holder, adam_id, reason, kind, since, checked_at) values ('DEVICE', "
                + "'WAITER1', '361309726', 'no license left', 'WAITING', current_timestamp, current_timestamp)").update();
        try {
            mvc.perform(get("/apps/361309726?reclaimAll=true&reclaimAccount=" + us).with(OPERATOR)).andExpect(status().isOk())
                    .andExpect(content().string(Matchers.allOf(Matchers.containsString("in " + name),
                            Matchers.containsString("waitlist-warning"), Matchers.containsString("name=\"accountId\""))));
            mvc.perform(get("/apps/361309726?reclaimAll=true&reclaimAccount=999").with(OPERATOR)).andExpect(status().isNotFound());
        } finally {
            db.sql("delete from waitlist where holder = 'WAITER1'").update();
        }
        mvc.perform(get("/devices/UIDEV1?retire=true").with(OPERATOR))
                .andExpect(content().string(Matchers.containsString("confirm-retire")));
    }

    /**
     * Every page the admin UI links to, reached by following its links from the dashboard as an administrator: each
     * answers 200 and shows times and durations in words, never a raw ISO timestamp or duration, and never Spring's
     * Whitelabel page.
     */
    @Test
    void everyLinkedPageAnswersAndShowsNoRawTimes() throws Exception {
        var pattern = java.util.regex.Pattern.compile("href=\"(/[^\"#]*)\"");
        var iso = java.util.regex.Pattern.compile("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}|\\bPT\\d+[HMS]\\b|\\bP\\d+D\\b");
        var seen = new java.util.LinkedHashSet<String>();
        var queue = new java.util.ArrayDeque<String>(java.util.List.of("/", "/waitlist", "/waitlist?kind=BLOCKED"));
        while (!queue.isEmpty() && seen.size() < 150) {
            String page = queue.poll();
            if (!seen.add(page)) {
                continue;
            }
            var r = mvc.perform(get(page).with(ADMIN)).andReturn().getResponse();
            assertThat(r.getStatus()).as(page).isEqualTo(200);
            String html = r.getContentAsString();
            String text = html.replaceAll("(?s)<script.*?</script>", "").replaceAll("(?s)<style.*?</style>", "")
                    .replaceAll("<[^>]*>", " ");
            assertThat(text).as(page).doesNotContain("Whitelabel");
            var raw = iso.matcher(text);
            if (raw.find()) {
                throw new AssertionError(page + " shows a raw time or duration: …"
                        + text.substring(Math.max(0, raw.start() - 60), Math.min(text.length(), raw.end() + 20)) + "…");
            }
            var links = pattern.matcher(html);
            while (links.find()) {
                String link = org.springframework.web.util.HtmlUtils.htmlUnescape(links.group(1));
                if (!link.startsWith("/api") && !link.startsWith("/logout") && !link.contains(".csv") && !link.startsWith("/swagger")
                        && !link.startsWith("/v3") && !link.startsWith("/actuator") && !link.startsWith("/webjars")
                        && !link.startsWith("/css") && !link.startsWith("/js") && !link.startsWith("/favicon")) {
                    queue.add(link);
                }
            }
        }
        assertThat(seen).as("pages walked").hasSizeGreaterThan(10);
        mvc.perform(get("/waitlist?kind=LATER").with(VIEWER)).andExpect(status().isBadRequest())
                .andExpect(content().string(Matchers.containsString("kind must be WAITING or BLOCKED")));
    }

    /** Icons come from Orchard: Apple's artwork fetched once and kept, or a generated one; never a broken image. */
    @Test
    void appIconsAreServedByOrchard() throws Exception {
        JdbcClient db = orchard.bean(JdbcClient.class);
        dev.orchard.server.Await.until("Field Notes' metadata", () -> db.sql(
                "select count(*) from app_metadata where adam_id = '361309726' and icon_url is not null").query(Long.class).single() == 1);
        var first = mvc.perform(get("/icons/361309726").with(VIEWER)).andExpect(status().isOk()).andReturn().getResponse();
        assertThat(first.getContentType()).isEqualTo("image/png");
        assertThat(javax.imageio.ImageIO.read(new java.io.ByteArrayInputStream(first.getContentAsByteArray()))).isNotNull();
        assertThat(first.getHeader("Cache-Control")).contains("max-age=3600");
        assertThat(db.sql("select count(*) from app_icons where adam_id = '361309726'").query(Long.class).single()).isOne();
        mvc.perform(get("/icons/361309726").with(VIEWER)).andExpect(content().bytes(first.getContentAsByteArray()));
        // an app Orchard has no artwork for: its initial, generated
        mvc.perform(get("/icons/999999999").with(VIEWER)).andExpect(status().isOk())
                .andExpect(content().contentTypeCompatibleWith("image/svg+xml"));
        mvc.perform(get("/icons/not-an-id").with(VIEWER)).andExpect(status().isBadRequest());
        mvc.perform(get("/apps").with(VIEWER)).andExpect(content().string(Matchers.containsString("src=\"/icons/361309726\"")));
    }

    /** Groups are managed in the UI: created, renamed, members added (unknown users refused) and removed, deleted. */
    @Test
    void groupsAreManagedInTheUi() throws Exception {
        orchard.method("PUT", "/api/v1/users/gina", ADMIN_TOKEN, "{\"userId\":\"gina\",\"email\":\"gina@example.com\"}");
        mvc.perform(post("/groups").param("id", "field-crew").param("name", "Field crew").with(OPERATOR).with(csrf()))
                .andExpect(redirectedUrl("/groups")).andExpect(flash().attribute("ok", Matchers.containsString("created")));
        mvc.perform(post("/groups").param("id", "field-crew").with(OPERATOR).with(csrf()))
                .andExpect(flash().attribute("error", Matchers.containsString("exists")));
        mvc.perform(get("/groups").with(VIEWER)).andExpect(status().isOk())
                .andExpect(content().string(Matchers.containsString("Field crew")));

        mvc.perform(post("/groups/field-crew/members").param("add", "gina, nobody-here").with(OPERATOR).with(csrf()))
                .andExpect(flash().attribute("error", Matchers.containsString("unknown users: nobody-here")));
        mvc.perform(post("/groups/field-crew/members").param("add", "gina").with(OPERATOR).with(csrf()))
                .andExpect(redirectedUrl("/groups/field-crew")).andExpect(flash().attribute("ok", Matchers.startsWith("1 added")));
        mvc.perform(post("/groups/field-crew/rename").param("name", "Field crew (EMEA)").with(OPERATOR).with(csrf()))
                .andExpect(flash().attribute("ok", Matchers.containsString("Renamed")));
        mvc.perform(get("/groups/field-crew").with(VIEWER)).andExpect(status().isOk())
                .andExpect(content().string(Matchers.allOf(Matchers.containsString("Field crew (EMEA)"),
                        Matchers.containsString("gina@example.com"), Matchers.not(Matchers.containsString("Change members")))));
        mvc.perform(post("/groups/field-crew/members").param("add", "gina").with(VIEWER).with(csrf()))
                .andExpect(status().isForbidden());

        // a label naming a group with a typo is refused with the closest name
        mvc.perform(get("/users/gina").with(VIEWER)).andExpect(content().string(Matchers.containsString("href=\"/groups/field-crew\"")));
        var typo = orchard.post("/api/v1/labels", ADMIN_TOKEN, "{\"kind\":\"APP\",\"name\":\"Crew apps\",\"adamIds\":[\"361309726\"],"
                + "\"targets\":[{\"type\":\"GROUP\",\"value\":\"field-crow\"}]}");
        assertThat(typo.status()).isEqualTo(400);
        assertThat(typo.json().get("detail").asString()).contains("did you mean 'field-crew'?");

        mvc.perform(post("/groups/field-crew/delete").param("confirm", "field").with(OPERATOR).with(csrf()))
                .andExpect(flash().attribute("error", Matchers.containsString("nothing was deleted")));
        mvc.perform(post("/groups/field-crew/delete").param("confirm", "field-crew").with(OPERATOR).with(csrf()))
                .andExpect(redirectedUrl("/groups"));
        mvc.perform(get("/groups/field-crew").with(VIEWER)).andExpect(status().isNotFound());
    }

    /** An Apple operation has its own page: the request, Apple's answer, each target with its state and error. */
    @Test
    void anOperationHasADetailPageWithItsTargets() throws Exception {
        orchard.method("PUT", "/api/v1/devices/OPSDEV1", ADMIN_TOKEN,
                "{\"serialNumber\":\"OPSDEV1\",\"platform\":\"iOS\",\"osVersion\":\"17.4\",\"country\":\"US\"}");
        orchard.post("/api/v1/labels", ADMIN_TOKEN, "{\"kind\":\"LICENSE\",\"name\":\"Ops device\",\"accountId\":" + us
                + ",\"targets\":[{\"type\":\"SERIAL\",\"value\":\"OPSDEV1\"}]}");
        orchard.post("/api/v1/labels", ADMIN_TOKEN, "{\"kind\":\"APP\",\"name\":\"Ops app\",\"adamIds\":[\"361309726\"],"
                + "\"targets\":[{\"type\":\"SERIAL\",\"value\":\"OPSDEV1\"}]}");
        JdbcClient db = orchard.bean(JdbcClient.class);
        dev.orchard.server.Await.until("OPSDEV1's assignment sent", () -> db.sql(
                "select count(*) from operation_targets where serial_number = 'OPSDEV1' and operation_id is not null")
                .query(Long.class).single() == 1);
        long id = db.sql("select operation_id from operation_targets where serial_number = 'OPSDEV1'").query(Long.class).single();

        mvc.perform(get("/operations").with(VIEWER)).andExpect(status().isOk())
                .andExpect(content().string(Matchers.containsString("href=\"/operations/" + id + "\"")));
        mvc.perform(get("/operations/" + id).with(VIEWER)).andExpect(status().isOk())
                .andExpect(content().string(Matchers.allOf(Matchers.containsString("Operation " + id),
                        Matchers.containsString("device OPSDEV1"), Matchers.containsString("ASSOCIATE"),
                        Matchers.containsString("Targets"))));
        mvc.perform(get("/operations/999999").with(VIEWER)).andExpect(status().isNotFound());
    }

    /** "Why not?" on the device page: the app a label wants, why it is not there, and the button that fixes it. */
    @Test
    void theDevicePageSaysWhyAnAppIsMissingAndOffersTheFix() throws Exception {
        orchard.method("PUT", "/api/v1/devices/WHYDEV1", ADMIN_TOKEN,
                "{\"serialNumber\":\"WHYDEV1\",\"platform\":\"iOS\",\"osVersion\":\"17.4\",\"country\":\"US\"}");
        orchard.post("/api/v1/labels", ADMIN_TOKEN, "{\"kind\":\"APP\",\"name\":\"Why label\",\"adamIds\":[\"361309726\"],"
                + "\"targets\":[{\"type\":\"SERIAL\",\"value\":\"WHYDEV1\"}]}");
        JdbcClient db = orchard.bean(JdbcClient.class);
        // as rule R4c leaves it when the user deletes the app
        db.sql("insert into license_opt_outs (holder_type, holder, adam_id, rule, at) values ('DEVICE', 'WHYDEV1', '361309726', "
                + "'R4c', current_timestamp)").update();

        mvc.perform(get("/devices/WHYDEV1").with(VIEWER)).andExpect(status().isOk())
                .andExpect(content().string(Matchers.allOf(Matchers.containsString("Apps and why"),
                        Matchers.containsString("Why label"), Matchers.containsString("OPTED OUT"),
                        Matchers.not(Matchers.containsString("Allow again")))));
        mvc.perform(get("/devices/WHYDEV1").with(OPERATOR)).andExpect(status().isOk())
                .andExpect(content().string(Matchers.containsString("Allow again")));

        mvc.perform(post("/devices/WHYDEV1/opt-outs/not-an-id/allow").with(OPERATOR).with(csrf()))
                .andExpect(redirectedUrl("/devices/WHYDEV1")).andExpect(flash().attributeExists("error"));
        assertThat(db.sql("select count(*) from license_opt_outs where holder = 'WHYDEV1'").query(Long.class).single()).isOne();
        mvc.perform(post("/devices/WHYDEV1/opt-outs/361309726/allow").with(VIEWER).with(csrf()))
                .andExpect(status().isForbidden());
        mvc.perform(post("/devices/WHYDEV1/opt-outs/361309726/allow").with(OPERATOR).with(csrf()))
                .andExpect(redirectedUrl("/devices/WHYDEV1"))
                .andExpect(flash().attribute("ok", Matchers.containsString("Allowed again")));
        assertThat(db.sql("select count(*) from license_opt_outs where holder = 'WHYDEV1'").query(Long.class).single()).isZero();
        assertThat(db.sql("select count(*) from audit_events where action = 'REASSIGN_ALLOWED' and actor = 'otto'")
                .query(Long.class).single()).isOne();
        mvc.perform(get("/devices/WHYDEV1").with(VIEWER)).andExpect(status().isOk())
                .andExpect(content().string(Matchers.not(Matchers.containsString("OPTED OUT"))));
    }

    @Test
    void usersPagesShowADirectoryUser() throws Exception {
        orchard.method("PUT", "/api/v1/users/ada", ADMIN_TOKEN, "{\"userId\":\"ada\",\"email\":\"ada@example.com\",\"displayName\":\"Ada L\"}");
        mvc.perform(get("/users?q=ad").with(VIEWER)).andExpect(status().isOk())
                .andExpect(content().string(Matchers.containsString("ada@example.com")));
        mvc.perform(get("/users/ada").with(VIEWER)).andExpect(status().isOk())
                .andExpect(content().string(Matchers.allOf(Matchers.containsString("Ada L"),
                        Matchers.containsString("Not registered with Apple"))));
        mvc.perform(get("/users/nobody").with(VIEWER)).andExpect(status().isNotFound());
    }

    @Test
    void aLabelChangeIsPreviewedWithItsCountsBeforeItIsSaved() throws Exception {
        orchard.method("PUT", "/api/v1/devices/LBLDEV1", ADMIN_TOKEN, "{\"serialNumber\":\"LBLDEV1\",\"platform\":\"iPadOS\","
                + "\"osVersion\":\"17.4\",\"country\":\"US\"}");
        long labels = count("select count(*) from labels");
        mvc.perform(post("/labels").param("kind", "APP").param("name", "iPads get Field Notes").param("adamIds", "361309726")
                        .param("targets", "RULE platform=iPadOS").with(OPERATOR).with(csrf()))
                .andExpect(status().isOk())
                .andExpect(content().string(Matchers.allOf(Matchers.containsString("label-effect"),
                        Matchers.containsString("device LBLDEV1: 361309726"), Matchers.containsString("id=\"save\""))));
        assertThat(count("select count(*) from labels")).isEqualTo(labels);

        // a serial and an app Orchard does not know yet are refused as typos, unless labelled ahead: then the preview
        // names them
        mvc.perform(post("/labels").param("kind", "APP").param("name", "Ahead").param("adamIds", "999000111")
                        .param("targets", "SERIAL NOTYET01").with(OPERATOR).with(csrf()))
                .andExpect(content().string(Matchers.allOf(Matchers.containsString("id=\"label-error\""),
                        Matchers.containsString("no device has reported serial NOTYET01; no account holds app 999000111"),
                        Matchers.not(Matchers.containsString("id=\"save\"")))));
        mvc.perform(post("/labels").param("kind", "APP").param("name", "Ahead").param("adamIds", "999000111")
                        .param("targets", "SERIAL NOTYET01").param("ahead", "true").with(OPERATOR).with(csrf()))
                .andExpect(content().string(Matchers.allOf(Matchers.containsString("id=\"not-yet\""),
                        Matchers.containsString("No device has reported serial NOTYET01 yet"),
                        Matchers.containsString("No account holds app 999000111 yet"), Matchers.containsString("id=\"save\""))));
        mvc.perform(post("/labels").param("kind", "APP").param("name", "bad").param("targets", "RULE colour=blue")
                .with(OPERATOR).with(csrf())).andExpect(content().string(Matchers.containsString("Target line 1")));
        mvc.perform(post("/labels").param("kind", "LICENSE").param("name", "no account").param("targets", "ALL")
                .with(OPERATOR).with(csrf())).andExpect(content().string(Matchers.containsString("accountId")));
        assertThat(count("select count(*) from labels")).isEqualTo(labels);

        mvc.perform(post("/labels").param("kind", "APP").param("name", "iPads get Field Notes").param("adamIds", "361309726")
                        .param("targets", "RULE platform=iPadOS").param("action", "save").with(OPERATOR).with(csrf()))
                .andExpect(redirectedUrl("/labels")).andExpect(flash().attribute("ok", Matchers.containsString("saved")));
        assertThat(count("select count(*) from labels")).isEqualTo(labels + 1);
        // the picker lists the apps by name; picked ones and typed ones are one list, without repeats
        mvc.perform(get("/labels").with(OPERATOR)).andExpect(content().string(Matchers.allOf(
                Matchers.containsString("id=\"app-picker\""), Matchers.containsString("(361309726)"))));
        mvc.perform(post("/labels").param("kind", "APP").param("name", "Picked").param("adamIds", "361309726", "408709785")
                        .param("adamIds", "361309726").param("targets", "SERIAL LBLDEV1").param("action", "save").with(OPERATOR)
                        .with(csrf())).andExpect(redirectedUrl("/labels"));
        assertThat(orchard.bean(JdbcClient.class).sql("select a.adam_id from label_apps a join labels l on l.id = a.label_id "
                + "where l.name = 'Picked' order by a.adam_id").query(String.class).list()).containsExactly("361309726", "408709785");
        mvc.perform(get("/labels").with(VIEWER)).andExpect(status().isOk())
                .andExpect(content().string(Matchers.allOf(Matchers.containsString("iPads get Field Notes"),
                        Matchers.not(Matchers.containsString("label-form")))));
        mvc.perform(post("/labels").param("kind", "APP").param("name", "x").param("targets", "ALL").with(VIEWER).with(csrf()))
                .andExpect(status().isForbidden());
    }

    @Test
    void theLabelEditorPicksUsersDevicesAndGroupsAndSavesExclusions() throws Exception {
        orchard.method("PUT", "/api/v1/users/pick.ann", ADMIN_TOKEN, "{\"email\":\"ann@example.com\",\"displayName\":\"Ann Picker\"}");
        orchard.method("PUT", "/api/v1/groups/pickers", ADMIN_TOKEN, "{\"name\":\"Pickers\"}");
        orchard.method("PUT", "/api/v1/devices/C02PICK9876", ADMIN_TOKEN, "{\"serialNumber\":\"C02PICK9876\",\"platform\":\"iOS\","
                + "\"osVersion\":\"17.4\",\"country\":\"US\"}");
        // a device by the last digits of its serial, a user by name, a group by id: each with its add buttons
        mvc.perform(get("/fragments/label-picker").param("q", "9876").with(OPERATOR)).andExpect(content().string(Matchers.allOf(
                Matchers.containsString("data-add-line=\"SERIAL C02PICK9876\""), Matchers.containsString("data-to=\"exclusions\""))));
        mvc.perform(get("/fragments/label-picker").param("q", "pick").with(OPERATOR)).andExpect(content().string(Matchers.allOf(
                Matchers.containsString("data-add-line=\"USER pick.ann\""), Matchers.containsString("Ann Picker"),
                Matchers.containsString("data-add-line=\"GROUP pickers\""))));
        mvc.perform(get("/fragments/label-picker").param("q", "x").with(OPERATOR))
                .andExpect(content().string(Matchers.containsString("at least two characters")));

        // (a group's label, so the other tests' devices are not touched)
        mvc.perform(post("/labels").param("kind", "APP").param("name", "Pickers but not the picked").param("adamIds", "361309726")
                        .param("targets", "GROUP pickers").param("exclusions", "SERIAL C02PICK9876\nUSER pick.ann").with(OPERATOR).with(csrf()))
                .andExpect(content().string(Matchers.containsString("label-effect")));
        mvc.perform(post("/labels").param("kind", "APP").param("name", "Pickers but not the picked").param("adamIds", "361309726")
                        .param("targets", "GROUP pickers").param("exclusions", "SERIAL C02PICK9876\nUSER pick.ann").param("action", "save")
                        .with(OPERATOR).with(csrf())).andExpect(redirectedUrl("/labels"));
        assertThat(orchard.bean(JdbcClient.class).sql("select t.target_type || ' ' || coalesce(t.target_value, '') from label_targets t "
                + "join labels l on l.id = t.label_id where l.name = 'Pickers but not the picked' and t.excluded order by t.id")
                .query(String.class).list()).containsExactly("SERIAL C02PICK9876", "USER pick.ann");
        mvc.perform(get("/labels").with(VIEWER)).andExpect(content().string(Matchers.containsString("except SERIAL C02PICK9876")));
        long picked = orchard.bean(JdbcClient.class).sql("select id from labels where name = 'Pickers but not the picked'")
                .query(Long.class).single();
        // its rollout: pick.ann is in no group, so the label has no device, and the line stops asking
        mvc.perform(get("/labels/" + picked + "/progress").with(VIEWER)).andExpect(content().string(Matchers.allOf(
                Matchers.containsString("of"), Matchers.containsString("devices licensed"),
                Matchers.containsString("hx-trigger=\"none\""))));
        mvc.perform(post("/labels").param("kind", "APP").param("name", "bad").param("targets", "ALL").param("exclusions", "ALL")
                .with(OPERATOR).with(csrf())).andExpect(content().string(Matchers.containsString("exclusion of ALL")));
        mvc.perform(post("/labels").param("kind", "APP").param("name", "bad").param("targets", "ALL").param("exclusions", "GROUP nope")
                .with(OPERATOR).with(csrf())).andExpect(content().string(Matchers.containsString("no group")));
    }

    @Test
    void leaksAreCountedByKindAndActedOnOnlyAfterAPreview() throws Exception {
        long external = count("select count(*) from licenses where account_id = " + us + " and origin = 'EXTERNAL' "
                + "and intent is null and missing_since is null");
        mvc.perform(get("/leaks").with(VIEWER)).andExpect(status().isOk()).andExpect(content().string(Matchers.allOf(
                Matchers.containsString("data-kind=\"RETIRED_DEVICE\""), Matchers.containsString("data-kind=\"EXTERNAL\""),
                Matchers.containsString("assigned outside Orchard"), Matchers.not(Matchers.containsString("reclaim-preview")))));
        mvc.perform(get("/leaks").param("kind", "EXTERNAL").param("accountId", Long.toString(us)).with(OPERATOR))
                .andExpect(content().string(external == 0 ? Matchers.containsString("None in this account")
                        : Matchers.allOf(Matchers.containsString("id=\"reclaim-preview\""), Matchers.containsString("id=\"adopt-preview\""))));
        mvc.perform(get("/leaks").param("kind", "EXTERNAL").param("preview", "adopt").with(OPERATOR))
                .andExpect(content().string(Matchers.containsString("id=\"confirm-adopt\"")));
        mvc.perform(get("/leaks").param("kind", "nonsense").with(VIEWER)).andExpect(status().isBadRequest());
        // a confirmation whose count no longer matches does nothing and says why
        mvc.perform(post("/leaks/EXTERNAL/adopt").param("expected", Long.toString(external + 1)).with(OPERATOR).with(csrf()))
                .andExpect(flash().attribute("error", Matchers.containsString("changed from " + (external + 1))));
        assertThat(count("select count(*) from licenses where account_id = " + us + " and origin = 'EXTERNAL' "
                + "and intent is null and missing_since is null")).isEqualTo(external);
        mvc.perform(post("/leaks/EXTERNAL/adopt").param("expected", "0").with(VIEWER).with(csrf())).andExpect(status().isForbidden());
    }

    @Test
    void settingsCreateATokenShownOnceAndUsers() throws Exception {
        mvc.perform(post("/settings/tokens").param("name", "ci").param("role", "viewer").with(ADMIN).with(csrf()))
                .andExpect(flash().attribute("newToken", Matchers.startsWith("")))
                .andExpect(flash().attribute("ok", Matchers.containsString("not shown again")));
        mvc.perform(post("/settings/users").param("username", "olga").param("password", "a-long-password-1")
                .param("role", "operator").with(ADMIN).with(csrf())).andExpect(flash().attribute("ok", Matchers.containsString("operator")));
        mvc.perform(formLogin("/login").user("olga").password("a-long-password-1")).andExpect(redirectedUrl("/"));
        mvc.perform(post("/settings/users/admin/delete").with(ADMIN).with(csrf()))
                .andExpect(flash().attribute("error", Matchers.containsString("last admin")));
    }
}
