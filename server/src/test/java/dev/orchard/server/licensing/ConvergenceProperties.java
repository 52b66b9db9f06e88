package dev.orchard.server.licensing;

import static dev.orchard.server.OrchardInstance.ADMIN_TOKEN;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import org.springframework.jdbc.core.simple.JdbcClient;

import dev.orchard.applesim.AppleSimulator;
import dev.orchard.server.Await;
import dev.orchard.server.MutableClock;
import dev.orchard.server.OrchardInstance;
import dev.orchard.server.SimControl;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

/**
 * The ledger's convergence property, against a running Orchard and the simulator: any interleaving of lifecycle
 * events (enrol, retire, reactivate, a label taking a device in or out, the user removing the app, an
 * administrator's reclaim, letting it be assigned again) with Apple's behaviours (events held PENDING while
 * Orchard acts — so assignments are in flight when devices change —, notifications sent twice) ends, once
 * everything has settled, with <b>Apple's assignments equal to the desired state and Orchard's ledger equal to
 * Apple</b>. Each try works on its own three devices and its own App label, so tries share one Orchard.
 * Subclasses choose the database.
 */
abstract class ConvergenceProperties {

    static final String FIELD_NOTES = "361309726";
    static final int DEVICES = 3;
    private static final AtomicInteger TRIES = new AtomicInteger();

    /** One lifecycle event or Apple behaviour; {@code device} is 0..2 where it names one. */
    sealed interface Step permits Enrol, Retire, Reactivate, Target, RemoveApp, AdminReclaim, AllowAgain, AppleSlow,
            AppleResumes, DuplicateNotifications, AppleUnavailable, Restart {
    }

    record Enrol(int device) implements Step {
    }

    record Retire(int device) implements Step {
    }

    record Reactivate(int device) implements Step {
    }

    record Target(int device, boolean in) implements Step {
    }

    record RemoveApp(int device) implements Step {
    }

    record AdminReclaim(int device) implements Step {
    }

    record AllowAgain(int device) implements Step {
    }

    record AppleSlow() implements Step {
    }

    record AppleResumes() implements Step {
    }

    record DuplicateNotifications(boolean on) implements Step {
    }

    /** Apple answers the next request with 503 and Retry-After: the account waits (the clock is moved past it). */
    record AppleUnavailable() implements Step {
    }

    /** Orchard stops and starts again; Apple's notifications sent meanwhile are lost. */
    record Restart() implements Step {
    }

    /** Weight of restarts among the steps (each costs a few seconds); 0 leaves them out. */
    static int restarts() {
        return 1;
    }

