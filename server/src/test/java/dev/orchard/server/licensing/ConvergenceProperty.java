package dev.orchard.server.licensing;

import static dev.orchard.server.OrchardInstance.ADMIN_TOKEN;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.jdbc.core.simple.JdbcClient;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The ledger's convergence property, against a running Orchard and the simulator: any interleaving of lifecycle
 * events (enrol, retire, reactivate, an Apple License Label taking a device in or out, the user removing the app, an
 * administrator's reclaim, letting it be assigned again) with Apple's and Orchard's behaviours (events held PENDING
 * while Orchard acts, so assignments are in flight when devices change; notifications sent twice; 503 with
 * Retry-After; a restart that loses the notifications sent meanwhile) ends, once everything has settled, with
 * <b>Apple's assignments equal to the desired state and Orchard's ledger equal to Apple</b>.
 *
 * <p>One generated try is a batch of {@link #CASES} independent cases run in lock step (step 1 of every case, then
 * the behaviour's step 1, then step 2 ...), each on its own three devices and its own App label, so a try costs one
 * settling of Orchard for all its cases. Where a step's effect depends on Orchard's state at that moment (the user
 * removing the app opts the device out only if it held or was getting the license; an administrator reclaims what
 * is there), the model reads the opt-out Orchard recorded. Subclasses choose the database.
 */
abstract class ConvergenceProperty implements ConvergenceSteps {

    static final String FIELD_NOTES = "361309726";
    private static final AtomicInteger TRIES = new AtomicInteger();
    private static final java.util.concurrent.ExecutorService CALLERS = java.util.concurrent.Executors.newFixedThreadPool(4, r -> {
        Thread t = new Thread(r, "convergence-caller");
        t.setDaemon(true);
        return t;
    });


    abstract ConvergenceWorld world();

    /** One case's devices, label and model. */
    private static final class Case {
        final List<Step> steps;
        final String prefix;
        final String[] serial = new String[DEVICES];
        final Model model = new Model();
        long label;

        Case(List<Step> steps) {
            this.steps = steps;
            this.prefix = "CV" + Long.toString(System.nanoTime() % 1_000_000L, 36).toUpperCase() + TRIES.incrementAndGet() + "X";
            for (int i = 0; i < DEVICES; i++) {
                serial[i] = prefix + i;
            }
        }
    }

    /**
     * Runs one case with behaviours in it (an {@code @Example}): each step keeps its place, lifecycle steps in the
     * case and behaviours in the behaviour sequence. Returns a description of any difference (empty: none).
     */
    String run(List<Step> steps) {
        var lifecycle = new ArrayList<Step>();
        var behaviour = new ArrayList<Step>();
        for (Step s : steps) {
            lifecycle.add(isBehaviour(s) ? null : s);
            behaviour.add(isBehaviour(s) ? s : new Calm());
        }
        return runBatch(List.of(lifecycle), behaviour);
    }

    /** Runs a batch in lock step; returns a description of every difference at quiescence (empty: none). */
    String run(Batch b) {
        return runBatch(b.cases(), b.behaviour());
    }

    private static boolean isBehaviour(Step s) {
        return s instanceof AppleSlow || s instanceof AppleResumes || s instanceof DuplicateNotifications
                || s instanceof AppleUnavailable || s instanceof Restart || s instanceof Calm;
    }

    private String runBatch(List<List<Step>> lifecycles, List<Step> behaviour) {
        ConvergenceWorld w = world();
        var cases = lifecycles.stream().map(Case::new).toList();
        long labelling = System.nanoTime();
        inParallel(cases.stream().<Runnable>map(c -> () -> {
            c.label = w.orchard.post("/api/v1/labels", ADMIN_TOKEN, coverage(w, c.prefix, c.serial, c.model)).json().get("id").asLong();
            w.call("POST", "/api/v1/labels", appLabel(c.prefix, c.serial));
        }).toList());
        long started = System.nanoTime();
        int length = Math.max(behaviour.size(), lifecycles.stream().mapToInt(List::size).max().orElse(0));
        boolean held = false;
        try {
            for (int i = 0; i < length; i++) {
                int step = i;
                // the cases' steps at one index run concurrently (they touch different devices and labels)
                inParallel(cases.stream().filter(c -> step < c.steps.size() && c.steps.get(step) != null)
                        .<Runnable>map(c -> () -> apply(w, c.steps.get(step), c.serial, c.model, c.label, c.prefix, false)).toList());
                if (i < behaviour.size()) {
                    held = apply(w, behaviour.get(i), null, null, 0, null, held);
                }
            }
        } finally {
            release(w, held);
            w.control.post("settings", "{\"duplicateNotifications\":false}");
            w.control.delete("faults");
        }
        long settling = System.nanoTime();
        w.settle();
        long checking = System.nanoTime();
        var problems = new ArrayList<String>();
        for (Case c : cases) {
            String d = differences(w, c.serial, c.model, c.steps);
            if (!d.isEmpty()) {
                problems.add(d);
            }
        }
        System.out.printf("convergence batch: %d cases, %d ms labelling, %d ms acting, %d ms settling, %d ms checking%n",
                cases.size(), (started - labelling) / 1_000_000, (settling - started) / 1_000_000,
                (checking - settling) / 1_000_000, (System.nanoTime() - checking) / 1_000_000);
        return problems.isEmpty() ? "" : problems + " with Apple and Orchard doing " + behaviour;
    }

    /** Runs the actions on the callers' threads and waits for all; the first failure is thrown. */
    private static void inParallel(List<Runnable> actions) {
        var running = actions.stream().map(CALLERS::submit).toList();
        for (var r : running) {
            try {
                r.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            } catch (java.util.concurrent.ExecutionException e) {
                if (e.getCause() instanceof AssertionError ae) {
                    throw ae;
                }
                throw new IllegalStateException(e.getCause());
            }
        }
    }

    private boolean apply(ConvergenceWorld w, Step s, String[] serial, Model m, long label, String prefix, boolean held) {
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
            m.covered[tg.device()] = tg.in();
            w.call("PUT", "/api/v1/labels/" + label, coverage(w, prefix, serial, m));
        } else if (s instanceof RemoveApp ra) {
            int i = ra.device();
            if (m.exists[i] && m.active[i]) {
                w.call("PUT", "/api/v1/devices/" + serial[i] + "/apps", "[{\"bundleId\":\"com.example.fieldnotes\",\"version\":\"1.0\",\"managed\":true}]");
                w.call("PUT", "/api/v1/devices/" + serial[i] + "/apps", "[]");
                m.optedOut[i] = optedOut(w, serial[i]); // R4c opts out a device that held (or was getting) the app
            }
        } else if (s instanceof AdminReclaim ar) {
            int i = ar.device();
            var ids = w.orchard.bean(JdbcClient.class).sql("select id from licenses where serial_number = ? and adam_id = ? "
                    + "and (intent is null or (intent = 'ASSIGN' and reclaim_rule is null))").params(serial[i], FIELD_NOTES)
                    .query(Long.class).list();
            for (long id : ids) {
                var r = w.orchard.method("POST", "/api/v1/licenses/" + id + "/reclaim", ADMIN_TOKEN, null);
                if (r.status() / 100 != 2 && r.status() != 404) { // 404: Apple's answer removed it meanwhile
                    throw new AssertionError("reclaim of license " + id + " -> " + r.status() + " " + r.body());
                }
            }
            if (m.exists[i]) {
                m.optedOut[i] = optedOut(w, serial[i]);
            }
        } else if (s instanceof Quiet) {
            w.quiet();
        } else if (s instanceof RunPass) {
            w.call("POST", "/api/v1/licensing/pass", null);
            w.quiet();
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

    /** What Orchard knows of a device, for a failure's message. */
    private static String state(ConvergenceWorld w, String serial) {
        var jdbc = w.orchard.bean(JdbcClient.class);
        return "device " + jdbc.sql("select status from devices where serial_number = ?").param(serial).query(String.class).list()
                + ", licenses " + jdbc.sql("select id, origin, intent, reclaim_rule, missing_since from licenses where serial_number = ?")
                        .param(serial).query().listOfRows()
                + ", waitlist " + jdbc.sql("select kind, reason from waitlist where holder = ?").param(serial).query().listOfRows()
                + ", opt-outs " + jdbc.sql("select rule from license_opt_outs where holder = ?").param(serial).query(String.class).list()
                + ", outbox " + jdbc.sql("select action, state, error_number, error from operation_targets where serial_number = ? order by id")
                        .param(serial).query().listOfRows()
                + ", audit " + jdbc.sql("select actor, action, outcome from audit_events where subject = ? order by id")
                        .param("device " + serial).query().listOfRows();
    }

    private static boolean optedOut(ConvergenceWorld w, String serial) {
        return w.count("select count(*) from license_opt_outs where holder_type = 'DEVICE' and holder = ? and adam_id = ?",
                serial, FIELD_NOTES) > 0;
    }

    private static boolean release(ConvergenceWorld w, boolean held) {
        if (held) {
            w.control.post("settings", "{\"holdEvents\":false}");
        }
        return false;
    }

    private String differences(ConvergenceWorld w, String[] serial, Model m, List<Step> steps) {
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
            if (!problems.isEmpty() && problems.get(problems.size() - 1).startsWith(serial[i])) {
                problems.add(serial[i] + " in Orchard: " + state(w, serial[i]));
            }
        }
        return problems.isEmpty() ? "" : problems + " after " + steps.stream().filter(java.util.Objects::nonNull).toList();
    }

    private static String device(String serial, String status) {
        return "{\"serialNumber\":\"" + serial + "\",\"platform\":\"iOS\",\"osVersion\":\"17.4\",\"country\":\"US\",\"status\":\""
                + status + "\"}";
    }

    /** The case's Apple License Label: the account's licenses may go to the devices it covers. */
    private static String coverage(ConvergenceWorld w, String prefix, String[] serial, Model m) {
        Set<String> targets = new LinkedHashSet<>();
        for (int i = 0; i < DEVICES; i++) {
            if (m.covered[i]) {
                targets.add("{\"type\":\"SERIAL\",\"value\":\"" + serial[i] + "\"}");
            }
        }
        if (targets.isEmpty()) { // a label needs a target: one no device has
            targets.add("{\"type\":\"SERIAL\",\"value\":\"" + prefix + "NONE\"}");
        }
        // ahead: a case labels its devices before they enrol (and a serial no device has when none is covered)
        return "{\"kind\":\"LICENSE\",\"ahead\":true,\"name\":\"Coverage " + prefix + "\",\"accountId\":" + w.account + ",\"targets\":["
                + String.join(",", targets) + "]}";
    }

    /** The case's App label: Field Notes for its three devices. */
    private static String appLabel(String prefix, String[] serial) {
        var targets = new ArrayList<String>();
        for (String s : serial) {
            targets.add("{\"type\":\"SERIAL\",\"value\":\"" + s + "\"}");
        }
        return "{\"kind\":\"APP\",\"ahead\":true,\"name\":\"Field Notes " + prefix + "\",\"adamIds\":[\"" + FIELD_NOTES + "\"],\"targets\":["
                + String.join(",", targets) + "]}";
    }

    @Provide
    Arbitrary<Batch> generatedBatches() {
        return ConvergenceSteps.batches();
    }

    @Property(tries = 50) // 50 batches of 20 cases: 1,000 cases
    void appleEqualsTheDesiredStateAndTheLedgerEqualsApple(@ForAll("generatedBatches") Batch batch) {
        assertThat(run(batch)).isEmpty();
    }

    /**
     * Found by the property before in-flight reclaims existed (shrunk): the retired device kept its license. Found again
     * on PostgreSQL once label changes were served incrementally (a run had read the device as active; now the run
     * told of the retirement reclaims, see {@code Reclaims.retired}).
     */
    @Example
    void aDeviceRetiredWhileAppleWorksOnItsAssignment() {
        assertThat(run(List.of(new Enrol(1), new AppleSlow(), new Target(1, true), new Retire(1)))).isEmpty();
    }

    /**
     * Found by the property (shrunk by hand): an administrator reclaims an assignment Apple is still working on, and
     * the next pass, seeing the device still labelled, took the reclaim back although the device was opted out.
     */
    @Example
    void anAdministratorsReclaimOfAnAssignmentInFlightHolds() {
        assertThat(run(List.of(new Target(1, true), new Enrol(1), new AppleSlow(), new Quiet(), new AdminReclaim(1),
                new RunPass(), new AppleResumes()))).isEmpty();
    }

    /**
     * Found by the property on H2 with two test JVMs loading the machine (not shrunk; kept as it failed): the
     * administrator's reclaim was confirmed removed while a sync page was being applied, and the page put the license
     * back as EXTERNAL. It needs that timing to fail; {@code LicenseLedgerStorageTests} forces the interleaving.
     */
    @Example
    void aRemovalDuringASyncPageDoesNotBringTheLicenseBack() {
        assertThat(run(new Batch(List.of(List.of(new Quiet(), new Target(1, true), new Retire(0), new Target(2, false),
                new Enrol(1), new Enrol(0), new AdminReclaim(1), new Retire(0))), List.of(new AppleResumes(), new Calm(),
                new Calm(), new Restart(), new AppleUnavailable(), new AppleSlow(), new AppleUnavailable(),
                new DuplicateNotifications(true), new Calm(), new AppleSlow())))).isEmpty();
    }

    /** A restart while Apple holds the assignment: its notification is lost, the status poll makes up for it. */
    @Example
    void aRestartWhileAppleWorksLosesTheNotification() {
        assertThat(run(List.of(new Enrol(0), new Target(0, true), new AppleSlow(), new Restart(), new Retire(0),
                new Reactivate(0)))).isEmpty();
    }
}
