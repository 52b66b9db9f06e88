package dev.orchard.server.licensing;

import static dev.orchard.server.OrchardInstance.ADMIN_TOKEN;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.core.simple.JdbcClient;

import dev.orchard.applesim.AppleSimulator;
import dev.orchard.server.MutableClock;
import dev.orchard.server.OrchardInstance;
import dev.orchard.server.SimControl;
import tools.jackson.databind.JsonNode;

/**
 * An Orchard node and the Apple simulator (demo organisation, no rate limit, instant events) with the helpers the
 * licensing scenarios share: API calls, ledger counts, the simulator's request log, and waiting until the licensing
 * pass and the outbox have settled. Subclasses choose the database, and whether the test steps Orchard's background
 * work or lets db-scheduler run it.
 */
public abstract class LicensingScenario {

    protected static final String FIELD_NOTES = "361309726";
    protected static final String BOOK = "1187654321";

    protected final MutableClock clock = MutableClock.ticking(Instant.parse("2026-11-28T10:00:00Z"));

    @TempDir
    protected Path dataDir;
    protected AppleSimulator sim;
    protected SimControl control;
    protected OrchardInstance orchard;
    protected String usUid;
    protected long us;
    protected String url;

    /** The database Orchard runs on; null is the embedded H2 file. */
    protected String databaseUrl() {
        return null;
    }

    /**
     * True: Orchard's background work runs only when this test steps it (db-scheduler's {@code ManualScheduler}, see
     * {@link OrchardInstance#step}); false: on db-scheduler's own threads, as in production.
     */
    protected boolean stepped() {
        return false;
    }

    /** Waits until the condition holds, stepping Orchard's background work when the scenario is stepped. */
    protected void until(String what, java.util.function.BooleanSupplier condition) {
        orchard.until(what, condition);
    }

    @BeforeEach
    protected void start() {
        sim = AppleSimulator.builder().demoSeed().rateLimit(0).eventDelayMs(0).notificationRetryDelayMs(10).clock(clock).start();
        control = new SimControl(sim);
        url = databaseUrl();
        startOrchard();
        var location = sim.location("Orchard Demo Corp");
        usUid = location.uId();
        us = call("POST", "/api/v1/accounts", "{\"sToken\":\"" + location.sToken() + "\",\"takeOver\":true}").get("id").asLong();
        orchard.awaitSyncs(us, 1);
    }

    protected int port;
    protected final Map<String, Object> settings = new java.util.HashMap<>();

    /** Starts (or restarts) Orchard on the same port: Apple keeps sending notifications to the registered URL. */
    protected void startOrchard() {
        port = port == 0 ? OrchardInstance.freePort() : port;
        var p = new java.util.HashMap<String, Object>(settings);
        p.put("server.port", port);
        p.put("orchard.public-url", "http://127.0.0.1:" + port + "/");
        orchard = OrchardInstance.start(sim, dataDir, url, clock, "node-a", p, stepped());
    }

    @AfterEach
    protected void stop() {
        orchard.close();
        sim.stop();
    }

    protected JsonNode call(String method, String path, String json) {
        var r = orchard.method(method, path, ADMIN_TOKEN, json);
        assertThat(r.status()).as(method + " " + path + ": " + r.body()).isBetween(200, 299);
        return r.body().isEmpty() ? null : r.json();
    }

    protected JdbcClient db() {
        return orchard.bean(JdbcClient.class);
    }

    protected long count(String sql, Object... params) {
        return db().sql(sql).params(params).query(Long.class).single();
    }

    /** Waits until a licensing pass has run after the last change and the outbox has nothing in flight. */
    protected void settle() {
        try {
            awaitSettled();
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "; pass " + db().sql("select * from licensing_pass").query().listOfRows()
                    + "; outbox " + db().sql("select action, state, count(*) from operation_targets group by action, state").query().listOfRows()
                    + "; tasks " + db().sql("select task_name, task_instance, execution_time, picked from scheduled_tasks").query().listOfRows()
                    + "; now " + clock.instant() + "; notifications " + control.get("notifications"), e);
        }
    }

    protected void awaitSettled() {
        until("the licensing pass and the outbox to settle", () -> count("select count(*) from licensing_pass "
                + "where running = false and wanted = false and finished_at is not null "
                + "and not exists (select 1 from licensing_subjects)") == 1
                && count("select count(*) from operation_targets where state in ('SENDING', 'SENT') "
                + "or (state = 'QUEUED' and not_before <= ?)", java.sql.Timestamp.from(clock.instant())) == 0);
    }

    protected long simRequests(String path, int status) {
        long n = 0;
        for (JsonNode r : control.get("requests?path=/mdm/v2/" + path + "&uId=" + usUid)) {
            if (r.get("status").asInt() == status) {
                n++;
            }
        }
        return n;
    }

    /** Creates the label; returns its id. */
    protected long label(String json) {
        return call("POST", "/api/v1/labels", json).get("id").asLong();
    }

    protected void usDevicesGetFieldNotes() {
        label("{\"kind\":\"LICENSE\",\"name\":\"US iPhones\",\"accountId\":" + us + ",\"targets\":[{\"type\":\"RULE\",\"platform\":\"iOS\"}]}");
        label("{\"kind\":\"APP\",\"name\":\"Field Notes\",\"adamIds\":[\"" + FIELD_NOTES + "\"],\"targets\":[{\"type\":\"ALL\"}]}");
    }

    protected String phones(String prefix, int n) {
        var list = new ArrayList<String>();
        for (int i = 1; i <= n; i++) {
            list.add("{\"serialNumber\":\"" + prefix + i + "\",\"platform\":\"iOS\",\"osVersion\":\"17.4\",\"country\":\"US\"}");
        }
        return "[" + String.join(",", list) + "]";
    }

    protected long orchardLicenses(String where) {
        return count("select count(*) from licenses where origin = 'ORCHARD' " + where);
    }
}