    static Arbitrary<List<Step>> steps() {
        Arbitrary<Integer> device = Arbitraries.integers().between(0, DEVICES - 1);
        Arbitrary<Step> step = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(5, device.map(Enrol::new)),
                net.jqwik.api.Tuple.of(3, device.map(Retire::new)),
                net.jqwik.api.Tuple.of(2, device.map(Reactivate::new)),
                net.jqwik.api.Tuple.of(5, Combinators.combine(device, Arbitraries.of(true, false)).as(Target::new)),
                net.jqwik.api.Tuple.of(1, device.map(RemoveApp::new)),
                net.jqwik.api.Tuple.of(1, device.map(AdminReclaim::new)),
                net.jqwik.api.Tuple.of(1, device.map(AllowAgain::new)),
                net.jqwik.api.Tuple.of(3, Arbitraries.just(new AppleSlow())),
                net.jqwik.api.Tuple.of(2, Arbitraries.just(new AppleResumes())),
                net.jqwik.api.Tuple.of(1, Arbitraries.of(true, false).map(DuplicateNotifications::new)),
                net.jqwik.api.Tuple.of(1, Arbitraries.just(new AppleUnavailable())),
                net.jqwik.api.Tuple.of(restarts(), Arbitraries.just(new Restart())));
        return step.list().ofMinSize(1).ofMaxSize(12);
    }

    /** One Orchard with the simulator for every try of a property (started by the subclass's container hook). */
    static final class World {
        final MutableClock clock = MutableClock.ticking(Instant.parse("2026-11-28T10:00:00Z"));
        final AppleSimulator sim;
        final SimControl control;
        OrchardInstance orchard;
        final String uId;
        final Path dataDir;
        final String databaseUrl;
        final int port = OrchardInstance.freePort();

        World(String databaseUrl) throws Exception {
            this.databaseUrl = databaseUrl;
            dataDir = Files.createTempDirectory("orchard-convergence");
            sim = AppleSimulator.builder().demoSeed().rateLimit(0).eventDelayMs(0).notificationRetryDelayMs(10).clock(clock).start();
            control = new SimControl(sim);
            startOrchard();
            var location = sim.location("Orchard Demo Corp");
            uId = location.uId();
            long us = orchard.post("/api/v1/accounts", ADMIN_TOKEN, "{\"sToken\":\"" + location.sToken() + "\",\"takeOver\":true}")
                    .json().get("id").asLong();
            orchard.awaitSyncs(us, 1);
            call("POST", "/api/v1/labels", "{\"kind\":\"LICENSE\",\"name\":\"Every iPhone\",\"accountId\":" + us
                    + ",\"targets\":[{\"type\":\"RULE\",\"platform\":\"iOS\"}]}");
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
         * lost while Orchard was down that a status poll makes up for), moves the clock a minute at a time.
         */
        void settle() {
            for (int minute = 0; minute < 30; minute++) {
                try {
                    settledWithin(java.time.Duration.ofSeconds(minute == 0 ? 20 : 3));
                    return;
                } catch (AssertionError notYet) {
                    clock.advance(java.time.Duration.ofMinutes(1));
                }
            }
            settledWithin(java.time.Duration.ofSeconds(20));
        }

        private void settledWithin(java.time.Duration timeout) {
            Await.until("the licensing pass and the outbox to settle", () -> count("select count(*) from licensing_pass "
                    + "where running = false and requests = served and finished_at is not null") == 1
                    && count("select count(*) from operation_targets where state in ('SENDING', 'SENT') "
                    + "or (state = 'QUEUED' and not_before <= ?)", java.sql.Timestamp.from(clock.instant())) == 0
                    && count("select count(*) from apple_notifications where processed_at is null") == 0
                    && count("select count(*) from accounts where blocked_until > ?", java.sql.Timestamp.from(clock.instant())) == 0,
                    timeout);
        }
    }

    /** What the steps say each device should hold, and what the run did. */
    static final class Model {
        final boolean[] exists = new boolean[DEVICES];
        final boolean[] active = new boolean[DEVICES];
        final boolean[] targeted = new boolean[DEVICES];
        final boolean[] optedOut = new boolean[DEVICES];

        boolean wants(int i) {
            return exists[i] && active[i] && targeted[i] && !optedOut[i];
        }
    }

    abstract World world();

    /** Runs the steps on this try's devices; returns a description of any difference at quiescence (empty: none). */
    String run(List<Step> steps) {
        World w = world();
        int t = TRIES.incrementAndGet();
        String prefix = "CV" + Long.toString(System.nanoTime() % 1_000_000L, 36).toUpperCase() + t + "X";
        String[] serial = new String[DEVICES];
        for (int i = 0; i < DEVICES; i++) {
            serial[i] = prefix + i;
        }
        Model m = new Model();
        long label = w.orchard.post("/api/v1/labels", ADMIN_TOKEN, labelJson(prefix, serial, m)).json().get("id").asLong();
        boolean held = false;
        try {
            for (Step s : steps) {
                held = apply(w, s, serial, m, label, prefix, held);
            }
        } finally {
            release(w, held);
            w.control.post("settings", "{\"duplicateNotifications\":false}");
            w.control.delete("faults");
        }
        w.settle();
        return differences(w, serial, m, steps);
    }

    private boolean apply(World w, Step s, String[] serial, Model m, long label, String prefix, boolean held) {
        if (s instanceof Enrol e) {
            w.call("PUT", "/api/v1/devices/" + serial[e.device()], device(serial[e.device()], "ACTIVE"));
            m.exists[e.device()] = true;
            m.active[e.device()] = true;
        } else if (s instanceof Retire r) {
            if (m.exists[r.device()]) {
                w.call("POST", "/api/v1/devices/" + serial[r.device()] + "/retire", null);
                m.active[r.device()] = false;
            }
        } else if (s instanceof Reactivate r) {
            if (m.exists[r.device()]) {
                w.call("PUT", "/api/v1/devices/" + serial[r.device()], device(serial[r.device()], "ACTIVE"));
                m.active[r.device()] = true;
            }
        } else if (s instanceof Target tg) {
            m.targeted[tg.device()] = tg.in();
            w.call("PUT", "/api/v1/labels/" + label, labelJson(prefix, serial, m));
        } else if (s instanceof RemoveApp ra) {
            // R4c opts the device out when it holds the app: decided at a quiet moment, so the model knows
            held = release(w, held);
            w.settle();
            int i = ra.device();
            if (m.exists[i] && m.active[i]) {
                w.call("PUT", "/api/v1/devices/" + serial[i] + "/apps", "[{\"bundleId\":\"com.example.fieldnotes\",\"version\":\"1.0\",\"managed\":true}]");
                w.call("PUT", "/api/v1/devices/" + serial[i] + "/apps", "[]");
                if (m.wants(i)) {
                    m.optedOut[i] = true;
                }
            }
        } else if (s instanceof AdminReclaim ar) {
            held = release(w, held);
            w.settle();
            int i = ar.device();
            var ids = w.orchard.bean(JdbcClient.class).sql("select id from licenses where serial_number = ? and adam_id = ? "
                    + "and intent is null").params(serial[i], FIELD_NOTES).query(Long.class).list();
            for (long id : ids) {
                w.call("POST", "/api/v1/licenses/" + id + "/reclaim", null);
                m.optedOut[i] = true;
            }
        } else if (s instanceof AllowAgain aa) {
            if (m.exists[aa.device()]) {
                w.call("DELETE", "/api/v1/devices/" + serial[aa.device()] + "/opt-outs/" + FIELD_NOTES, null);
                m.optedOut[aa.device()] = false;
            }
        } else if (s instanceof AppleSlow) {
            if (!held) {
                w.control.post("settings", "{\"holdEvents\":true}");
                held = true;
            }
        } else if (s instanceof AppleResumes) {
            held = release(w, held);
        } else if (s instanceof AppleUnavailable) {
            w.control.post("faults", "{\"uId\":\"" + w.uId + "\",\"status\":503,\"retryAfterSeconds\":20}");
        } else if (s instanceof Restart) {
            w.restart();
        } else if (s instanceof DuplicateNotifications d) {
            w.control.post("settings", "{\"duplicateNotifications\":" + d.on() + "}");
        }
        return held;
    }

    private static boolean release(World w, boolean held) {
        if (held) {
            w.control.post("settings", "{\"holdEvents\":false}");
        }
        return false;
    }

    private String differences(World w, String[] serial, Model m, List<Step> steps) {
        var problems = new ArrayList<String>();
        for (int i = 0; i < DEVICES; i++) {
            boolean atApple = false;
            for (var a : w.control.assignmentsAtApple(w.uId, serial[i])) {
                atApple |= FIELD_NOTES.equals(a.get("adamId").asString());
            }
            long held = w.count("select count(*) from licenses where serial_number = ? and adam_id = ? and intent is null "
                    + "and missing_since is null", serial[i], FIELD_NOTES);
            long pending = w.count("select count(*) from licenses where serial_number = ? and intent is not null", serial[i]);
            if (atApple != m.wants(i)) {
                problems.add(serial[i] + ": Apple " + (atApple ? "holds" : "lacks") + " the license, desired " + m.wants(i));
            }
            if ((held == 1) != atApple || held > 1) {
                problems.add(serial[i] + ": the ledger holds " + held + ", Apple " + atApple);
            }
            if (pending > 0) {
                problems.add(serial[i] + ": " + pending + " license(s) still in flight at quiescence");
            }
        }
        return problems.isEmpty() ? "" : problems + " after " + steps;
    }

    private static String device(String serial, String status) {
        return "{\"serialNumber\":\"" + serial + "\",\"platform\":\"iOS\",\"osVersion\":\"17.4\",\"country\":\"US\",\"status\":\""
                + status + "\"}";
    }

    private static String labelJson(String prefix, String[] serial, Model m) {
        Set<String> targets = new LinkedHashSet<>();
        for (int i = 0; i < DEVICES; i++) {
            if (m.targeted[i]) {
                targets.add("{\"type\":\"SERIAL\",\"value\":\"" + serial[i] + "\"}");
            }
        }
        if (targets.isEmpty()) { // a label needs a target: one no device has
            targets.add("{\"type\":\"SERIAL\",\"value\":\"" + prefix + "NONE\"}");
        }
        return "{\"kind\":\"APP\",\"name\":\"Convergence " + prefix + "\",\"adamIds\":[\"" + FIELD_NOTES + "\"],\"targets\":["
                + String.join(",", targets) + "]}";
    }

    static Map<String, Object> none() {
        return new HashMap<>();
    }
}
