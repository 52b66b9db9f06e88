package dev.orchard.server.licensing;

import static dev.orchard.server.OrchardInstance.ADMIN_TOKEN;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;

import org.springframework.jdbc.core.simple.JdbcClient;

import dev.orchard.applesim.AppleSimulator;
import dev.orchard.server.Await;
import dev.orchard.server.MutableClock;
import dev.orchard.server.OrchardInstance;
import dev.orchard.server.SimControl;

/** One Orchard with the simulator for every try of a property (started by the subclass's container hook). */
final class ConvergenceWorld {
    final MutableClock clock = MutableClock.ticking(Instant.parse("2026-11-28T10:00:00Z"));
    final AppleSimulator sim;
    final SimControl control;
    OrchardInstance orchard;
    final String uId;
    final long account;
    final Path dataDir;
    final String databaseUrl;
    final int port = OrchardInstance.freePort();

    ConvergenceWorld(String databaseUrl) throws Exception {
        this.databaseUrl = databaseUrl;
        dataDir = Files.createTempDirectory("orchard-convergence");
        sim = AppleSimulator.builder().demoSeed().rateLimit(0).eventDelayMs(0).notificationRetryDelayMs(10).clock(clock).start();
        control = new SimControl(sim);
        startOrchard();
        var location = sim.location("Orchard Demo Corp");
        uId = location.uId();
        account = orchard.post("/api/v1/accounts", ADMIN_TOKEN, "{\"sToken\":\"" + location.sToken() + "\",\"takeOver\":true}")
                .json().get("id").asLong();
        orchard.awaitSyncs(account, 1);
        // enough licenses for every case: the desired state does not count a pool running out
        control.post("locations/" + uId + "/purchases", "{\"adamId\":\"" + ConvergenceProperty.FIELD_NOTES + "\",\"count\":100000}");
        Await.until("the purchase counted", () -> count("select coalesce(max(available_count), 0) from pools where account_id = ? "
                + "and adam_id = ?", account, ConvergenceProperty.FIELD_NOTES) > 50000);
    }

    private void startOrchard() {
        orchard = OrchardInstance.start(sim, dataDir, databaseUrl, clock, "node-a", Map.of("server.port", port,
                "orchard.public-url", "http://127.0.0.1:" + port + "/"));
    }

    void restart() {
        orchard.close();
        startOrchard();
    }

    void close() {
        orchard.close();
        sim.stop();
    }

    String call(String method, String path, String json) {
        var r = orchard.method(method, path, ADMIN_TOKEN, json);
        if (r.status() / 100 != 2) {
            throw new AssertionError(method + " " + path + " → " + r.status() + " " + r.body());
        }
        return r.body();
    }

    long count(String sql, Object... params) {
        return orchard.bean(JdbcClient.class).sql(sql).params(params).query(Long.class).single();
    }

    /**
     * Waits until nothing is left to do; where only time can move it on (a Retry-After block, a notification
     * lost while Orchard was down that a status poll makes up for), moves the clock five minutes at a time.
     */
    void settle() {
        for (int round = 0; round < 12; round++) {
            if (count("select count(*) from accounts where blocked_until > ?", java.sql.Timestamp.from(clock.instant())) > 0) {
                clock.advance(java.time.Duration.ofMinutes(5)); // only time ends a Retry-After block
                continue;
            }
            try {
                settledWithin(java.time.Duration.ofSeconds(3));
                return;
            } catch (AssertionError notYet) {
                // a Retry-After block to wait out, or a status poll due 5 minutes after a lost notification
                clock.advance(java.time.Duration.ofMinutes(5));
            }
        }
        settledWithin(java.time.Duration.ofSeconds(20));
    }

    /** Nothing queued in Orchard: a pass ran after the last change and no target waits to be sent. */
    void quiet() {
        Await.until("Orchard to have nothing queued", () -> count("select count(*) from licensing_pass "
                + "where running = false and wanted = false and finished_at is not null "
                + "and not exists (select 1 from licensing_subjects)") == 1
                && count("select count(*) from operation_targets where state = 'SENDING' "
                + "or (state = 'QUEUED' and not_before <= ?)", java.sql.Timestamp.from(clock.instant())) == 0
                || count("select count(*) from accounts where blocked_until > ?", java.sql.Timestamp.from(clock.instant())) > 0);
    }

    /**
     * Settled: a pass ran after the last change, nothing is in flight or due, no notification waits, no block holds,
     * and that stays so for 300 ms (a pass asked for after a commit, by a released license say, shows in the
     * database only once the committing thread has asked for it).
     */
    private void settledWithin(java.time.Duration timeout) {
        Await.steady("the licensing pass and the outbox to settle", () -> count("select count(*) from licensing_pass "
                + "where running = false and wanted = false and finished_at is not null "
                + "and not exists (select 1 from licensing_subjects)") == 1
                && count("select count(*) from operation_targets where state in ('SENDING', 'SENT') "
                + "or (state = 'QUEUED' and not_before <= ?)", java.sql.Timestamp.from(clock.instant())) == 0
                && count("select count(*) from apple_notifications where processed_at is null") == 0
                && count("select count(*) from accounts where blocked_until > ?", java.sql.Timestamp.from(clock.instant())) == 0,
                java.time.Duration.ofMillis(300), timeout);
    }
}
